//! Holds only the test `tests/header.rs`, which regenerates `../include/strait.h` from the
//! strait-capi sources with cbindgen and compares it with the checked-in copy.
