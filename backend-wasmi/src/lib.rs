//! strait-wasmi (being written)
