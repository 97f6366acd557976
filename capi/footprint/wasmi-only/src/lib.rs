//! Marine's greeting on wasmi alone: what an embedder would write without strait, doing the
//! Marine ABI by hand for one known signature (`greeting(name: string) -> string`). The
//! footprint script compares its code size and heap with strait's C API running the same
//! module. The allocator and panic handler call the same C hooks as strait-capi's `embedded`
//! feature, so both count their heap in the same arena.
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_void};
use wasmi::{Caller, Engine, Extern, Instance, Linker, Memory, Module, Store, TypedFunc};

unsafe extern "C" {
    fn strait_alloc(size: usize, align: usize) -> *mut c_void;
    fn strait_dealloc(ptr: *mut c_void, size: usize, align: usize);
    fn strait_realloc(ptr: *mut c_void, old: usize, align: usize, new: usize) -> *mut c_void;
    fn strait_panic(message: *const c_char, len: usize);
}

struct CAllocator;

#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

// SAFETY: the C hooks implement an allocator (see strait.h).
unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the embedder's allocator.
        unsafe { strait_alloc(layout.size(), layout.align()) }.cast()
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: a block of this allocator with this layout.
        unsafe { strait_dealloc(ptr.cast(), layout.size(), layout.align()) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: a block of this allocator with this layout.
        unsafe { strait_realloc(ptr.cast(), layout.size(), layout.align(), new_size) }.cast()
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    let message = b"wasmi-only panicked";
    // SAFETY: the embedder's function reads `len` bytes.
    unsafe { strait_panic(message.as_ptr().cast(), message.len()) };
    loop {
        core::hint::spin_loop();
    }
}

/// Never called with `panic = "abort"`; named by the prebuilt `core`'s unwind tables.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

/// A loaded module: its engine, store and instance.
pub struct Loaded {
    store: Store<()>,
    instance: Instance,
    memory: Memory,
}

/// The WASI functions Marine modules import, as the least that lets them run: no
/// environment, output discarded, exit as a trap.
fn linker(engine: &Engine) -> Option<Linker<()>> {
    let mut linker = Linker::new(engine);
    const WASI: &str = "wasi_snapshot_preview1";
    linker
        .func_wrap(
            WASI,
            "fd_write",
            |mut caller: Caller<'_, ()>, _: i32, iovs: i32, count: i32, written: i32| -> i32 {
                let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                    return 8;
                };
                let mut total = 0u32;
                for i in 0..count.max(0) as usize {
                    let mut iov = [0u8; 8];
                    if memory
                        .read(&caller, iovs as usize + 8 * i, &mut iov)
                        .is_err()
                    {
                        return 21;
                    }
                    total += u32::from_le_bytes([iov[4], iov[5], iov[6], iov[7]]);
                }
                match memory.write(&mut caller, written as usize, &total.to_le_bytes()) {
                    Ok(()) => 0,
                    Err(_) => 21,
                }
            },
        )
        .ok()?;
    linker
        .func_wrap(
            WASI,
            "environ_sizes_get",
            |mut caller: Caller<'_, ()>, count: i32, size: i32| -> i32 {
                let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                    return 8;
                };
                let ok = memory.write(&mut caller, count as usize, &[0; 4]).is_ok()
                    && memory.write(&mut caller, size as usize, &[0; 4]).is_ok();
                if ok { 0 } else { 21 }
            },
        )
        .ok()?;
    linker
        .func_wrap(
            WASI,
            "environ_get",
            |_: Caller<'_, ()>, _: i32, _: i32| -> i32 { 0 },
        )
        .ok()?;
    linker
        .func_wrap(
            WASI,
            "proc_exit",
            |_: Caller<'_, ()>, code: i32| -> Result<(), wasmi::Error> {
                Err(wasmi::Error::i32_exit(code))
            },
        )
        .ok()?;
    Some(linker)
}

