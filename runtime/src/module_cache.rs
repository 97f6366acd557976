//! Compiled modules kept across unload and reload of the same bytes.
//!
//! Compiling is most of a load: Wasmtime translates every function to machine code, and
//! wasmi's engine keeps every function it was given in an append-only code map for as long as
//! the engine lives, so compiling the same module again grows the service's memory for good.
//! A service therefore remembers the last few modules it compiled, by their wasm bytes, and
//! instantiates a module loaded again (after an unload, or under a second name) from the
//! compiled one.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use strait_backend::{Backend, BackendError, Module};

/// How many compiled modules a service keeps by default ([`ServiceOptions`]).
///
/// [`ServiceOptions`]: crate::ServiceOptions
pub const DEFAULT_MODULE_CACHE: usize = 16;

/// The most recently compiled modules, keyed by their bytes.
pub(crate) struct ModuleCache<B: Backend> {
    /// Least recently used first.
    entries: VecDeque<Entry<B>>,
    capacity: usize,
}

struct Entry<B: Backend> {
    hash: u64,
    /// The bytes themselves, so that a hash collision can never give the wrong module.
    wasm: Vec<u8>,
    module: Module<B>,
}

impl<B: Backend> ModuleCache<B> {
    /// A cache of at most `capacity` modules; 0 keeps none.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity,
        }
    }

    /// The module compiled from `wasm`: the kept one, or compiled now (and kept).
    pub(crate) fn compile(&mut self, engine: &B, wasm: &[u8]) -> Result<Module<B>, BackendError> {
        let hash = fnv1a(wasm);
        let found = self
            .entries
            .iter()
            .position(|entry| entry.hash == hash && entry.wasm == wasm);
        if let Some(entry) = found.and_then(|index| self.entries.remove(index)) {
            let module = entry.module.clone();
            self.entries.push_back(entry);
            return Ok(module);
        }
        let module = engine.compile(wasm)?;
        if self.capacity > 0 {
            while self.entries.len() >= self.capacity {
                self.entries.pop_front();
            }
            self.entries.push_back(Entry {
                hash,
                wasm: wasm.to_vec(),
                module: module.clone(),
            });
        }
        Ok(module)
    }

    /// How many modules are kept.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Forgets every kept module.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// FNV-1a: only narrows the search, the bytes are compared in full.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_known_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
