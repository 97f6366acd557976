//! strait-bench (being written)
