//! The engine list, in one place: one `cfg` line per engine, from which the default
//! engine, the conformance tests, the CLI's `--backend` choice and the benches all expand.
//!
//! A third engine adds its crate as an optional dependency and feature of this crate and
//! one link to the chain below (its two `__backend_*` macros), then appears everywhere.

cfg_if::cfg_if! {
    if #[cfg(feature = "wasmtime")] {
        /// The engine used when none is named: Wasmtime (feature `wasmtime`).
        pub type DefaultBackend = Wasmtime;
    } else if #[cfg(feature = "wasmi")] {
        /// The engine used when none is named: wasmi (feature `wasmi`, no Wasmtime).
        pub type DefaultBackend = Wasmi;
    }
}

#[cfg(feature = "wasmi")]
pub use strait_wasmi::Wasmi;
#[cfg(feature = "wasmtime")]
pub use strait_wasmtime::Wasmtime;

/// The names of the engines this build has, [`DefaultBackend`]'s first.
pub const BACKENDS: &[&str] = &[
    #[cfg(feature = "wasmtime")]
    "wasmtime",
    #[cfg(feature = "wasmi")]
    "wasmi",
];

/// Calls `$mac!` once with every engine this build of strait has, each as its name and
/// its type, after `[$args]` (passed through unchanged), the default engine first:
///
/// ```text
/// $mac! { [$args] wasmtime strait::Wasmtime; wasmi strait::Wasmi; }
/// ```
///
/// The one engine list; [`each_backend!`](crate::each_backend) and
/// [`select_backend!`](crate::select_backend) are built on it.
///
/// ```
/// macro_rules! names {
///     ([] $($name:ident $ty:path;)*) => { [$(stringify!($name)),*] };
/// }
/// let names = strait::for_each_backend!(names);
/// assert_eq!(names, strait::BACKENDS);
/// ```
#[macro_export]
macro_rules! for_each_backend {
    ($($mac:tt)::+ $(, $($args:tt)*)?) => {
        $crate::__backend_wasmtime! { [$($mac)::+] [$($($args)*)?] }
    };
}

#[cfg(feature = "wasmtime")]
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_wasmtime {
    ([$($mac:tt)::+] [$($args:tt)*] $($list:tt)*) => {
        $crate::__backend_wasmi! { [$($mac)::+] [$($args)*] $($list)* wasmtime $crate::Wasmtime; }
    };
}

#[cfg(not(feature = "wasmtime"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_wasmtime {
    ([$($mac:tt)::+] [$($args:tt)*] $($list:tt)*) => {
        $crate::__backend_wasmi! { [$($mac)::+] [$($args)*] $($list)* }
    };
}

#[cfg(feature = "wasmi")]
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_wasmi {
    ([$($mac:tt)::+] [$($args:tt)*] $($list:tt)*) => {
        $($mac)::+! { [$($args)*] $($list)* wasmi $crate::Wasmi; }
    };
}

#[cfg(not(feature = "wasmi"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_wasmi {
    ([$($mac:tt)::+] [$($args:tt)*] $($list:tt)*) => {
        $($mac)::+! { [$($args)*] $($list)* }
    };
}

/// Calls the generic function `f::<B>(args…)` once per engine, in statement position.
///
/// ```
/// fn engine_name<B: strait::Backend>(names: &mut Vec<&'static str>) {
///     names.push(B::NAME);
/// }
/// let mut names = Vec::new();
/// strait::each_backend!(engine_name(&mut names));
/// assert_eq!(names, strait::BACKENDS);
/// ```
#[macro_export]
macro_rules! each_backend {
    ($f:ident ($($arg:expr),* $(,)?)) => {
        $crate::for_each_backend! { $crate::__each_backend, $f ($($arg),*) }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __each_backend {
    ([$f:ident $args:tt] $($name:ident $ty:path;)*) => {
        $( $f::<$ty> $args; )*
    };
}

/// `Some(f::<B>(args…))` for the engine named `name` (one of [`BACKENDS`]), `None` for
/// an unknown name.
///
/// ```
/// fn engine_name<B: strait::Backend>() -> &'static str {
///     B::NAME
/// }
/// let first = strait::BACKENDS[0];
/// assert_eq!(strait::select_backend!(first, engine_name()), Some(first));
/// assert_eq!(strait::select_backend!("v8", engine_name()), None);
/// ```
#[macro_export]
macro_rules! select_backend {
    ($name:expr, $f:ident ($($arg:expr),* $(,)?)) => {
        $crate::for_each_backend! { $crate::__select_backend, $name, $f ($($arg),*) }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_backend {
    ([$name:expr, $f:ident $args:tt] $($engine:ident $ty:path;)*) => {
        match $name {
            $(stringify!($engine) => Some($f::<$ty> $args),)*
            _ => None,
        }
    };
}
