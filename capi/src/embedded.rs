//! The `no_std` runtime pieces of a C staticlib (feature `embedded`): a global allocator that
//! calls the embedder's C functions, and a panic handler that reports through one.
//!
//! The embedder defines (declared in the header):
//!
//! ```c
//! void *strait_alloc(size_t size, size_t align);
//! void strait_dealloc(void *ptr, size_t size, size_t align);
//! void *strait_realloc(void *ptr, size_t old_size, size_t align, size_t new_size);
//! void strait_panic(const char *message, size_t len);
//! ```
//!
//! so that it can give strait a fixed arena, count its peak, or forward to its RTOS heap.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_void};

// The embedder's functions (declared here so that the header declares them too).
unsafe extern "C" {
    /// EMBEDDER HOOK (no_std build with `embedded`): allocates `size` bytes aligned to `align`
    /// (a power of two); NULL when out of memory.
    pub fn strait_alloc(size: usize, align: usize) -> *mut c_void;
    /// EMBEDDER HOOK: frees a block from `strait_alloc` or `strait_realloc` of this size and
    /// alignment.
    pub fn strait_dealloc(ptr: *mut c_void, size: usize, align: usize);
    /// EMBEDDER HOOK: resizes a block to `new_size` bytes, moving it if needed and keeping its
    /// contents; NULL when out of memory (the old block then stays valid).
    pub fn strait_realloc(
        ptr: *mut c_void,
        old_size: usize,
        align: usize,
        new_size: usize,
    ) -> *mut c_void;
    /// EMBEDDER HOOK: strait panicked (out of memory, or a bug): `len` bytes of UTF-8, not
    /// NUL-terminated. Must not return (abort or reset).
    pub fn strait_panic(message: *const c_char, len: usize);
}

/// The allocator that calls the embedder's `strait_alloc`, `strait_dealloc` and
/// `strait_realloc`.
struct CAllocator;

#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

// SAFETY: the embedder's functions implement an allocator (the header's contract): memory of
// at least `size` bytes aligned to `align`, or NULL, and blocks stay valid until freed.
unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the embedder's allocator (see the impl).
        unsafe { strait_alloc(layout.size(), layout.align()) }.cast()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc`/`realloc` with this layout (GlobalAlloc's contract).
        unsafe { strait_dealloc(ptr.cast(), layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout` (GlobalAlloc's contract).
        unsafe { strait_realloc(ptr.cast(), layout.size(), layout.align(), new_size) }.cast()
    }
}

/// Collects a panic message into a fixed buffer, cut at its size: a panic may come from an
/// allocation failure, so nothing is allocated.
struct Message {
    bytes: [u8; 256],
    len: usize,
}

impl core::fmt::Write for Message {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        let free = self.bytes.len() - self.len;
        let mut take = text.len().min(free);
        while !text.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&text.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut message = Message {
        bytes: [0; 256],
        len: 0,
    };
    let _ = core::fmt::write(&mut message, format_args!("strait: {info}"));
    // SAFETY: the embedder's function reads `len` bytes of UTF-8 (the header's contract).
    unsafe { strait_panic(message.bytes.as_ptr().cast(), message.len) };
    // `strait_panic` must not return; if it does, stop here.
    loop {
        core::hint::spin_loop();
    }
}

/// The unwinding personality routine that the prebuilt `core` and `alloc` (compiled for
/// `panic = "unwind"`) name in their unwind tables. With `panic = "abort"` nothing unwinds,
/// so it is never called; it only has to exist for the C linker.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
