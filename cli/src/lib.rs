//! strait-cli (being written)
