//! The shared backend test suite (`strait_backend::test_suite`), on every engine.

strait_conformance::backend_suite_on_every_engine!();
