//! Parameter and result lists of typed (statically checked) calls.

use crate::value::WType;

mod sealed {
    // Sealed: every backend maps exactly these lists onto its engine's own typed-call traits.
    #[allow(unreachable_pub)]
    pub trait Sealed {}
}

/// A scalar that a typed call can pass or return: `i32`, `i64`, `f32`, `f64`.
pub trait WasmScalar: sealed::Sealed + Copy + Send + Sync + 'static {
    /// Its wasm type.
    const TYPE: WType;
}

/// A parameter or result list of a typed call: `()`, a [`WasmScalar`], or a tuple of up to
/// eight of them.
///
/// Sealed: each backend implements its typed calls for exactly these lists.
pub trait WasmTypeList: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The wasm types of the list, in order.
    const TYPES: &'static [WType];
}

macro_rules! scalars {
    ($($t:ty => $w:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl WasmScalar for $t {
            const TYPE: WType = WType::$w;
        }
        impl WasmTypeList for $t {
            const TYPES: &'static [WType] = &[WType::$w];
        }
    )*};
}
scalars!(i32 => I32, i64 => I64, f32 => F32, f64 => F64);

impl sealed::Sealed for () {}
impl WasmTypeList for () {
    const TYPES: &'static [WType] = &[];
}

macro_rules! tuples {
    ($(($($t:ident),+)),*) => {$(
        impl<$($t: WasmScalar),+> sealed::Sealed for ($($t,)+) {}
        impl<$($t: WasmScalar),+> WasmTypeList for ($($t,)+) {
            const TYPES: &'static [WType] = &[$($t::TYPE),+];
        }
    )*};
}
tuples!(
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H)
);
