//! The shared backend test suite, on Wasmtime.

strait_backend::backend_test_suite!(strait_wasmtime::Wasmtime);
