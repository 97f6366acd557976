//! The primitives of an engine whose API mirrors Wasmtime's, written once.
//!
//! wasmi "loosely mirrors the Wasmtime API" on purpose: `Store<T>`, `StoreContextMut`,
//! `Caller`, `AsContextMut`, `Instance::get_func`, `Memory::data_mut`, `Func::call`,
//! `Linker` and typed functions have the same names and shapes in both. For such an
//! engine most [`Backend`](crate::Backend) primitives are the same text with another crate
//! name; [`mirrored_engine!`](crate::mirrored_engine) is that text. An engine with another
//! API (Wasmer, V8, …) writes these primitives by hand instead.

/// The primitives of an engine with Wasmtime's API shape, inside its `impl Backend`: its
/// types, compilation, store creation and access, instantiation (`$instantiate` names the linker's
/// method that also runs the start function), exports, memory, untyped calls, linker, fuel, and the typed
/// fast paths of [`fast_paths!`](crate::fast_paths).
///
/// The engine crate names itself, its engine crate and error type, and a module of its
/// conversions, which must hold `module_info`, `compile_error`, `to_val`, `from_val`,
/// `func_type` (from the engine and a
/// [`FuncSig`](crate::FuncSig)), `from_error`, `carry`, `link_error` (a linker's error),
/// `engine_error` (a store's fuel error) and `wasi_error`; with the cargo feature named
/// after `wasi:`, a WASI module (`context(&WasiConfig)`, `empty_context()`) and the
/// function adding WASI preview1 to a linker:
///
/// ```text
/// impl Backend for Wasmtime {
///     // NAME, WASI, the Limiter and Wasi types …
///     strait_backend::mirrored_engine!(
///         backend: Wasmtime,
///         engine: wasmtime,
///         error: wasmtime::Error,
///         convert: crate::convert,
///         instantiate: instantiate,
///         wasi: "wasi", crate::wasi, wasmtime_wasi::p1::add_to_linker_sync,
///     );
///     // new, config, linker_provides, set_deadline
///     // (and the engine struct must have `fn engine(&self) -> &wasmtime::Engine`)
/// }
/// ```
#[macro_export]
macro_rules! mirrored_engine {
    (
        backend: $backend:ty,
        engine: $engine:ident,
        error: $error:ty,
        convert: $($convert:ident)::+,
        instantiate: $instantiate:ident,
        wasi: $wasi_feature:literal, $($wasi:ident)::+, $($add_to_linker:ident)::+ $(,)?
    ) => {
        #[cfg(feature = $wasi_feature)]
        fn wasi_context(
            config: &$crate::WasiConfig,
        ) -> Result<Self::Wasi, $crate::BackendError> {
            $($wasi)::+::context(config)
        }

        #[cfg(feature = $wasi_feature)]
        fn add_wasi(linker: &mut Self::Linker) -> Result<(), $crate::BackendError> {
            $($add_to_linker)::+(linker, |data: &mut $crate::StoreData<Self>| {
                data.wasi($($wasi)::+::empty_context)
            })
            .map_err($($convert)::+::wasi_error)
        }

        type Module = $engine::Module;
        type Store = $engine::Store<$crate::StoreData<Self>>;
        type Context<'a> = $engine::StoreContextMut<'a, $crate::StoreData<Self>>;
        type Caller<'a> = $engine::Caller<'a, $crate::StoreData<Self>>;
        type Instance = $engine::Instance;
        type Func = $engine::Func;
        type Memory = $engine::Memory;
        type Linker = $engine::Linker<$crate::StoreData<Self>>;
        type Val = $engine::Val;

        $crate::fast_paths!(
            backend: $backend,
            engine: $engine,
            error: $error,
            from_error: $($convert)::+::from_error,
            carry: $($convert)::+::carry,
            link_error: $($convert)::+::link_error,
        );

        fn compile_raw(
            &self,
            wasm: &[u8],
        ) -> Result<(Self::Module, $crate::ModuleInfo), $crate::BackendError> {
            let module = $engine::Module::new(self.engine(), wasm)
                .map_err($($convert)::+::compile_error)?;
            let info = $($convert)::+::module_info(&module)?;
            Ok((module, info))
        }

        fn create_store(&self, data: $crate::StoreData<Self>) -> Self::Store {
            let mut store = $engine::Store::new(self.engine(), data);
            store.limiter(|data| data.limiter());
            store
        }

        fn instantiate(
            linker: &Self::Linker,
            store: &mut Self::Store,
            module: &Self::Module,
        ) -> Result<Self::Instance, $crate::BackendError> {
            linker
                .$instantiate(store, module)
                .map_err($($convert)::+::from_error)
        }

        fn same_engine(store: &Self::Store, module: &Self::Module) -> bool {
            $engine::Engine::same(module.engine(), store.engine())
        }

        #[inline]
        fn context(store: &mut Self::Store) -> Self::Context<'_> {
            $engine::AsContextMut::as_context_mut(store)
        }

        #[inline]
        fn caller_context<'a>(caller: &'a mut Self::Caller<'_>) -> Self::Context<'a> {
            $engine::AsContextMut::as_context_mut(caller)
        }

        #[inline]
        fn reborrow<'a>(ctx: &'a mut Self::Context<'_>) -> Self::Context<'a> {
            $engine::AsContextMut::as_context_mut(ctx)
        }

        #[inline]
        fn store_data(store: &Self::Store) -> &$crate::StoreData<Self> {
            store.data()
        }

        #[inline]
        fn store_data_mut(store: &mut Self::Store) -> &mut $crate::StoreData<Self> {
            store.data_mut()
        }

        #[inline]
        fn data<'a>(ctx: &'a Self::Context<'_>) -> &'a $crate::StoreData<Self> {
            ctx.data()
        }

        #[inline]
        fn data_mut<'a>(ctx: &'a mut Self::Context<'_>) -> &'a mut $crate::StoreData<Self> {
            ctx.data_mut()
        }

        fn get_func(
            ctx: &mut Self::Context<'_>,
            instance: Self::Instance,
            name: &str,
        ) -> Option<Self::Func> {
            instance.get_func(&mut *ctx, name)
        }

        fn get_memory(
            ctx: &mut Self::Context<'_>,
            instance: Self::Instance,
            name: &str,
        ) -> Option<Self::Memory> {
            instance.get_memory(&mut *ctx, name)
        }

        #[inline]
        fn memory_bytes(store: &Self::Store, memory: Self::Memory) -> &[u8] {
            memory.data(store)
        }

        #[inline]
        fn memory_bytes_mut<'a>(ctx: Self::Context<'a>, memory: Self::Memory) -> &'a mut [u8] {
            memory.data_mut(ctx)
        }

        fn memory_grow(
            ctx: &mut Self::Context<'_>,
            memory: Self::Memory,
            pages: u64,
        ) -> Option<u64> {
            memory.grow(ctx, pages).ok()
        }

        #[inline]
        fn to_val(value: $crate::WValue) -> Self::Val {
            $($convert)::+::to_val(value)
        }

        #[inline]
        fn from_val(value: &Self::Val) -> Result<$crate::WValue, $crate::BackendError> {
            $($convert)::+::from_val(value)
        }

        fn call_raw(
            ctx: &mut Self::Context<'_>,
            func: &Self::Func,
            args: &[Self::Val],
            results: &mut [Self::Val],
        ) -> Result<(), $crate::BackendError> {
            func.call(ctx, args, results)
                .map_err($($convert)::+::from_error)
        }

        fn define_raw<F>(
            linker: &mut Self::Linker,
            namespace: &str,
            name: &str,
            sig: &$crate::FuncSig,
            func: F,
        ) -> Result<(), $crate::BackendError>
        where
            F: Fn(
                    &mut $crate::Caller<'_, Self>,
                    &[Self::Val],
                    &mut [Self::Val],
                ) -> Result<(), $crate::BackendError>
                + Send
                + Sync
                + 'static,
        {
            let ty = $($convert)::+::func_type(linker.engine(), sig);
            linker
                .func_new(namespace, name, ty, move |caller, params, results| {
                    func(&mut $crate::Caller::new(caller), params, results)
                        .map_err($($convert)::+::carry)
                })
                .map(drop)
                .map_err($($convert)::+::link_error)
        }

        fn new_linker(store: &Self::Store) -> Self::Linker {
            let mut linker = $engine::Linker::new(store.engine());
            // A host function given for a WASI name replaces WASI's.
            linker.allow_shadowing(true);
            linker
        }

        fn set_fuel(store: &mut Self::Store, fuel: u64) -> Result<(), $crate::BackendError> {
            store
                .set_fuel(fuel)
                .map_err($($convert)::+::engine_error)
        }

        fn fuel(store: &Self::Store) -> Result<u64, $crate::BackendError> {
            store.get_fuel().map_err($($convert)::+::engine_error)
        }
    };
}

/// The engine's resource limiter type: a newtype of [`BudgetLimiter`](crate::BudgetLimiter)
/// that the engine crate implements its engine's `ResourceLimiter` trait for.
#[macro_export]
macro_rules! limiter_newtype {
    ($name:ident) => {
        /// The store's [`BudgetLimiter`](strait_backend::BudgetLimiter), as this engine's
        /// resource limiter.
        #[derive(Debug)]
        pub struct $name($crate::BudgetLimiter);

        impl From<$crate::BudgetLimiter> for $name {
            fn from(limiter: $crate::BudgetLimiter) -> Self {
                Self(limiter)
            }
        }

        impl AsMut<$crate::BudgetLimiter> for $name {
            fn as_mut(&mut self) -> &mut $crate::BudgetLimiter {
                &mut self.0
            }
        }
    };
}
