//! The shared backend test suite, on wasmi.

strait_backend::backend_test_suite!(strait_wasmi::Wasmi);
