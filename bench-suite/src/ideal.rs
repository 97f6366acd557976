//! The "ideal host": Marine's `greeting` and `records_pure.invoke()` called with the same core
//! calls strait's adapters make, written directly against each engine's own API (typed
//! functions, direct memory access, no IT interpreter, no `IValue`s). It is the floor strait's
//! adapters are measured against (`benches/ideal.rs`, issue 9 item 4).
//!
//! - `greeting(name)`: `allocate(len, 1)`, the bytes written, `greeting(ptr, len)`,
//!   `get_result_ptr`, `get_result_size`, the result read (UTF-8 checked) into a `String`,
//!   `release_objects` — the five core calls of the module's export adapter.
//! - `records_pure.invoke()`: `invoke()`, then, inside it, the import `mutate_struct(ptr)` served
//!   the way the import and export adapters do it: the 59-byte `TestRecord` with its string and
//!   byte array read from `records_pure`, `release_objects` there, three `allocate`s and the
//!   bytes written into `records_effector`, `mutate_struct`, `get_result_ptr`, the result read,
//!   `release_objects`, three `allocate`s and the bytes written back into `records_pure`, its
//!   `set_result_ptr`; after `invoke` returns, `get_result_ptr`, the record read into a typed
//!   [`TestRecord`], `release_objects`.
//!
//! The modules import four WASI functions; they are never called during these calls, and are
//! served by minimal functions (empty environment, output discarded, exit as a trap).
//!
//! Both engines' hosts are one definition (`ideal_host!`): their APIs differ only in how an
//! instance is created and how an error is made.

use strait::Backend;

/// Marine's `TestRecord` (`records_effector`, `records_pure`) as a typed Rust value.
#[derive(Debug, Clone, PartialEq, Default)]
#[allow(missing_docs, reason = "the fields are Marine's field_0 … field_12")]
pub struct TestRecord {
    pub field_0: bool,
    pub field_1: i8,
    pub field_2: i16,
    pub field_3: i32,
    pub field_4: i64,
    pub field_5: u8,
    pub field_6: u16,
    pub field_7: u32,
    pub field_8: u64,
    pub field_9: f32,
    pub field_10: f64,
    pub field_11: String,
    pub field_12: Vec<u8>,
}

/// Size of the packed `TestRecord` (`spec/abi.md` §5).
pub const TEST_RECORD_SIZE: usize = 59;
/// Offset of the string field's (ptr, len) pair in the packed record.
const STRING_AT: usize = 43;
/// Offset of the byte array field's (ptr, len) pair in the packed record.
const BYTES_AT: usize = 51;

impl TestRecord {
    /// Decodes a packed record whose string and byte array are `string` and `bytes`.
    fn decode(
        record: &[u8; TEST_RECORD_SIZE],
        string: &[u8],
        bytes: &[u8],
    ) -> Result<Self, String> {
        let at = |offset: usize| -> [u8; 8] {
            let mut out = [0; 8];
            out.copy_from_slice(&record[offset..offset + 8]);
            out
        };
        let four = |offset: usize| -> [u8; 4] {
            let mut out = [0; 4];
            out.copy_from_slice(&record[offset..offset + 4]);
            out
        };
        Ok(Self {
            field_0: record[0] != 0,
            field_1: i8::from_le_bytes([record[1]]),
            field_2: i16::from_le_bytes([record[2], record[3]]),
            field_3: i32::from_le_bytes(four(4)),
            field_4: i64::from_le_bytes(at(8)),
            field_5: record[16],
            field_6: u16::from_le_bytes([record[17], record[18]]),
            field_7: u32::from_le_bytes(four(19)),
            field_8: u64::from_le_bytes(at(23)),
            field_9: f32::from_le_bytes(four(31)),
            field_10: f64::from_le_bytes(at(35)),
            field_11: std::str::from_utf8(string)
                .map_err(|e| format!("field_11 is not UTF-8: {e}"))?
                .to_owned(),
            field_12: bytes.to_vec(),
        })
    }

    /// The record as strait's `IValue`, to compare with what strait returns.
    pub fn to_ivalue(&self) -> strait::IValue {
        use strait::IValue;
        IValue::Record(vec![
            IValue::Boolean(self.field_0),
            IValue::S8(self.field_1),
            IValue::S16(self.field_2),
            IValue::S32(self.field_3),
            IValue::S64(self.field_4),
            IValue::U8(self.field_5),
            IValue::U16(self.field_6),
            IValue::U32(self.field_7),
            IValue::U64(self.field_8),
            IValue::F32(self.field_9),
            IValue::F64(self.field_10),
            IValue::String(self.field_11.clone()),
            IValue::ByteArray(self.field_12.clone()),
        ])
    }
}

