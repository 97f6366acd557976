;; local_storage: stores files in the guest directory /sites (a WASI pre-opened directory,
;; mapped to a host directory by the module's `[module.wasi] mapped_dirs`).
;;
;;     put(name: string, file_content: byte_array) -> string
;;         writes the bytes to /sites/<name>; returns "Ok", or
;;         "file can't be written: errno N" (N = the WASI errno) on failure
;;     get(file_name: string) -> byte_array
;;         reads /sites/<file_name> back; returns the bytes of "error while reading file"
;;         on failure, like the real module
;;
;; Wasm exports: memory, the six ABI functions, put(i32 i32 i32 i32) and get(i32 i32);
;; both publish their result through the result slots (abi.md §4, §6).
;; Imports: WASI (fd_prestat_get, fd_prestat_dir_name, path_open, fd_write, fd_read,
;; fd_filestat_get, fd_close) and the host logger `__marine_host_api_v1::log_utf8_string`.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get"
    (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  ;; log_utf8_string(level, target, msg_ptr, msg_len); level 3 = info, target 0 = always
  (import "__marine_host_api_v1" "log_utf8_string"
    (func $log_utf8_string (param i32 i32 i32 i32)))

  ;; Memory layout:
  ;;   0 .. 16      never handed out
  ;;   16 .. 512    static strings
  ;;   512 .. 1024  scratch for WASI out-parameters
  ;;   1024 ..      heap of the bump allocator
  (memory (export "memory") 2)

  (data (i32.const 16) "sites")                                          ;; 5
  (data (i32.const 32) "Ok")                                             ;; 2
  (data (i32.const 48) "file can't be written: ")                        ;; 23
  (data (i32.const 80) "errno ")                                         ;; 6
  (data (i32.const 96) "failed to find a pre-opened directory /sites")   ;; 44
  (data (i32.const 160) "error while reading file")                      ;; 24
  (data (i32.const 192) "put called with file name ")                    ;; 26
  (data (i32.const 224) "get called with file name: ")                   ;; 27

  ;; scratch addresses
  ;;   512  prestat (8 bytes: u8 tag @0, u32 name length @4)
  ;;   520  iovec (u32 buf, u32 len)
  ;;   528  u32 bytes written / read
  ;;   532  u32 opened fd
  ;;   536  pre-opened directory name (at most 64 bytes)
  ;;   600  filestat (64 bytes, u64 size @32)

  (global $heap (mut i32) (i32.const 1024))
  (global $result_ptr (mut i32) (i32.const 0))
  (global $result_size (mut i32) (i32.const 0))
  ;; fd of the pre-opened "sites" directory, -1 until found
  (global $sites_fd (mut i32) (i32.const -1))

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

  (func $set_result (param $ptr i32) (param $len i32)
    (global.set $result_ptr (local.get $ptr))
    (global.set $result_size (local.get $len)))

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

  ;; Writes n in decimal at dst; returns the number of digits.
  (func $utoa (param $dst i32) (param $n i32) (result i32)
    (local $len i32)
    (local $t i32)
    (local $i i32)
    (local.set $t (local.get $n))
    (loop $count
      (local.set $len (i32.add (local.get $len) (i32.const 1)))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (br_if $count (local.get $t)))
    (local.set $i (local.get $len))
    (local.set $t (local.get $n))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8
        (i32.add (local.get $dst) (local.get $i))
        (i32.add (i32.const 48) (i32.rem_u (local.get $t) (i32.const 10))))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (br_if $digit (local.get $i)))
    (local.get $len))

  ;; Sets the result to "file can't be written: errno <errno>".
  (func $put_error (param $errno i32)
    (local $buf i32)
    (local $digits i32)
    (local.set $buf (call $allocate (i32.const 39) (i32.const 1)))
    (memory.copy (local.get $buf) (i32.const 48) (i32.const 23))
    (memory.copy (i32.add (local.get $buf) (i32.const 23)) (i32.const 80) (i32.const 6))
    (local.set $digits
      (call $utoa (i32.add (local.get $buf) (i32.const 29)) (local.get $errno)))
    (call $set_result (local.get $buf) (i32.add (i32.const 29) (local.get $digits))))

  ;; Sets the result to the bytes of "error while reading file".
  (func $get_error
    (call $set_result (i32.const 160) (i32.const 24)))

  ;; Is the pre-opened directory name at (ptr, len) "sites", "/sites", "./sites" or
  ;; "sites/" (the alias of `mapped_dirs = { "sites" = … }`, with or without slashes)?
  (func $is_sites (param $ptr i32) (param $len i32) (result i32)
    (local $i i32)
    ;; drop a leading "./"
    (if (i32.ge_u (local.get $len) (i32.const 2))
      (then
        (if (i32.eq (i32.load16_u (local.get $ptr)) (i32.const 0x2f2e))   ;; "./"
          (then
            (local.set $ptr (i32.add (local.get $ptr) (i32.const 2)))
            (local.set $len (i32.sub (local.get $len) (i32.const 2)))))))
    ;; drop leading slashes
    (block $lead_done
      (loop $lead
        (br_if $lead_done (i32.eqz (local.get $len)))
        (br_if $lead_done (i32.ne (i32.load8_u (local.get $ptr)) (i32.const 0x2f)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $lead)))
    ;; drop trailing slashes
    (block $trail_done
      (loop $trail
        (br_if $trail_done (i32.eqz (local.get $len)))
        (br_if $trail_done
          (i32.ne
            (i32.load8_u (i32.sub (i32.add (local.get $ptr) (local.get $len)) (i32.const 1)))
            (i32.const 0x2f)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $trail)))
    (if (i32.ne (local.get $len) (i32.const 5))
      (then (return (i32.const 0))))
    (block $differs
      (loop $cmp
        (br_if $differs
          (i32.ne
            (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
            (i32.load8_u (i32.add (i32.const 16) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $cmp (i32.lt_u (local.get $i) (i32.const 5))))
      (return (i32.const 1)))
    (i32.const 0))

  ;; Returns the fd of the pre-opened "sites" directory, or -1. Pre-opens are numbered
  ;; from 3 without gaps; the first fd that is not one ends the search.
  (func $find_sites (result i32)
    (local $fd i32)
    (local $len i32)
    (if (i32.ge_s (global.get $sites_fd) (i32.const 0))
      (then (return (global.get $sites_fd))))
    (local.set $fd (i32.const 3))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $fd) (i32.const 1024)))
        ;; a non-zero errno (EBADF) means no more pre-opens
        (br_if $done (call $fd_prestat_get (local.get $fd) (i32.const 512)))
        ;; tag 0 = directory
        (if (i32.eqz (i32.load8_u (i32.const 512)))
          (then
            (local.set $len (i32.load (i32.const 516)))
            (if (i32.le_u (local.get $len) (i32.const 64))
              (then
                (if (i32.eqz
                      (call $fd_prestat_dir_name
                        (local.get $fd) (i32.const 536) (local.get $len)))
                  (then
                    (if (call $is_sites (i32.const 536) (local.get $len))
                      (then
                        (global.set $sites_fd (local.get $fd))
                        (return (local.get $fd))))))))))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; ---- exported functions ----------------------------------------------------

  ;; put(name_ptr, name_len, content_ptr, content_len); result: string
  (func $put (export "put")
    (param $name_ptr i32) (param $name_len i32)
    (param $content_ptr i32) (param $content_len i32)
    (local $dir i32)
    (local $file i32)
    (local $errno i32)
    (local $p i32)
    (local $rem i32)
    (local $n i32)
    (call $log_info (i32.const 192) (i32.const 26) (local.get $name_ptr) (local.get $name_len))
    (local.set $dir (call $find_sites))
    (if (i32.lt_s (local.get $dir) (i32.const 0))
      (then
        (local.set $p (call $allocate (i32.const 67) (i32.const 1)))
        (memory.copy (local.get $p) (i32.const 48) (i32.const 23))
        (memory.copy (i32.add (local.get $p) (i32.const 23)) (i32.const 96) (i32.const 44))
        (call $set_result (local.get $p) (i32.const 67))
        (return)))
    ;; path_open(dirfd, dirflags = SYMLINK_FOLLOW, path, oflags = CREAT | TRUNC,
    ;;           rights = what Rust's std asks for a file opened for writing, fdflags 0, &fd)
    (local.set $errno
      (call $path_open
        (local.get $dir) (i32.const 1)
        (local.get $name_ptr) (local.get $name_len)
        (i32.const 9)
        (i64.const 0xe001fd) (i64.const 0xe001fd)
        (i32.const 0)
        (i32.const 532)))
    (if (local.get $errno)
      (then
        (call $put_error (local.get $errno))
        (return)))
    (local.set $file (i32.load (i32.const 532)))
    (local.set $p (local.get $content_ptr))
    (local.set $rem (local.get $content_len))
    (block $written
      (loop $write
        (br_if $written (i32.eqz (local.get $rem)))
        (i32.store (i32.const 520) (local.get $p))
        (i32.store (i32.const 524) (local.get $rem))
        (local.set $errno
          (call $fd_write (local.get $file) (i32.const 520) (i32.const 1) (i32.const 528)))
        (if (i32.eqz (local.get $errno))
          (then
            (local.set $n (i32.load (i32.const 528)))
            ;; a write that makes no progress is an I/O error (EIO = 29)
            (if (i32.eqz (local.get $n))
              (then (local.set $errno (i32.const 29))))))
        (if (local.get $errno)
          (then
            (drop (call $fd_close (local.get $file)))
            (call $put_error (local.get $errno))
            (return)))
        (local.set $p (i32.add (local.get $p) (local.get $n)))
        (local.set $rem (i32.sub (local.get $rem) (local.get $n)))
        (br $write)))
    (local.set $errno (call $fd_close (local.get $file)))
    (if (local.get $errno)
      (then
        (call $put_error (local.get $errno))
        (return)))
    (call $set_result (i32.const 32) (i32.const 2)))

  ;; get(name_ptr, name_len); result: byte_array
  (func $get (export "get") (param $name_ptr i32) (param $name_len i32)
    (local $dir i32)
    (local $file i32)
    (local $size i64)
    (local $buf i32)
    (local $p i32)
    (local $rem i32)
    (local $n i32)
    (call $log_info (i32.const 224) (i32.const 27) (local.get $name_ptr) (local.get $name_len))
    (local.set $dir (call $find_sites))
    (if (i32.lt_s (local.get $dir) (i32.const 0))
      (then
        (call $get_error)
        (return)))
    ;; oflags 0; rights = what Rust's std asks for a file opened for reading
    (if (call $path_open
          (local.get $dir) (i32.const 1)
          (local.get $name_ptr) (local.get $name_len)
          (i32.const 0)
          (i64.const 0xa040be) (i64.const 0xa040be)
          (i32.const 0)
          (i32.const 532))
      (then
        (call $get_error)
        (return)))
    (local.set $file (i32.load (i32.const 532)))
    (block $failed
      (br_if $failed (call $fd_filestat_get (local.get $file) (i32.const 600)))
      (local.set $size (i64.load (i32.const 632)))
      ;; refuse sizes that cannot be a wasm32 buffer (allocate would trap anyway)
      (br_if $failed (i64.ge_u (local.get $size) (i64.const 0x8000_0000)))
      (local.set $rem (i32.wrap_i64 (local.get $size)))
      (local.set $buf (call $allocate (local.get $rem) (i32.const 1)))
      (local.set $p (local.get $buf))
      (block $eof
        (loop $read
          (br_if $eof (i32.eqz (local.get $rem)))
          (i32.store (i32.const 520) (local.get $p))
          (i32.store (i32.const 524) (local.get $rem))
          (br_if $failed
            (call $fd_read (local.get $file) (i32.const 520) (i32.const 1) (i32.const 528)))
          (local.set $n (i32.load (i32.const 528)))
          ;; the file got shorter since fd_filestat_get: keep what was read
          (br_if $eof (i32.eqz (local.get $n)))
          (local.set $p (i32.add (local.get $p) (local.get $n)))
          (local.set $rem (i32.sub (local.get $rem) (local.get $n)))
          (br $read)))
      (drop (call $fd_close (local.get $file)))
      (call $set_result (local.get $buf) (i32.sub (local.get $p) (local.get $buf)))
      (return))
    (drop (call $fd_close (local.get $file)))
    (call $get_error))

  (@custom "__fluence_sdk_version" "0.14.0")

  ;; ---------------------------------------------------------------------------
  ;; Interface-types section (it-section.md §4, laid out as §5 says).
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
  ;; 10 = adapter type, 11 = "core" type of `put`
  (@interface type (func
    (param $name: string $file_content: byte_array)
    (result string)))   ;; 10
  (@interface type (func
    (param $name: string $file_content: byte_array)
    (result string)))   ;; 11
  ;; 12 = adapter type, 13 = "core" type of `get`
  (@interface type (func
    (param $file_name: string)
    (result byte_array)))   ;; 12
  (@interface type (func
    (param $file_name: string)
    (result byte_array)))   ;; 13

  ;; Adapters
  ;; call-core indices: 0..5 the ABI exports, 6 = put, 7 = get.
  (@interface func (type 10)
    arg.get 0
    string.size
    i32.push 1
    call-core 0
    arg.get 0
    string.lower_memory
    arg.get 1
    array.lower_memory u8
    call-core 6
    call-core 3
    call-core 2
    string.lift_memory
    call-core 1)
  (@interface func (type 12)
    arg.get 0
    string.size
    i32.push 1
    call-core 0
    arg.get 0
    string.lower_memory
    call-core 7
    call-core 3
    call-core 2
    byte_array.lift_memory
    call-core 1)

  ;; Exports
  (@interface export "allocate" (func 0))
  (@interface export "release_objects" (func 1))
  (@interface export "get_result_size" (func 2))
  (@interface export "get_result_ptr" (func 3))
  (@interface export "set_result_size" (func 4))
  (@interface export "set_result_ptr" (func 5))
  (@interface export "put" (func 11))
  (@interface export "get" (func 13))

  ;; Implementations
  (@interface implement (func 11) (func 10))
  (@interface implement (func 13) (func 12))
)
