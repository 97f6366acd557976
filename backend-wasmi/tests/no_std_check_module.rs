//! The no_std check's backend module, compiled here with std: its embedded binary must be
//! exactly its WAT text, and the check must pass.

extern crate alloc;

#[path = "../../tests/no-std-check/src/backend_check.rs"]
mod backend_check;

#[test]
fn embedded_binary_is_the_wat() {
    assert_eq!(
        backend_check::ADD_WASM,
        wat::parse_str(backend_check::ADD_WAT).unwrap()
    );
}

#[test]
fn backend_check_passes() {
    assert!(backend_check::run());
}
