//! A record nested as deep as a test needs: the module that echoes it (WAT with inline IT)
//! and its value as JSON text and as an [`IValue`], shared by the library and CLI scenarios.

use strait::IValue;

/// A module with inline IT whose `echo` takes and returns a record nested `levels` deep:
/// `R0 { v: s32 }`, `Rk { next: Rk-1 }`. Its bump allocator starts over at `release_objects`.
pub fn deep_record_module(levels: usize) -> Vec<u8> {
    let mut wat = String::from(
        r#"(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $result_ptr (mut i32) (i32.const 0))
  (global $result_size (mut i32) (i32.const 0))
  (func (export "allocate") (param $size i32) (param $tag i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (if (i64.gt_u
          (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $size)))
          (i64.const 65536))
      (then unreachable))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))
  (func (export "release_objects") (global.set $heap (i32.const 1024)))
  (func (export "get_result_size") (result i32) (global.get $result_size))
  (func (export "get_result_ptr") (result i32) (global.get $result_ptr))
  (func (export "set_result_size") (param i32) (global.set $result_size (local.get 0)))
  (func (export "set_result_ptr") (param i32) (global.set $result_ptr (local.get 0)))
  ;; echo(record): the record it was given is its result.
  (func (export "echo") (param $record i32) (global.set $result_ptr (local.get $record)))
  (@custom "__fluence_sdk_version" "0.14.0")
)
(@interface it_version "0.28.0")
(@interface type (func (param $size: i32) (result i32)))   ;; 0
(@interface type (func))   ;; 1
(@interface type (func (result i32)))   ;; 2
(@interface type (func (result i32)))   ;; 3
(@interface type (func (param $result_size: i32)))   ;; 4
(@interface type (func (param $result_ptr: i32)))   ;; 5
(@interface type (record $R0 ( field $v: s32 )))   ;; 6
"#,
    );
    for k in 1..levels {
        wat.push_str(&format!(
            "(@interface type (record $R{k} ( field $next: record {} )))\n",
            5 + k
        ));
    }
    let outer = 5 + levels;
    let (adapter, core) = (outer + 1, outer + 2);
    for _ in 0..2 {
        wat.push_str(&format!(
            "(@interface type (func (param $r: record {outer}) (result record {outer})))\n"
        ));
    }
    wat.push_str(&format!(
        r#"(@interface func (type {adapter})
  arg.get 0
  record.lower_memory {outer}
  call-core 6
  call-core 3
  record.lift_memory {outer}
  call-core 1)
(@interface export "allocate" (func 0))
(@interface export "release_objects" (func 1))
(@interface export "get_result_size" (func 2))
(@interface export "get_result_ptr" (func 3))
(@interface export "set_result_size" (func 4))
(@interface export "set_result_ptr" (func 5))
(@interface export "echo" (func {core}))
(@interface implement (func {core}) (func {adapter}))
"#
    ));
    wat.into_bytes()
}

/// The JSON text and the value of a record `levels` deep (`deep_record_module`) holding `v`.
pub fn deep_record(levels: usize, v: i32) -> (String, IValue) {
    let text = format!(
        "{}{{\"v\":{v}}}{}",
        "{\"next\":".repeat(levels - 1),
        "}".repeat(levels - 1)
    );
    let mut value = IValue::Record(vec![IValue::S32(v)]);
    for _ in 1..levels {
        value = IValue::Record(vec![value]);
    }
    (text, value)
}
