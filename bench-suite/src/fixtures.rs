//! Generated WAT modules for the cost-growth sweeps, and the values they are called with.
//!
//! Each module follows the module ABI (`spec/abi.md`): `memory`, the six ABI functions (wasm
//! functions 0–5, so `call-core` indices match), one user function (wasm function 6) and the
//! IT section inline as `(@interface …)` annotations. The user function echoes its argument:
//! it publishes the pointer (and count) it was given through the result slots, so a call is
//! pure lowering and lifting. `allocate` is a bump allocator and `release_objects` resets it,
//! so memory stays bounded over millions of calls: the host calls `release_objects` after
//! lifting the result, when nothing handed out is in use any more.
//!
//! - [`record_tree_wat`]: `echo(r: record) -> record` over a record with `leaves` scalar
//!   leaves: one flat record up to [`LEAF_FIELDS`] fields, above that a tree with four
//!   records per level over leaf records of [`LEAF_FIELDS`] fields (Marine's IT decoder
//!   misreads lists of 128 or more items, so no record may have that many fields).
//! - [`record_array_wat`]: `echo_array(records: array(record TestRecord)) -> array(...)`,
//!   with Marine's 13-field `TestRecord` (scalars, a string and a byte array) as element.
//!
//! [`to_wasm`] turns a module into the wasm binary Marine loads (IT section embedded), so
//! strait and the Marine harness (`bench-suite/marine`) load the same bytes; the
//! `bench-fixtures` binary writes them to a directory. The Marine harness builds the same
//! argument values as [`record_tree_value`] and [`record_array_value`] (field `k` holds
//! [`leaf_value`]`(k)`).

use std::borrow::Cow;
use std::fmt::Write as _;

use strait::{IType, IValue};
use wasm_encoder::{CustomSection, Encode, Section as _};

/// Fields of a leaf record in [`record_tree_wat`] (and the largest flat record).
pub const LEAF_FIELDS: usize = 64;

/// Records per inner record of the tree: each level multiplies the leaves by this.
pub const FAN_OUT: usize = 4;

/// The leaf counts of the record sweep: Marine's `TestRecord` size, then 64 × 4ᵏ up to 65,536.
pub const RECORD_LEAVES: [usize; 7] = [13, 64, 256, 1024, 4096, 16384, 65536];

/// The element counts of the array-of-records sweep.
pub const ARRAY_LENGTHS: [usize; 5] = [1, 10, 100, 1000, 10_000];

/// The string sizes of the string sweep (bytes): 1 B to 1 MiB in powers of 16.
pub const STRING_SIZES: [usize; 6] = [1, 16, 256, 4096, 65536, 1 << 20];

/// The scalar types of the leaves, in the order field `k` takes `SCALARS[k % 13]`: every
/// scalar IT type once.
pub const SCALARS: [IType; 13] = [
    IType::Boolean,
    IType::S8,
    IType::S16,
    IType::S32,
    IType::S64,
    IType::U8,
    IType::U16,
    IType::U32,
    IType::U64,
    IType::F32,
    IType::F64,
    IType::I32,
    IType::I64,
];