/// `greeting(name) -> string` on an engine's own API.
pub trait IdealGreeting: Sized {
    /// Compiles and instantiates `greeting.wasm` on the engine strait configures.
    fn new(wasm: &[u8]) -> Result<Self, String>;
    /// `greeting(name)`.
    fn greeting(&mut self, name: &str) -> Result<String, String>;
}

/// `records_pure.invoke() -> TestRecord` (through `records_effector.mutate_struct`) on an
/// engine's own API.
pub trait IdealRecords: Sized {
    /// Compiles and instantiates the two modules (the effector first) in one store.
    fn new(effector: &[u8], pure: &[u8]) -> Result<Self, String>;
    /// `records_pure.invoke()`.
    fn invoke(&mut self) -> Result<TestRecord, String>;
}

/// An engine with an ideal host.
pub trait HasIdeal: Backend {
    /// `greeting` on the engine's API.
    type Greeting: IdealGreeting;
    /// `records_pure.invoke()` on the engine's API.
    type Records: IdealRecords;
}

/// A wasm `i32` pointer or length as an index (wasm32 addresses are unsigned).
fn index(value: i32) -> usize {
    u32::from_ne_bytes(value.to_ne_bytes()) as usize
}

/// A length as a wasm `i32`.
fn wasm_len(len: usize) -> Result<i32, String> {
    i32::try_from(len).map_err(|_| format!("{len} bytes do not fit a wasm32 length"))
}

/// `len` bytes at `ptr` of `memory`, or an error saying what was out of bounds.
fn span(memory: &[u8], ptr: i32, len: usize) -> Result<&[u8], String> {
    let start = index(ptr);
    start
        .checked_add(len)
        .and_then(|end| memory.get(start..end))
        .ok_or_else(|| format!("{len} bytes at {start} lie outside the memory"))
}

/// `len` writable bytes at `ptr` of `memory`.
fn span_mut(memory: &mut [u8], ptr: i32, len: usize) -> Result<&mut [u8], String> {
    let start = index(ptr);
    start
        .checked_add(len)
        .and_then(|end| memory.get_mut(start..end))
        .ok_or_else(|| format!("{len} bytes at {start} lie outside the memory"))
}

/// The little-endian `u32` at `at` of `bytes` (which the caller made long enough).
fn le_u32(bytes: &[u8], at: usize) -> u32 {
    let mut out = [0; 4];
    out.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(out)
}

/// The (ptr, len) pair at `offset` of a packed record.
fn pair(record: &[u8], offset: usize) -> (i32, usize) {
    let ptr = i32::from_ne_bytes(le_u32(record, offset).to_ne_bytes());
    (ptr, le_u32(record, offset + 4) as usize)
}

/// An engine error as text.
fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Copies the packed record at `ptr` of `memory` and its string and byte array into
/// `scratch` (record, then string, then bytes) and returns the two lengths.
fn read_test_record(
    memory: &[u8],
    ptr: i32,
    scratch: &mut Vec<u8>,
) -> Result<(usize, usize), String> {
    let record = span(memory, ptr, TEST_RECORD_SIZE)?;
    let (string_ptr, string_len) = pair(record, STRING_AT);
    let (bytes_ptr, bytes_len) = pair(record, BYTES_AT);
    scratch.clear();
    scratch.extend_from_slice(record);
    scratch.extend_from_slice(span(memory, string_ptr, string_len)?);
    scratch.extend_from_slice(span(memory, bytes_ptr, bytes_len)?);
    Ok((string_len, bytes_len))
}

/// Writes the record held in `scratch` (as [`read_test_record`] left it) at `record` of
/// `memory`, its string at `string` and its bytes at `bytes`, pointing the record at them.
fn write_test_record(
    memory: &mut [u8],
    scratch: &[u8],
    (string_len, bytes_len): (usize, usize),
    (record, string, bytes): (i32, i32, i32),
) -> Result<(), String> {
    let (head, rest) = scratch.split_at(TEST_RECORD_SIZE);
    let (string_bytes, byte_array) = rest.split_at(string_len);
    span_mut(memory, string, string_len)?.copy_from_slice(string_bytes);
    span_mut(memory, bytes, bytes_len)?.copy_from_slice(byte_array);
    let out = span_mut(memory, record, TEST_RECORD_SIZE)?;
    out.copy_from_slice(head);
    out[STRING_AT..STRING_AT + 4].copy_from_slice(&string.to_le_bytes());
    out[BYTES_AT..BYTES_AT + 4].copy_from_slice(&bytes.to_le_bytes());
    Ok(())
}

