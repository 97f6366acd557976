;; facade: the service's entry point; chains the two other modules.
;;
;;     get_n_save(url: string, file_name: string) -> string
;;         downloads url with curl_adapter.download and stores the text with
;;         local_storage.put(file_name, bytes); returns put's result ("Ok" or an error text)
;;
;; Calls into other modules are plain wasm imports named after the exporting module;
;; the IT section declares them (three types each, it-section.md §5.1) and gives each an
;; import adapter. A string result comes back into this module through its own
;; `allocate`, `set_result_size` and `set_result_ptr`, which the runtime calls before the
;; import returns; the module reads its result slots right after the call.
;;
;; Wasm exports: memory, the six ABI functions, get_n_save(i32 i32 i32 i32) (result
;; through the result slots). Imports: curl_adapter::download(i32 i32),
;; local_storage::put(i32 i32 i32 i32), __marine_host_api_v1::log_utf8_string.
(module
  (import "curl_adapter" "download"
    (func $download (param i32 i32)))
  (import "local_storage" "put"
    (func $put (param i32 i32 i32 i32)))
  ;; log_utf8_string(level, target, msg_ptr, msg_len); level 3 = info, target 0 = always
  (import "__marine_host_api_v1" "log_utf8_string"
    (func $log_utf8_string (param i32 i32 i32 i32)))

  ;; Memory layout:
  ;;   0 .. 16      never handed out
  ;;   16 .. 1024   static strings
  ;;   1024 ..      heap of the bump allocator
  (memory (export "memory") 2)

  (data (i32.const 16) "get_n_save called with ")   ;; 23

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
  ;; ---- exported function -----------------------------------------------------

  ;; get_n_save(url_ptr, url_len, file_name_ptr, file_name_len); result: string
  (func $get_n_save (export "get_n_save")
    (param $url_ptr i32) (param $url_len i32)
    (param $file_name_ptr i32) (param $file_name_len i32)
    (local $msg i32)
    (local $msg_len i32)
    (local $body_ptr i32)
    (local $body_len i32)

    ;; log "get_n_save called with <url> <file_name>" (info, target 0)
    (local.set $msg_len
      (i32.add (i32.const 24) (i32.add (local.get $url_len) (local.get $file_name_len))))
    (local.set $msg (call $allocate (local.get $msg_len) (i32.const 1)))
    (memory.copy (local.get $msg) (i32.const 16) (i32.const 23))
    (memory.copy
      (i32.add (local.get $msg) (i32.const 23)) (local.get $url_ptr) (local.get $url_len))
    (i32.store8
      (i32.add (local.get $msg) (i32.add (i32.const 23) (local.get $url_len)))
      (i32.const 0x20))   ;; ' '
    (memory.copy
      (i32.add (local.get $msg) (i32.add (i32.const 24) (local.get $url_len)))
      (local.get $file_name_ptr) (local.get $file_name_len))
    (call $log_utf8_string (i32.const 3) (i32.const 0) (local.get $msg) (local.get $msg_len))

    ;; body = curl_adapter.download(url): the string arrives in the result slots
    (call $download (local.get $url_ptr) (local.get $url_len))
    (local.set $body_ptr (global.get $result_ptr))
    (local.set $body_len (global.get $result_size))

    ;; local_storage.put(file_name, body): its string result arrives in the result
    ;; slots too, where it stays as this function's own result
    (call $put
      (local.get $file_name_ptr) (local.get $file_name_len)
      (local.get $body_ptr) (local.get $body_len)))

  (@custom "__fluence_sdk_version" "0.14.0")

  ;; ---------------------------------------------------------------------------
  ;; Interface-types section (it-section.md §4, laid out as §5 says). The host import
  ;; (namespace __marine_host_api_v1) has no entry here: the runtime provides it.
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
  ;; layout); nothing in this module uses them.
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
  ;; 10 = adapter type, 11 = "core" type of the exported `get_n_save`
  (@interface type (func
    (param $url: string $file_name: string)
    (result string)))   ;; 10
  (@interface type (func
    (param $url: string $file_name: string)
    (result string)))   ;; 11
  ;; imported curl_adapter.download: 12 = IT-level signature, 13 = raw (flattened)
  ;; signature = adapter type, 14 = the same raw signature = core type
  (@interface type (func
    (param $url: string)
    (result string)))   ;; 12
  (@interface type (func
    (param $url_ptr: i32 $url_len: i32)))   ;; 13
  (@interface type (func
    (param $url_ptr: i32 $url_len: i32)))   ;; 14
  ;; imported local_storage.put: 15 = IT-level, 16 = raw adapter type, 17 = raw core type
  (@interface type (func
    (param $name: string $file_content: byte_array)
    (result string)))   ;; 15
  (@interface type (func
    (param $name_ptr: i32 $name_len: i32 $file_content_ptr: i32 $file_content_len: i32)))   ;; 16
  (@interface type (func
    (param $name_ptr: i32 $name_len: i32 $file_content_ptr: i32 $file_content_len: i32)))   ;; 17

  ;; Imports (two entries per imported function: IT-level type, raw core type)
  (@interface import "curl_adapter" "download" (func (type 12)))
  (@interface import "curl_adapter" "download" (func (type 14)))
  (@interface import "local_storage" "put" (func (type 15)))
  (@interface import "local_storage" "put" (func (type 17)))

  ;; Adapters
  ;; call-core indices: 0..5 the ABI exports, 6 = get_n_save (the 7 exports), then the
  ;; adapted imports in import order: 7 = curl_adapter.download, 8 = local_storage.put.
  ;; Export adapter of get_n_save.
  (@interface func (type 10)
    arg.get 0
    string.size
    i32.push 1
    call-core 0
    arg.get 0
    string.lower_memory
    arg.get 1
    string.size
    i32.push 1
    call-core 0
    arg.get 1
    string.lower_memory
    call-core 6
    call-core 3
    call-core 2
    string.lift_memory
    call-core 1)
  ;; Import adapter of curl_adapter.download: lift the argument out of this module, free
  ;; the importer's argument objects (call-core 1), call, lower the string result back
  ;; into this module and set its result slots.
  (@interface func (type 13)
    arg.get 0
    arg.get 1
    string.lift_memory
    call-core 1
    call-core 7
    dup
    string.size
    i32.push 1
    call-core 0
    swap2
    string.lower_memory
    call-core 4
    call-core 5)
  ;; Import adapter of local_storage.put.
  (@interface func (type 16)
    arg.get 0
    arg.get 1
    string.lift_memory
    arg.get 2
    arg.get 3
    byte_array.lift_memory
    call-core 1
    call-core 8
    dup
    string.size
    i32.push 1
    call-core 0
    swap2
    string.lower_memory
    call-core 4
    call-core 5)

  ;; Exports
  (@interface export "allocate" (func 0))
  (@interface export "release_objects" (func 1))
  (@interface export "get_result_size" (func 2))
  (@interface export "get_result_ptr" (func 3))
  (@interface export "set_result_size" (func 4))
  (@interface export "set_result_ptr" (func 5))
  (@interface export "get_n_save" (func 11))

  ;; Implementations
  (@interface implement (func 11) (func 10))
  (@interface implement (func 14) (func 13))
  (@interface implement (func 17) (func 16))
)