/// The wasm side every fixture shares: memory, globals, the six ABI functions as wasm
/// functions 0–5, and the SDK version section. `release_objects` resets the heap.
const ABI_WAT: &str = r#"
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 1024))
  (global $result_ptr (mut i32) (i32.const 0))
  (global $result_size (mut i32) (i32.const 0))

  ;; allocate(size, type_tag) -> ptr: bump allocation, 8-byte aligned, never 0; grows the
  ;; memory when needed and traps when it cannot.
  (func $allocate (export "allocate") (param $size i32) (param $tag i32) (result i32)
    (local $ptr i32)
    (local $end i64)
    (local $pages i64)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end
      (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $size))))
    (if (i64.ge_u (local.get $end) (i64.const 0x1_0000_0000))
      (then unreachable))
    (local.set $pages
      (i64.shr_u (i64.add (local.get $end) (i64.const 0xffff)) (i64.const 16)))
    (if (i64.gt_u (local.get $pages) (i64.extend_i32_u (memory.size)))
      (then
        (if (i32.eq
              (memory.grow
                (i32.wrap_i64
                  (i64.sub (local.get $pages) (i64.extend_i32_u (memory.size)))))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (i32.wrap_i64 (local.get $end)))
    (local.get $ptr))
  ;; release_objects(): the host has lifted the result; everything handed out is free again.
  (func $release_objects (export "release_objects")
    (global.set $heap (i32.const 1024)))
  (func $get_result_size (export "get_result_size") (result i32)
    (global.get $result_size))
  (func $get_result_ptr (export "get_result_ptr") (result i32)
    (global.get $result_ptr))
  (func $set_result_size (export "set_result_size") (param $size i32)
    (global.set $result_size (local.get $size)))
  (func $set_result_ptr (export "set_result_ptr") (param $ptr i32)
    (global.set $result_ptr (local.get $ptr)))
  (@custom "__fluence_sdk_version" "0.14.0")
"#;

/// The IT types 0–5 of the ABI functions, as marine-rs-sdk writes them.
const ABI_IT_TYPES: &str = r#"
  (@interface it_version "0.28.0")
  (@interface type (func (param $size: i32) (result i32)))   ;; 0
  (@interface type (func))                                    ;; 1
  (@interface type (func (result i32)))                       ;; 2
  (@interface type (func (result i32)))                       ;; 3
  (@interface type (func (param $result_size: i32)))          ;; 4
  (@interface type (func (param $result_ptr: i32)))           ;; 5
"#;

/// The IT exports of the six ABI functions.
const ABI_IT_EXPORTS: &str = r#"
  (@interface export "allocate" (func 0))
  (@interface export "release_objects" (func 1))
  (@interface export "get_result_size" (func 2))
  (@interface export "get_result_ptr" (func 3))
  (@interface export "set_result_size" (func 4))
  (@interface export "set_result_ptr" (func 5))
"#;

/// The shape of a record tree with `leaves` leaves: the leaf record's field count and the
/// number of levels of [`FAN_OUT`] records above it. `None` for a count the sweep cannot
/// build (0, or above [`LEAF_FIELDS`] and not [`LEAF_FIELDS`] × [`FAN_OUT`]ᵏ).
pub fn tree_shape(leaves: usize) -> Option<(usize, u32)> {
    if (1..=LEAF_FIELDS).contains(&leaves) {
        return Some((leaves, 0));
    }
    let mut size = LEAF_FIELDS;
    let mut levels = 0;
    while size < leaves {
        size = size.checked_mul(FAN_OUT)?;
        levels += 1;
    }
    (size == leaves).then_some((LEAF_FIELDS, levels))
}

/// The IT text of scalar type `ty` (one of [`SCALARS`]).
fn scalar_text(ty: &IType) -> &'static str {
    match ty {
        IType::Boolean => "bool",
        IType::S8 => "s8",
        IType::S16 => "s16",
        IType::S32 => "s32",
        IType::S64 => "s64",
        IType::U8 => "u8",
        IType::U16 => "u16",
        IType::U32 => "u32",
        IType::U64 => "u64",
        IType::F32 => "f32",
        IType::F64 => "f64",
        IType::I32 => "i32",
        _ => "i64",
    }
}

/// The value of leaf field `k`: of type `SCALARS[k % 13]`, derived from `k` so that a
/// wrong field order shows.
pub fn leaf_value(k: usize) -> IValue {
    // Truncation is the point: each type gets the low bits of the field number.
    #[allow(clippy::cast_possible_truncation, reason = "low bits of k, on purpose")]
    match k % SCALARS.len() {
        0 => IValue::Boolean(k % 2 == 1),
        1 => IValue::S8((k as i8).wrapping_neg()),
        2 => IValue::S16((k as i16).wrapping_neg()),
        3 => IValue::S32((k as i32).wrapping_neg()),
        4 => IValue::S64((k as i64).wrapping_neg()),
        5 => IValue::U8(k as u8),
        6 => IValue::U16(k as u16),
        7 => IValue::U32(k as u32),
        8 => IValue::U64(k as u64),
        9 => IValue::F32(k as f32 + 0.5),
        10 => IValue::F64(k as f64 + 0.25),
        11 => IValue::I32(k as i32),
        _ => IValue::I64(k as i64),
    }
}

/// The module `echo(r: record) -> record` for a record tree of `leaves` leaves (see the
/// module docs); `None` when [`tree_shape`] is.
pub fn record_tree_wat(leaves: usize) -> Option<String> {
    let (leaf_fields, levels) = tree_shape(leaves)?;
    let mut wat = String::from("(module");
    wat.push_str(ABI_WAT);
    wat.push_str(
        "  ;; echo(r): the record comes back as it went in\n  \
         (func $echo (export \"echo\") (param $r i32)\n    \
         (global.set $result_ptr (local.get $r)))\n",
    );
    wat.push_str(ABI_IT_TYPES);
    // Type 6 is the leaf record, 6 + i the record of level i, 6 + levels the top one.
    let mut leaf = String::from("  (@interface type (record $Leaf (\n");
    for k in 0..leaf_fields {
        let _ = writeln!(leaf, "   field $f{k}: {}", scalar_text(&SCALARS[k % 13]));
    }
    leaf.push_str("  )))   ;; 6\n");
    wat.push_str(&leaf);
    for level in 1..=levels {
        let _ = writeln!(wat, "  (@interface type (record $Level{level} (");
        for k in 0..FAN_OUT {
            let _ = writeln!(wat, "   field $r{k}: record {}", 5 + level);
        }
        let _ = writeln!(wat, "  )))   ;; {}", 6 + level);
    }
    let top = 6 + levels;
    let (adapter, core) = (top + 1, top + 2);
    for index in [adapter, core] {
        let _ = writeln!(
            wat,
            "  (@interface type (func (param $r: record {top}) (result record {top})))   ;; {index}"
        );
    }
    let _ = write!(
        wat,
        "  (@interface func (type {adapter})\n    arg.get 0\n    record.lower_memory {top}\n    \
         call-core 6\n    call-core 3\n    record.lift_memory {top}\n    call-core 1)\n"
    );
    wat.push_str(ABI_IT_EXPORTS);
    let _ = write!(
        wat,
        "  (@interface export \"echo\" (func {core}))\n  \
         (@interface implement (func {core}) (func {adapter}))\n)\n"
    );
    Some(wat)
}

/// The argument of [`record_tree_wat`]`(leaves)`: field `k` of every leaf record holds
/// [`leaf_value`]`(k)`; `None` when [`tree_shape`] is.
pub fn record_tree_value(leaves: usize) -> Option<IValue> {
    let (leaf_fields, levels) = tree_shape(leaves)?;
    let mut value = IValue::Record((0..leaf_fields).map(leaf_value).collect());
    for _ in 0..levels {
        value = IValue::Record(vec![value; FAN_OUT]);
    }
    Some(value)
}

/// Marine's `TestRecord` (13 fields: the eleven scalars, a string and a byte array), the
/// element of [`record_array_wat`].
const TEST_RECORD_IT: &str = r#"
  (@interface type (record $TestRecord (
   field $field_0: bool
   field $field_1: s8
   field $field_2: s16
   field $field_3: s32
   field $field_4: s64
   field $field_5: u8
   field $field_6: u16
   field $field_7: u32
   field $field_8: u64
   field $field_9: f32
   field $field_10: f64
   field $field_11: string
   field $field_12: byte_array
  )))   ;; 6
"#;

/// The module `echo_array(records: array(record TestRecord)) -> array(record TestRecord)`.
pub fn record_array_wat() -> String {
    let mut wat = String::from("(module");
    wat.push_str(ABI_WAT);
    wat.push_str(
        "  ;; echo_array(ptr, count): the array comes back as it went in\n  \
         (func $echo_array (export \"echo_array\") (param $ptr i32) (param $count i32)\n    \
         (global.set $result_ptr (local.get $ptr))\n    \
         (global.set $result_size (local.get $count)))\n",
    );
    wat.push_str(ABI_IT_TYPES);
    wat.push_str(TEST_RECORD_IT);
    wat.push_str(
        r#"  (@interface type (func (param $records: array (record 6)) (result array (record 6))))   ;; 7
  (@interface type (func (param $records: array (record 6)) (result array (record 6))))   ;; 8
  (@interface func (type 7)
    arg.get 0
    array.lower_memory record 6
    call-core 6
    call-core 3
    call-core 2
    array.lift_memory record 6
    call-core 1)
"#,
    );
    wat.push_str(ABI_IT_EXPORTS);
    wat.push_str(
        "  (@interface export \"echo_array\" (func 8))\n  \
         (@interface implement (func 8) (func 7))\n)\n",
    );
    wat
}

/// One `TestRecord` of the array sweep: element `i`'s scalars from [`leaf_value`], the
/// string `"record i"` and the bytes `[i, i+1, i+2, i+3]` (mod 256).
pub fn test_record(i: usize) -> IValue {
    // Field k has type SCALARS[k] for k < 11, as leaf_value(i * 13 + k) does.
    let mut fields: Vec<IValue> = (0..11).map(|k| leaf_value(i * 13 + k)).collect();
    fields.push(IValue::String(format!("record {i}")));
    #[allow(
        clippy::cast_possible_truncation,
        reason = "bytes modulo 256, on purpose"
    )]
    fields.push(IValue::ByteArray((0..4).map(|b| (i + b) as u8).collect()));
    IValue::Record(fields)
}

