//! The memory budget shared by several stores, and the per-store accounting against it.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Bytes charged per table element, as Marine charges them.
pub const TABLE_ELEMENT_BYTES: usize = 8;

/// Bytes in one wasm page.
pub const WASM_PAGE_BYTES: usize = 65_536;

/// One memory budget in bytes for several stores (a whole service).
///
/// Each store charges its memory growth (the initial memory at instantiation included)
/// and table growth against it; a growth that does not fit is refused and counted in
/// [`rejects`](Self::rejects). A dropped store returns what it was charged.
#[derive(Debug)]
pub struct MemoryBudget {
    limit: usize,
    used: AtomicUsize,
    rejects: AtomicUsize,
}

impl MemoryBudget {
    /// A budget of `limit` bytes; `None` or `usize::MAX` means unlimited (still counted).
    pub fn new(limit: Option<usize>) -> Self {
        Self {
            limit: limit.unwrap_or(usize::MAX),
            used: AtomicUsize::new(0),
            rejects: AtomicUsize::new(0),
        }
    }

    /// An unlimited budget that still counts usage.
    pub fn unlimited() -> Self {
        Self::new(None)
    }

    /// The limit in bytes, `None` when unlimited.
    pub fn limit(&self) -> Option<usize> {
        (self.limit != usize::MAX).then_some(self.limit)
    }

    /// Bytes currently charged by all live stores.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Refused growths since creation or the last [`reset_rejects`](Self::reset_rejects).
    pub fn rejects(&self) -> usize {
        self.rejects.load(Ordering::Relaxed)
    }

    /// Sets the refusal counter back to zero (the runtime does so at the start of a call).
    pub fn reset_rejects(&self) {
        self.rejects.store(0, Ordering::Relaxed);
    }

    /// Charges `bytes` if they fit; otherwise counts a refusal and returns `false`.
    pub fn try_charge(&self, bytes: usize) -> bool {
        let fits = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok();
        if !fits {
            self.rejects.fetch_add(1, Ordering::Relaxed);
        }
        fits
    }

    /// Returns `bytes` to the budget.
    pub fn release(&self, bytes: usize) {
        // Saturating: releasing more than was charged is a bug upstream, never an underflow here.
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                Some(used.saturating_sub(bytes))
            });
    }
}

impl Default for MemoryBudget {
    fn default() -> Self {
        Self::unlimited()
    }
}

/// What the budget refused most recently, so instantiation errors can say what did not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A memory could not reach `desired` bytes.
    Memory {
        /// Size the memory would have had, in bytes.
        desired: usize,
    },
    /// A table could not reach `desired` elements.
    Table {
        /// Size the table would have had, in elements.
        desired: usize,
    },
}

impl Refusal {
    /// The message of an instantiation that failed on this refusal (Wasmtime's wording).
    pub fn instantiation_message(&self) -> alloc::string::String {
        match self {
            Self::Memory { desired } => alloc::format!(
                "memory minimum size of {} pages exceeds memory limits",
                desired / WASM_PAGE_BYTES
            ),
            Self::Table { desired } => {
                alloc::format!("table minimum size of {desired} elements exceeds table limits")
            }
        }
    }
}

/// One store's account with a [`MemoryBudget`]: both engines' resource limiters delegate
/// here so they refuse exactly the same growths.
#[derive(Debug)]
pub struct BudgetLimiter {
    budget: Option<Arc<MemoryBudget>>,
    charged: usize,
    last_refusal: Option<Refusal>,
}

impl BudgetLimiter {
    /// An account with `budget`; `None` charges nothing and refuses nothing.
    pub fn new(budget: Option<Arc<MemoryBudget>>) -> Self {
        Self {
            budget,
            charged: 0,
            last_refusal: None,
        }
    }

    /// The budget this account charges.
    pub fn budget(&self) -> Option<&Arc<MemoryBudget>> {
        self.budget.as_ref()
    }

    /// Bytes this store has been charged.
    pub fn charged(&self) -> usize {
        self.charged
    }

    /// Takes the most recent refusal.
    pub fn take_refusal(&mut self) -> Option<Refusal> {
        self.last_refusal.take()
    }

    /// A memory wants to grow from `current` to `desired` bytes: whether it may.
    pub fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> bool {
        // Beyond the memory's own maximum the engine refuses anyway; it is not the budget's
        // refusal, so it is neither charged nor counted.
        if maximum.is_some_and(|max| desired > max) {
            return false;
        }
        let allowed = self.charge(desired.saturating_sub(current));
        if !allowed {
            self.last_refusal = Some(Refusal::Memory { desired });
        }
        allowed
    }

    /// A table wants to grow from `current` to `desired` elements: whether it may.
    pub fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> bool {
        if maximum.is_some_and(|max| desired > max) {
            return false;
        }
        let bytes = desired
            .saturating_sub(current)
            .saturating_mul(TABLE_ELEMENT_BYTES);
        let allowed = self.charge(bytes);
        if !allowed {
            self.last_refusal = Some(Refusal::Table { desired });
        }
        allowed
    }

    fn charge(&mut self, bytes: usize) -> bool {
        let Some(budget) = &self.budget else {
            return true;
        };
        if bytes == 0 {
            return true;
        }
        let ok = budget.try_charge(bytes);
        if ok {
            self.charged = self.charged.saturating_add(bytes);
        }
        ok
    }
}

impl Drop for BudgetLimiter {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            budget.release(self.charged);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_refuses_counts_and_releases() {
        let budget = Arc::new(MemoryBudget::new(Some(3 * WASM_PAGE_BYTES)));
        let mut a = BudgetLimiter::new(Some(budget.clone()));
        let mut b = BudgetLimiter::new(Some(budget.clone()));
        assert!(a.memory_growing(0, 2 * WASM_PAGE_BYTES, None));
        assert!(!b.memory_growing(0, 2 * WASM_PAGE_BYTES, None));
        assert_eq!(
            b.take_refusal(),
            Some(Refusal::Memory {
                desired: 2 * WASM_PAGE_BYTES
            })
        );
        assert_eq!(budget.rejects(), 1);
        assert!(b.table_growing(0, 10, None));
        assert_eq!(budget.used(), 2 * WASM_PAGE_BYTES + 80);
        // Beyond the declared maximum: refused, but not the budget's doing.
        assert!(!b.memory_growing(0, WASM_PAGE_BYTES, Some(0)));
        assert_eq!(budget.rejects(), 1);
        drop(a);
        assert_eq!(budget.used(), 80);
        budget.reset_rejects();
        assert_eq!(budget.rejects(), 0);
        drop(b);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn unlimited_counts_and_cannot_overflow() {
        let budget = Arc::new(MemoryBudget::unlimited());
        assert_eq!(budget.limit(), None);
        let mut a = BudgetLimiter::new(Some(budget.clone()));
        assert!(a.memory_growing(0, usize::MAX / 2, None));
        assert!(a.memory_growing(usize::MAX / 2, usize::MAX, None));
        assert_eq!(budget.used(), usize::MAX);
        assert!(!a.table_growing(0, 1, None));
    }
}
