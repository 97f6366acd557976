//! strait-wasmtime (being written)
