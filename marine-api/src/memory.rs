//! Memory statistics as Marine reports them (marine-core's `MemoryStats`).

use crate::backend::MemoryAllocationStats;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A module's name and the size in bytes of its linear memory.
///
/// ```
/// let stat = marine::ModuleMemoryStat::new("greeting", 1_114_112);
/// assert_eq!(stat.memory_size, 1_114_112);
/// ```
#[derive(Clone, Default, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleMemoryStat<'module_name> {
    /// The module's name.
    pub name: &'module_name str,
    /// Its linear memory, in bytes.
    pub memory_size: usize,
}

impl<'module_name> ModuleMemoryStat<'module_name> {
    /// The statistic of one module.
    pub fn new(module_name: &'module_name str, memory_size: usize) -> Self {
        Self {
            name: module_name,
            memory_size,
        }
    }
}

/// The memory of every loaded module, sorted by name, and the memory growths the service's
/// budget refused since the last successful call.
///
/// `Display` prints Marine's listing:
///
/// ```
/// use marine::backend::MemoryAllocationStats;
/// use marine::{MemoryStats, ModuleMemoryStat};
///
/// let stats = MemoryStats::new(
///     vec![ModuleMemoryStat::new("greeting", 1_114_112)],
///     Some(MemoryAllocationStats { allocation_rejects: 0 }),
/// );
/// assert_eq!(stats.to_string(), "greeting - 1.1 MB\nAllocation rejects - 0\n");
/// ```
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct MemoryStats<'module_name> {
    /// Per module, sorted by name.
    pub modules: Vec<ModuleMemoryStat<'module_name>>,
    /// Refused growths; always recorded by strait's engines.
    pub allocation_stats: Option<MemoryAllocationStats>,
}

impl<'module_name> MemoryStats<'module_name> {
    /// Statistics from their parts.
    pub fn new(
        modules: Vec<ModuleMemoryStat<'module_name>>,
        allocation_stats: Option<MemoryAllocationStats>,
    ) -> Self {
        Self {
            modules,
            allocation_stats,
        }
    }
}

impl fmt::Display for MemoryStats<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for module in &self.modules {
            writeln!(f, "{} - {}", module.name, DecimalBytes(module.memory_size))?;
        }
        match &self.allocation_stats {
            None => writeln!(
                f,
                "Allocation rejects - value is not recorded by current wasm backend"
            ),
            Some(stats) => writeln!(f, "Allocation rejects - {}", stats.allocation_rejects),
        }
    }
}

/// A byte count the way Marine prints it (the `bytesize` crate's decimal form): `512 B`,
/// `65.5 KB`, `1.1 MB`.
struct DecimalBytes(usize);

impl fmt::Display for DecimalBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const PREFIXES: [char; 6] = ['K', 'M', 'G', 'T', 'P', 'E'];
        let bytes = self.0 as u64;
        if bytes < 1000 {
            return write!(f, "{bytes} B");
        }
        let mut unit = 1000_u64;
        let mut prefix = 0;
        while prefix + 1 < PREFIXES.len() && bytes / unit >= 1000 {
            unit *= 1000;
            prefix += 1;
        }
        write!(f, "{:.1} {}B", bytes as f64 / unit as f64, PREFIXES[prefix])
    }
}

#[cfg(test)]
mod tests {
    use super::DecimalBytes;

    #[test]
    fn byte_counts() {
        let text = |bytes| DecimalBytes(bytes).to_string();
        assert_eq!(text(0), "0 B");
        assert_eq!(text(999), "999 B");
        assert_eq!(text(1000), "1.0 KB");
        assert_eq!(text(65_536), "65.5 KB");
        assert_eq!(text(1_114_112), "1.1 MB");
        assert_eq!(text(17 * 65_536 * 1000), "1.1 GB");
    }
}