fn load(bytes: &[u8], stub_import: Option<(&str, &str)>) -> Option<Box<Loaded>> {
    let engine = Engine::default();
    let module = Module::new(&engine, bytes).ok()?;
    let mut store = Store::new(&engine, ());
    let mut linker = linker(&engine)?;
    if let Some((namespace, name)) = stub_import {
        // records_pure's import of records_effector: present, never called here.
        linker
            .func_wrap(
                namespace,
                name,
                |_: Caller<'_, ()>, _: i32| -> Result<(), wasmi::Error> {
                    Err(wasmi::Error::new("not linked"))
                },
            )
            .ok()?;
    }
    let instance = linker.instantiate_and_start(&mut store, &module).ok()?;
    if let Ok(init) = instance.get_typed_func::<(), ()>(&store, "_initialize") {
        init.call(&mut store, ()).ok()?;
    }
    let memory = instance.get_memory(&store, "memory")?;
    Some(Box::new(Loaded {
        store,
        instance,
        memory,
    }))
}

/// Loads a module from its wasm bytes; NULL if it does not load.
///
/// # Safety
///
/// `bytes` points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmi_only_load(bytes: *const u8, len: usize) -> *mut Loaded {
    // SAFETY: the caller's bytes.
    let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
    load(bytes, None).map_or(core::ptr::null_mut(), Box::into_raw)
}

/// Loads records_pure with its import of records_effector stubbed; NULL if it does not load.
///
/// # Safety
///
/// `bytes` points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmi_only_load_importer(bytes: *const u8, len: usize) -> *mut Loaded {
    // SAFETY: the caller's bytes.
    let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
    load(bytes, Some(("records_effector", "mutate_struct")))
        .map_or(core::ptr::null_mut(), Box::into_raw)
}

/// The module's linear memory in bytes.
///
/// # Safety
///
/// `loaded` is from `wasmi_only_load*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmi_only_memory_bytes(loaded: *const Loaded) -> usize {
    // SAFETY: a live module.
    let loaded = unsafe { &*loaded };
    loaded.memory.data_size(&loaded.store)
}

/// Calls greeting's `greeting(name)` through Marine's ABI by hand and copies the answer to
/// `out`; its length, or -1 on failure.
///
/// # Safety
///
/// `loaded` is from `wasmi_only_load`; `name` points to `name_len` bytes, `out` to `capacity`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmi_only_greeting(
    loaded: *mut Loaded,
    name: *const u8,
    name_len: usize,
    out: *mut u8,
    capacity: usize,
) -> isize {
    // SAFETY: a live module and the caller's buffers.
    let (loaded, name, out) = unsafe {
        (
            &mut *loaded,
            core::slice::from_raw_parts(name, name_len),
            core::slice::from_raw_parts_mut(out, capacity),
        )
    };
    greeting(loaded, name, out).unwrap_or(-1)
}

fn greeting(loaded: &mut Loaded, name: &[u8], out: &mut [u8]) -> Option<isize> {
    let Loaded {
        store,
        instance,
        memory,
    } = loaded;
    let func = |name| {
        instance
            .get_export(&*store, name)
            .and_then(Extern::into_func)
    };
    let allocate: TypedFunc<(i32, i32), i32> = func("allocate")?.typed(&*store).ok()?;
    let greeting: TypedFunc<(i32, i32), ()> = func("greeting")?.typed(&*store).ok()?;
    let result_ptr: TypedFunc<(), i32> = func("get_result_ptr")?.typed(&*store).ok()?;
    let result_size: TypedFunc<(), i32> = func("get_result_size")?.typed(&*store).ok()?;
    let release: TypedFunc<(), ()> = func("release_objects")?.typed(&*store).ok()?;
    let len = i32::try_from(name.len()).ok()?;
    let ptr = allocate.call(&mut *store, (len, 0)).ok()?;
    memory.write(&mut *store, ptr as usize, name).ok()?;
    greeting.call(&mut *store, (ptr, len)).ok()?;
    let (at, size) = (
        result_ptr.call(&mut *store, ()).ok()? as usize,
        result_size.call(&mut *store, ()).ok()? as usize,
    );
    memory.read(&*store, at, out.get_mut(..size)?).ok()?;
    release.call(&mut *store, ()).ok()?;
    isize::try_from(size).ok()
}

/// Frees a loaded module.
///
/// # Safety
///
/// `loaded` is from `wasmi_only_load*` and not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmi_only_free(loaded: *mut Loaded) {
    // SAFETY: made by `Box::into_raw` above.
    drop(unsafe { Box::from_raw(loaded) });
}
