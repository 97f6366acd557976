;; curl_adapter: downloads a URL with the host's curl, mounted as a binary.
;;
;;     download(url: string) -> string       the standard output of `curl -s <url>`
;;
;; The module calls the host import `__marine_host_api_v1::curl(args_ptr, args_count)`,
;; whose argument is an array(string) in this module's memory (a table of (ptr, len)
;; pairs) and whose result, a MountedBinaryResult record (28 bytes, packed:
;; ret_code: s32 @0, error: string @4, stdout: byte_array @12, stderr: byte_array @20),
;; the host writes into this memory through `allocate` and hands over with
;; `set_result_ptr` (abi.md §11). The stdout bytes become the string result as they
;; are (the real module panics on non-UTF-8 output; here the runtime's string.lift_memory
;; reports it instead).
;;
;; Wasm exports: memory, the six ABI functions, download(i32 i32) (result through the
;; result slots). Imports: `__marine_host_api_v1::curl` and `::log_utf8_string`.
(module
  (import "__marine_host_api_v1" "curl"
    (func $curl (param i32 i32)))
  ;; log_utf8_string(level, target, msg_ptr, msg_len); level 3 = info, target 0 = always
  (import "__marine_host_api_v1" "log_utf8_string"
    (func $log_utf8_string (param i32 i32 i32 i32)))

  ;; Memory layout:
  ;;   0 .. 16      never handed out
  ;;   16 .. 1024   static strings
  ;;   1024 ..      heap of the bump allocator
  (memory (export "memory") 2)

  (data (i32.const 16) "-s")                             ;; 2
  (data (i32.const 32) "download called with url ")      ;; 25

  (global $heap (mut i32) (i32.const 1024))
  (global $result_ptr (mut i32) (i32.const 0))
  (global $result_size (mut i32) (i32.const 0))

  ;; ---- ABI -------------------------------------------------------------------

  ;; allocate(size, type_tag) -> ptr: bump allocation, 8-byte aligned, never 0,
  ;; grows the memory when needed, traps when it cannot.
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

  ;; release_objects(): nothing is ever freed by the bump allocator.
  (func $release_objects (export "release_objects"))

  (func $get_result_size (export "get_result_size") (result i32)
    (global.get $result_size))
  (func $get_result_ptr (export "get_result_ptr") (result i32)
    (global.get $result_ptr))
  (func $set_result_size (export "set_result_size") (param $size i32)
    (global.set $result_size (local.get $size)))
  (func $set_result_ptr (export "set_result_ptr") (param $ptr i32)
    (global.set $result_ptr (local.get $ptr)))
  ;; ---- helpers ---------------------------------------------------------------

  ;; Logs prefix + text at level info (3), target 0.
  (func $log_info (param $prefix_ptr i32) (param $prefix_len i32)
                  (param $text_ptr i32) (param $text_len i32)
    (local $buf i32)
    (local $len i32)
    (local.set $len (i32.add (local.get $prefix_len) (local.get $text_len)))
    (local.set $buf (call $allocate (local.get $len) (i32.const 1)))
    (memory.copy (local.get $buf) (local.get $prefix_ptr) (local.get $prefix_len))
    (memory.copy
      (i32.add (local.get $buf) (local.get $prefix_len))
      (local.get $text_ptr) (local.get $text_len))
    (call $log_utf8_string (i32.const 3) (i32.const 0) (local.get $buf) (local.get $len)))

  ;; ---- exported function -----------------------------------------------------

  ;; download(url_ptr, url_len); result: string
  (func $download (export "download") (param $url_ptr i32) (param $url_len i32)
    (local $args i32)
    (local $record i32)
    (call $log_info (i32.const 32) (i32.const 25) (local.get $url_ptr) (local.get $url_len))
    ;; args = ["-s", url]: two (ptr, len) pairs, the layout of an array(string)
    (local.set $args (call $allocate (i32.const 16) (i32.const 3)))
    (i32.store offset=0 (local.get $args) (i32.const 16))
    (i32.store offset=4 (local.get $args) (i32.const 2))
    (i32.store offset=8 (local.get $args) (local.get $url_ptr))
    (i32.store offset=12 (local.get $args) (local.get $url_len))
    ;; the host delivers the MountedBinaryResult through set_result_ptr
    (global.set $result_ptr (i32.const 0))
    (call $curl (local.get $args) (i32.const 2))
    (local.set $record (global.get $result_ptr))
    (if (i32.eqz (local.get $record))
      (then unreachable))   ;; the host returned no record
    ;; result = stdout (ptr @12, len @16)
    (global.set $result_ptr (i32.load offset=12 (local.get $record)))
    (global.set $result_size (i32.load offset=16 (local.get $record))))

  (@custom "__fluence_sdk_version" "0.14.0")

  ;; ---------------------------------------------------------------------------
  ;; Interface-types section (it-section.md §4, laid out as §5 says). The host imports
  ;; (namespace __marine_host_api_v1) have no entries here: the runtime provides them.
  (@interface it_version "0.28.0")

  ;; Types
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
  ;; 6..9: the SDK's own records, as in the real url-downloader modules (host API v1
  ;; layout); nothing in the IT section uses them (MountedBinaryResult, 8, is the
  ;; layout the host writes, read by hand above).
  (@interface type (record $SecurityTetraplet (
   field $peer_pk: string
   field $service_id: string
   field $function_name: string
   field $json_path: string
  )))   ;; 6
  (@interface type (record $CallParameters (
   field $init_peer_id: string
   field $service_id: string
   field $service_creator_peer_id: string
   field $host_id: string
   field $worker_id: string
   field $particle_id: string
   field $tetraplets: array (array (record 6))
  )))   ;; 7
  (@interface type (record $MountedBinaryResult (
   field $ret_code: s32
   field $error: string
   field $stdout: byte_array
   field $stderr: byte_array
  )))   ;; 8
  (@interface type (record $MountedBinaryStringResult (
   field $ret_code: s32
   field $error: string
   field $stdout: string
   field $stderr: string
  )))   ;; 9
  ;; 10 = adapter type, 11 = "core" type of `download`
  (@interface type (func
    (param $url: string)
    (result string)))   ;; 10
  (@interface type (func
    (param $url: string)
    (result string)))   ;; 11

  ;; Adapters
  ;; call-core indices: 0..5 the ABI exports, 6 = download.
  (@interface func (type 10)
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
  (@interface export "download" (func 11))

  ;; Implementations
  (@interface implement (func 11) (func 10))
)
