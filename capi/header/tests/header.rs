//! `capi/include/strait.h` is what cbindgen generates from `capi/src` with `capi/cbindgen.toml`:
//! this test regenerates it and fails when the checked-in copy differs. `STRAIT_BLESS=1`
//! writes the new header instead.

use std::path::Path;

#[test]
fn header_is_up_to_date() {
    let capi = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = cbindgen::Config::from_file(capi.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&capi)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read capi/src");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = capi.join("include/strait.h");
    if std::env::var_os("STRAIT_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "capi/include/strait.h is stale: the C API changed. Regenerate it with \
         `STRAIT_BLESS=1 cargo test --manifest-path capi/header/Cargo.toml` and commit it."
    );
}
