//! strait-backend (being written)