/// The argument of [`record_array_wat`]: `[test_record(0), …, test_record(len - 1)]`.
pub fn record_array_value(len: usize) -> IValue {
    IValue::Array((0..len).map(test_record).collect())
}

/// The wasm binary of a fixture module: its WAT compiled, with its `(@interface …)`
/// annotations encoded as the `interface-types` custom section, as `marine build` embeds it.
pub fn to_wasm(wat: &str) -> Result<Vec<u8>, String> {
    let mut wasm = wat::parse_str(wat).map_err(|e| format!("invalid WAT: {e}"))?;
    let section = strait_it::text::parse_annotations(wat)
        .map_err(|e| format!("invalid (@interface) annotations: {e}"))?;
    let payload = section
        .encode()
        .map_err(|e| format!("cannot encode the IT section: {e}"))?;
    let custom = CustomSection {
        name: Cow::Borrowed(strait_it::module::IT_SECTION_NAME),
        data: Cow::Owned(payload),
    };
    wasm.push(custom.id());
    custom.encode(&mut wasm);
    Ok(wasm)
}

/// A 64-bit FNV-1a digest of a value (variant tags, little-endian scalars, lengths, children
/// in order). The Marine harness computes the same over its own `IValue`s: equal digests show
/// both sides call with the same arguments.
pub fn fingerprint(value: &IValue) -> u64 {
    let mut hash = Fnv::default();
    hash.value(value);
    hash.0
}

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn tagged(&mut self, tag: u8, bytes: &[u8]) {
        self.bytes(&[tag]);
        self.bytes(bytes);
    }

    fn value(&mut self, value: &IValue) {
        match value {
            IValue::Boolean(v) => self.tagged(0, &[u8::from(*v)]),
            IValue::S8(v) => self.tagged(1, &v.to_le_bytes()),
            IValue::S16(v) => self.tagged(2, &v.to_le_bytes()),
            IValue::S32(v) => self.tagged(3, &v.to_le_bytes()),
            IValue::S64(v) => self.tagged(4, &v.to_le_bytes()),
            IValue::U8(v) => self.tagged(5, &v.to_le_bytes()),
            IValue::U16(v) => self.tagged(6, &v.to_le_bytes()),
            IValue::U32(v) => self.tagged(7, &v.to_le_bytes()),
            IValue::U64(v) => self.tagged(8, &v.to_le_bytes()),
            IValue::F32(v) => self.tagged(9, &v.to_bits().to_le_bytes()),
            IValue::F64(v) => self.tagged(10, &v.to_bits().to_le_bytes()),
            IValue::I32(v) => self.tagged(11, &v.to_le_bytes()),
            IValue::I64(v) => self.tagged(12, &v.to_le_bytes()),
            IValue::String(v) => {
                self.tagged(13, &(v.len() as u64).to_le_bytes());
                self.bytes(v.as_bytes());
            }
            IValue::ByteArray(v) => {
                self.tagged(14, &(v.len() as u64).to_le_bytes());
                self.bytes(v);
            }
            IValue::Array(items) => {
                self.tagged(15, &(items.len() as u64).to_le_bytes());
                items.iter().for_each(|item| self.value(item));
            }
            IValue::Record(fields) => {
                self.tagged(16, &(fields.len() as u64).to_le_bytes());
                fields.iter().for_each(|field| self.value(field));
            }
        }
    }
}
