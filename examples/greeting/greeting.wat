;; greeting: a hand-written Marine module with one exported function
;;
;;     greeting(name: string) -> string        returns "Hi, " + name
;;
;; It follows the module ABI that marine-rs-sdk modules follow (shared/spec/abi.md):
;; it exports `memory`, the six ABI functions (allocate, release_objects,
;; get_result_size, get_result_ptr, set_result_size, set_result_ptr) and the user
;; function with its flattened signature `greeting(ptr: i32, len: i32) -> ()`; the
;; string result is published through the result slots. The IT section is written
;; inline as `(@interface …)` annotations at the end of the file (the `wat` crate
;; skips them, strait's IT text parser reads them) and mirrors the one of the real
;; greeting module built with marine-rs-sdk 0.14.
(module
  ;; Memory layout:
  ;;   0 .. 16      never handed out (so no allocation is ever at address 0)
  ;;   16 ..        static data
  ;;   1024 ..      heap of the bump allocator, grows with memory.grow
  (memory (export "memory") 2)

  (data (i32.const 16) "Hi, ")

  ;; Next free byte of the heap. Only ever moves forward.
  (global $heap (mut i32) (i32.const 1024))
  ;; The result slots (abi.md §6).
  (global $result_ptr (mut i32) (i32.const 0))
  (global $result_size (mut i32) (i32.const 0))

  ;; allocate(size, type_tag) -> ptr: bump allocation, 8-byte aligned, never 0.
  ;; The tag is ignored: every buffer is a plain byte range here. Traps when the
  ;; request cannot be satisfied (the runtime reports the failed allocation).
  (func $allocate (export "allocate") (param $size i32) (param $tag i32) (result i32)
    (local $ptr i32)
    (local $end i64)
    (local $pages i64)
    ;; ptr = align_up(heap, 8)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    ;; end = ptr + size, computed in 64 bits so that it cannot wrap
    (local.set $end
      (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $size))))
    (if (i64.ge_u (local.get $end) (i64.const 0x1_0000_0000))
      (then unreachable))
    ;; grow the memory if the region does not fit
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

  ;; release_objects(): the bump allocator never frees, so there is nothing to drop.
  (func $release_objects (export "release_objects"))

  (func $get_result_size (export "get_result_size") (result i32)
    (global.get $result_size))
  (func $get_result_ptr (export "get_result_ptr") (result i32)
    (global.get $result_ptr))
  (func $set_result_size (export "set_result_size") (param $size i32)
    (global.set $result_size (local.get $size)))
  (func $set_result_ptr (export "set_result_ptr") (param $ptr i32)
    (global.set $result_ptr (local.get $ptr)))

  ;; greeting(name_ptr, name_len): builds "Hi, " + name in a fresh buffer and
  ;; publishes it through the result slots.
  (func $greeting (export "greeting") (param $name_ptr i32) (param $name_len i32)
    (local $out i32)
    (local $len i32)
    (local.set $len (i32.add (i32.const 4) (local.get $name_len)))
    (local.set $out (call $allocate (local.get $len) (i32.const 1)))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 4))
    (memory.copy
      (i32.add (local.get $out) (i32.const 4)) (local.get $name_ptr) (local.get $name_len))
    (global.set $result_ptr (local.get $out))
    (global.set $result_size (local.get $len)))

  (@custom "__fluence_sdk_version" "0.14.0")

  ;; ---------------------------------------------------------------------------
  ;; Interface-types section (it-section.md §4, laid out as §5 says).
  (@interface it_version "0.28.0")

  ;; Types
  ;; 0..5: the ABI functions (allocate's IT type has one parameter, as the
  ;; toolchain writes it; the runtime uses the wasm signature).
  (@interface type (func
    (param $size: i32)
    (result i32)))   ;; 0
  (@interface type (func))   ;; 1
  (@interface type (func
    (result i32)))   ;; 2
  (@interface type (func
    (result i32)))   ;; 3
  (@interface type (func
    (param $result_size: i32)))   ;; 4
  (@interface type (func
    (param $result_ptr: i32)))   ;; 5
  ;; 6..10: the SDK's own records (marine-rs-sdk 0.14), present in every module
  ;; it builds; nothing in this module uses them.
  (@interface type (record $SecurityTetraplet (
   field $peer_pk: string
   field $service_id: string
   field $function_name: string
   field $lens: string
  )))   ;; 6
  (@interface type (record $ParticleParameters (
   field $id: string
   field $init_peer_id: string
   field $timestamp: u64
   field $ttl: u32
   field $script: string
   field $signature: byte_array
   field $token: string
  )))   ;; 7
  (@interface type (record $CallParameters (
   field $particle: record 7
   field $service_id: string
   field $service_creator_peer_id: string
   field $host_id: string
   field $worker_id: string
   field $tetraplets: array (array (record 6))
  )))   ;; 8
  (@interface type (record $MountedBinaryResult (
   field $ret_code: s32
   field $error: string
   field $stdout: byte_array
   field $stderr: byte_array
  )))   ;; 9
  (@interface type (record $MountedBinaryStringResult (
   field $ret_code: s32
   field $error: string
   field $stdout: string
   field $stderr: string
  )))   ;; 10
  ;; 11 = adapter type, 12 = "core" type of the exported `greeting`
  (@interface type (func
    (param $name: string)
    (result string)))   ;; 11
  (@interface type (func
    (param $name: string)
    (result string)))   ;; 12

  ;; Adapters
  ;; call-core indices: 0..5 the ABI exports, 6 = greeting.
  (@interface func (type 11)
    arg.get 0
    string.size
    i32.push 1
    call-core 0
    arg.get 0
    string.lower_memory
    call-core 6
    call-core 3
    call-core 2
    string.lift_memory
    call-core 1)

  ;; Exports
  (@interface export "allocate" (func 0))
  (@interface export "release_objects" (func 1))
  (@interface export "get_result_size" (func 2))
  (@interface export "get_result_ptr" (func 3))
  (@interface export "set_result_size" (func 4))
  (@interface export "set_result_ptr" (func 5))
  (@interface export "greeting" (func 12))

  ;; Implementations
  (@interface implement (func 12) (func 11))
)