/// Writes the ideal host for one engine: `$wasm` is the engine's crate, `$instantiate` its
/// `Linker` method that instantiates and runs the start function, `$error` makes its error
/// from a message.
macro_rules! ideal_host {
    ($(#[$doc:meta])* $module:ident, $engine:ty, $wasm:ident, $instantiate:ident, $error:path) => {
        $(#[$doc])*
        pub mod $module {
            use std::sync::{Arc, OnceLock};

            use $wasm::{Caller, Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

            use super::{IdealGreeting, IdealRecords, TestRecord, TEST_RECORD_SIZE};

            /// The engine strait builds from the default configuration, so the ratio measures
            /// the adapters, not the configuration.
            fn same_engine_as_strait() -> Result<Engine, String> {
                let backend = <$engine as strait_backend::Backend>::new(&Default::default())
                    .map_err(super::text)?;
                Ok(backend.engine().clone())
            }

            /// Store data: a buffer reused by every cross-module copy.
            #[derive(Default)]
            pub struct State {
                scratch: Vec<u8>,
            }

            /// The ABI functions and memory of one instance.
            pub struct Abi {
                memory: Memory,
                allocate: TypedFunc<(i32, i32), i32>,
                release_objects: TypedFunc<(), ()>,
                get_result_ptr: TypedFunc<(), i32>,
                get_result_size: TypedFunc<(), i32>,
                set_result_ptr: TypedFunc<i32, ()>,
            }

            impl Abi {
                fn of(store: &mut Store<State>, instance: &Instance) -> Result<Self, String> {
                    Ok(Self {
                        memory: instance
                            .get_memory(&mut *store, "memory")
                            .ok_or("the module exports no memory")?,
                        allocate: instance.get_typed_func(&mut *store, "allocate").map_err(super::text)?,
                        release_objects: instance
                            .get_typed_func(&mut *store, "release_objects")
                            .map_err(super::text)?,
                        get_result_ptr: instance
                            .get_typed_func(&mut *store, "get_result_ptr")
                            .map_err(super::text)?,
                        get_result_size: instance
                            .get_typed_func(&mut *store, "get_result_size")
                            .map_err(super::text)?,
                        set_result_ptr: instance
                            .get_typed_func(&mut *store, "set_result_ptr")
                            .map_err(super::text)?,
                    })
                }
            }

            /// Runs `_initialize` and `_start` when the module exports them (`spec/abi.md` §2).
            fn initialize(store: &mut Store<State>, instance: &Instance) -> Result<(), String> {
                for name in ["_initialize", "_start"] {
                    if let Some(func) = instance.get_func(&mut *store, name) {
                        func.typed::<(), ()>(&*store)
                            .and_then(|f| f.call(&mut *store, ()))
                            .map_err(|e| format!("{name}: {e}"))?;
                    }
                }
                Ok(())
            }

            /// The caller's exported memory.
            fn caller_memory(caller: &mut Caller<'_, State>) -> Result<Memory, $wasm::Error> {
                caller
                    .get_export("memory")
                    .and_then($wasm::Extern::into_memory)
                    .ok_or_else(|| $error("the caller exports no memory"))
            }

            /// A linker with the four WASI functions the Marine modules import, served
            /// minimally: they are not called during the benchmarked calls.
            fn linker(engine: &Engine) -> Result<Linker<State>, String> {
                const WASI: &str = "wasi_snapshot_preview1";
                let mut linker = Linker::<State>::new(engine);
                linker
                    .func_wrap(WASI, "environ_sizes_get", |mut caller: Caller<'_, State>, count: i32, size: i32| {
                        let memory = caller_memory(&mut caller)?;
                        for ptr in [count, size] {
                            memory.write(&mut caller, super::index(ptr), &0u32.to_le_bytes())
                                .map_err(|e| $error(e.to_string()))?;
                        }
                        Ok(0i32)
                    })
                    .map_err(super::text)?;
                linker
                    .func_wrap(WASI, "environ_get", |_: i32, _: i32| 0i32)
                    .map_err(super::text)?;
                linker
                    .func_wrap(WASI, "fd_write", |mut caller: Caller<'_, State>, _fd: i32, iovs: i32, count: i32, written: i32| {
                        // Output is discarded: the number written is the iovecs' total length.
                        let memory = caller_memory(&mut caller)?;
                        let data = memory.data(&caller);
                        let iovs = super::span(data, iovs, super::index(count).saturating_mul(8))
                            .map_err($error)?;
                        let total = iovs
                            .chunks_exact(8)
                            .map(|iov| super::le_u32(iov, 4))
                            .fold(0, u32::wrapping_add);
                        memory.write(&mut caller, super::index(written), &total.to_le_bytes())
                            .map_err(|e| $error(e.to_string()))?;
                        Ok(0i32)
                    })
                    .map_err(super::text)?;
                linker
                    .func_wrap(WASI, "proc_exit", |code: i32| -> Result<(), $wasm::Error> {
                        Err($error(format!("proc_exit({code})")))
                    })
                    .map_err(super::text)?;
                Ok(linker)
            }

            /// `greeting` on this engine.
            pub struct Greeting {
                store: Store<State>,
                abi: Abi,
                greeting: TypedFunc<(i32, i32), ()>,
            }

            impl IdealGreeting for Greeting {
                fn new(wasm: &[u8]) -> Result<Self, String> {
                    let engine = same_engine_as_strait()?;
                    let module = Module::new(&engine, wasm).map_err(super::text)?;
                    let linker = linker(&engine)?;
                    let mut store = Store::new(&engine, State::default());
                    let instance = linker.$instantiate(&mut store, &module).map_err(super::text)?;
                    initialize(&mut store, &instance)?;
                    let abi = Abi::of(&mut store, &instance)?;
                    let greeting = instance
                        .get_typed_func(&mut store, "greeting")
                        .map_err(super::text)?;
                    Ok(Self { store, abi, greeting })
                }

                fn greeting(&mut self, name: &str) -> Result<String, String> {
                    let (store, abi) = (&mut self.store, &self.abi);
                    let len = super::wasm_len(name.len())?;
                    let ptr = abi.allocate.call(&mut *store, (len, 1)).map_err(super::text)?;
                    super::span_mut(abi.memory.data_mut(&mut *store), ptr, name.len())?
                        .copy_from_slice(name.as_bytes());
                    self.greeting.call(&mut *store, (ptr, len)).map_err(super::text)?;
                    let result_ptr = abi.get_result_ptr.call(&mut *store, ()).map_err(super::text)?;
                    let result_len = abi.get_result_size.call(&mut *store, ()).map_err(super::text)?;
                    let bytes = super::span(abi.memory.data(&*store), result_ptr, super::index(result_len))?;
                    let result = std::str::from_utf8(bytes)
                        .map_err(|e| format!("the result is not UTF-8: {e}"))?
                        .to_owned();
                    abi.release_objects.call(&mut *store, ()).map_err(super::text)?;
                    Ok(result)
                }
            }

            /// The handles `records_pure`'s import of `mutate_struct` needs, set after both
            /// modules are instantiated.
            struct Link {
                pure: Abi,
                effector: Abi,
                mutate_struct: TypedFunc<i32, ()>,
            }

            /// Serves `records_pure`'s import `records_effector::mutate_struct(record_ptr)`.
            fn mutate_struct(
                caller: &mut Caller<'_, State>,
                link: &Link,
                record: i32,
            ) -> Result<(), String> {
                let (pure, effector) = (&link.pure, &link.effector);
                // Lift the argument out of records_pure, which may then free it.
                let (memory, state) = pure.memory.data_and_store_mut(&mut *caller);
                let lens = super::read_test_record(memory, record, &mut state.scratch)?;
                pure.release_objects.call(&mut *caller, ()).map_err(super::text)?;
                // Lower it into records_effector: fields first, then the record buffer.
                let ptrs = lower(caller, effector, lens)?;
                link.mutate_struct.call(&mut *caller, ptrs.0).map_err(super::text)?;
                let result = effector.get_result_ptr.call(&mut *caller, ()).map_err(super::text)?;
                let (memory, state) = effector.memory.data_and_store_mut(&mut *caller);
                let lens = super::read_test_record(memory, result, &mut state.scratch)?;
                effector.release_objects.call(&mut *caller, ()).map_err(super::text)?;
                // Hand the result to records_pure through its allocate and set_result_ptr.
                let ptrs = lower(caller, pure, lens)?;
                pure.set_result_ptr.call(&mut *caller, ptrs.0).map_err(super::text)?;
                Ok(())
            }

            /// Allocates the string, byte array and record in `to` and writes the record held
            /// in the scratch buffer there; returns (record, string, bytes) pointers.
            fn lower(
                caller: &mut Caller<'_, State>,
                to: &Abi,
                (string_len, bytes_len): (usize, usize),
            ) -> Result<(i32, i32, i32), String> {
                let string = to.allocate.call(&mut *caller, (super::wasm_len(string_len)?, 1)).map_err(super::text)?;
                let bytes = to.allocate.call(&mut *caller, (super::wasm_len(bytes_len)?, 1)).map_err(super::text)?;
                let record = to
                    .allocate
                    .call(&mut *caller, (super::wasm_len(TEST_RECORD_SIZE)?, 1))
                    .map_err(super::text)?;
                let (memory, state) = to.memory.data_and_store_mut(&mut *caller);
                super::write_test_record(memory, &state.scratch, (string_len, bytes_len), (record, string, bytes))?;
                Ok((record, string, bytes))
            }

            /// `records_pure.invoke()` on this engine.
            pub struct Records {
                store: Store<State>,
                link: Arc<OnceLock<Link>>,
                invoke: TypedFunc<(), ()>,
            }

            impl IdealRecords for Records {
                fn new(effector_wasm: &[u8], pure_wasm: &[u8]) -> Result<Self, String> {
                    let engine = same_engine_as_strait()?;
                    let effector_module = Module::new(&engine, effector_wasm).map_err(super::text)?;
                    let pure_module = Module::new(&engine, pure_wasm).map_err(super::text)?;
                    let mut linker = linker(&engine)?;
                    let link: Arc<OnceLock<Link>> = Arc::default();
                    let cell = link.clone();
                    linker
                        .func_wrap(
                            "records_effector",
                            "mutate_struct",
                            move |mut caller: Caller<'_, State>, record: i32| {
                                let link = cell.get().ok_or_else(|| $error("not linked yet"))?;
                                mutate_struct(&mut caller, link, record).map_err($error)
                            },
                        )
                        .map_err(super::text)?;
                    let mut store = Store::new(&engine, State::default());
                    let effector = linker.$instantiate(&mut store, &effector_module).map_err(super::text)?;
                    initialize(&mut store, &effector)?;
                    let pure = linker.$instantiate(&mut store, &pure_module).map_err(super::text)?;
                    initialize(&mut store, &pure)?;
                    let mutate_struct = effector
                        .get_typed_func(&mut store, "mutate_struct")
                        .map_err(super::text)?;
                    let invoke = pure.get_typed_func(&mut store, "invoke").map_err(super::text)?;
                    let handles = Link {
                        pure: Abi::of(&mut store, &pure)?,
                        effector: Abi::of(&mut store, &effector)?,
                        mutate_struct,
                    };
                    let _ = link.set(handles);
                    Ok(Self { store, link, invoke })
                }

                fn invoke(&mut self) -> Result<TestRecord, String> {
                    let pure = &self.link.get().ok_or("not linked")?.pure;
                    let store = &mut self.store;
                    self.invoke.call(&mut *store, ()).map_err(super::text)?;
                    let ptr = pure.get_result_ptr.call(&mut *store, ()).map_err(super::text)?;
                    let memory = pure.memory.data(&*store);
                    let mut record = [0; TEST_RECORD_SIZE];
                    record.copy_from_slice(super::span(memory, ptr, TEST_RECORD_SIZE)?);
                    let (string_ptr, string_len) = super::pair(&record, super::STRING_AT);
                    let (bytes_ptr, bytes_len) = super::pair(&record, super::BYTES_AT);
                    let value = TestRecord::decode(
                        &record,
                        super::span(memory, string_ptr, string_len)?,
                        super::span(memory, bytes_ptr, bytes_len)?,
                    )?;
                    pure.release_objects.call(&mut *store, ()).map_err(super::text)?;
                    Ok(value)
                }
            }
        }

        impl HasIdeal for $engine {
            type Greeting = $module::Greeting;
            type Records = $module::Records;
        }
    };
}

#[cfg(feature = "wasmtime")]
ideal_host!(
    /// The ideal host on Wasmtime's own API.
    wasmtime_host,
    strait::Wasmtime,
    wasmtime,
    instantiate,
    wasmtime::Error::msg
);

#[cfg(feature = "wasmi")]
ideal_host!(
    /// The ideal host on wasmi's own API.
    wasmi_host,
    strait::Wasmi,
    wasmi,
    instantiate_and_start,
    wasmi::Error::new
);
