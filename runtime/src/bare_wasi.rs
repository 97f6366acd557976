//! WASI preview1 for engines built without it (wasmi without `std`): the few calls a Marine
//! module's own runtime makes to start and run, with no host operating system behind them.
//!
//! Every real Marine module is built for `wasm32-wasi` and imports at least `fd_write`,
//! `environ_get`, `environ_sizes_get` and `proc_exit` (`spec/abi.md` §8.3), so without these it
//! could not be instantiated at all. What the module sees:
//!
//! - **environment**: the module's `envs` setting;
//! - **stdout/stderr** (`fd_write` on fd 1 and 2): accepted and passed to the `log` crate with
//!   the module's name as target (stdout at `info`, stderr at `warn`); other descriptors are
//!   `EBADF`;
//! - **no arguments, no preopened directories** (`fd_prestat_get` is `EBADF`, which ends the
//!   guest's preopen scan), so no file can be opened;
//! - **`random_get`**: a deterministic sequence (SplitMix64, seeded per module by its name).
//!   There is no entropy source without an operating system; guests use these bytes to seed
//!   hash maps, which works but does not resist hash-flooding;
//! - **`proc_exit`**: ends the call with an error naming the exit code;
//! - **`sched_yield`** succeeds; every other preview1 function that returns an errno returns
//!   `EBADF` when it names a descriptor (`fd_*`) and `ENOSYS` otherwise (`clock_time_get`
//!   included: there is no clock).

use crate::error::{Error, ErrorKind};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use strait_backend::{AsContextMut, Backend, Caller, FuncSig, HostFunc, WType, WValue};
use strait_it::memory::HostError;

/// The namespace of WASI preview1.
pub(crate) const NAMESPACE: &str = "wasi_snapshot_preview1";

const SUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const ENOSYS: i32 = 52;

/// The host function for the WASI import `name` of type `sig`, or `None` when the import
/// cannot be served (a function this table does not know that returns no errno).
pub(crate) fn host_func<B: Backend>(
    name: &str,
    sig: &FuncSig,
    module: &Arc<str>,
    envs: &[(String, String)],
) -> Option<HostFunc<B>> {
    use WType::I32;
    let i32s = |n: usize| FuncSig::new(alloc::vec![I32; n], [I32]);
    Some(match name {
        "fd_write" => {
            let module = Arc::clone(module);
            HostFunc::new(NAMESPACE, name, i32s(4), move |caller, args, results| {
                let [fd, iovs, count, written] = i32_args(args)?;
                results[0] = WValue::I32(fd_write(caller, &module, fd, iovs, count, written)?);
                Ok(())
            })
        }
        "environ_sizes_get" | "environ_get" => {
            // `KEY=VALUE\0` strings, built once at load.
            let strings: Arc<[Vec<u8>]> = envs
                .iter()
                .map(|(key, value)| {
                    let mut entry = Vec::with_capacity(key.len() + value.len() + 2);
                    entry.extend_from_slice(key.as_bytes());
                    entry.push(b'=');
                    entry.extend_from_slice(value.as_bytes());
                    entry.push(0);
                    entry
                })
                .collect();
            let sizes = name == "environ_sizes_get";
            HostFunc::new(NAMESPACE, name, i32s(2), move |caller, args, results| {
                let [a, b] = i32_args(args)?;
                let memory = caller.main_memory().map_err(host_error)?;
                let errno = if sizes {
                    environ_sizes(memory, &strings, a, b)
                } else {
                    environ(memory, &strings, a, b)
                };
                results[0] = WValue::I32(errno.unwrap_or(EFAULT));
                Ok(())
            })
        }
        "args_sizes_get" => HostFunc::new(NAMESPACE, name, i32s(2), |caller, args, results| {
            let [count, size] = i32_args(args)?;
            let memory = caller.main_memory().map_err(host_error)?;
            let errno = store_u32(memory, count, 0).and_then(|()| store_u32(memory, size, 0));
            results[0] = WValue::I32(errno.map_or(EFAULT, |()| SUCCESS));
            Ok(())
        }),
        "args_get" => HostFunc::new(NAMESPACE, name, i32s(2), |_, _, results| {
            results[0] = WValue::I32(SUCCESS);
            Ok(())
        }),
        "random_get" => {
            let state = spin::Mutex::new(seed(module));
            HostFunc::new(NAMESPACE, name, i32s(2), move |caller, args, results| {
                let [buf, len] = i32_args(args)?;
                let memory = caller.main_memory().map_err(host_error)?;
                results[0] = WValue::I32(match region(memory, buf, len) {
                    Some(bytes) => {
                        let mut state = state.lock();
                        for chunk in bytes.chunks_mut(8) {
                            let word = split_mix(&mut state).to_le_bytes();
                            chunk.copy_from_slice(&word[..chunk.len()]);
                        }
                        SUCCESS
                    }
                    None => EFAULT,
                });
                Ok(())
            })
        }
        "proc_exit" => {
            let module = Arc::clone(module);
            HostFunc::new(
                NAMESPACE,
                name,
                FuncSig::new([I32], []),
                move |_, args, _| {
                    let [code] = i32_args(args)?;
                    Err(Box::new(Error::new(
                        ErrorKind::Trap,
                        alloc::format!("module \"{module}\" exited with code {code} (proc_exit)"),
                    )) as HostError)
                },
            )
        }
        "sched_yield" => HostFunc::new(NAMESPACE, name, i32s(0), |_, _, results| {
            results[0] = WValue::I32(SUCCESS);
            Ok(())
        }),
        _ if sig.results() == [I32] => {
            let errno = if name.starts_with("fd_") {
                EBADF
            } else {
                ENOSYS
            };
            HostFunc::new(NAMESPACE, name, sig.clone(), move |_, _, results| {
                results[0] = WValue::I32(errno);
                Ok(())
            })
        }
        _ => return None,
    })
}

fn host_error(error: strait_backend::BackendError) -> HostError {
    Box::new(error)
}

/// The `N` arguments of a function whose parameters are all `i32` (the engine checked the
/// signature at instantiation).
fn i32_args<const N: usize>(args: &[WValue]) -> Result<[i32; N], HostError> {
    let mut out = [0; N];
    for (slot, arg) in out.iter_mut().zip(args) {
        *slot = arg.as_i32().ok_or("a WASI argument is not an i32")?;
    }
    Ok(out)
}

/// `fd_write`: stdout and stderr go to the `log` crate; the errno, or an error if the
/// module's memory is gone.
fn fd_write<B: Backend>(
    caller: &mut Caller<'_, B>,
    module: &str,
    fd: i32,
    iovs: i32,
    count: i32,
    written: i32,
) -> Result<i32, HostError> {
    let level = match fd {
        1 => log::Level::Info,
        2 => log::Level::Warn,
        _ => return Ok(EBADF),
    };
    let memory = caller.main_memory().map_err(host_error)?;
    let mut total: u32 = 0;
    for index in 0..count.cast_unsigned() {
        // Each iovec is (ptr: u32, len: u32), read by value so that `memory` is borrowed once.
        let Some(at) = index
            .checked_mul(8)
            .and_then(|o| o.checked_add(iovs.cast_unsigned()))
        else {
            return Ok(EFAULT);
        };
        let Some(iov) = region(memory, at.cast_signed(), 8) else {
            return Ok(EFAULT);
        };
        let (ptr, len) = (word(&iov[..4]), word(&iov[4..]));
        let Some(bytes) = region(memory, ptr.cast_signed(), len.cast_signed()) else {
            return Ok(EFAULT);
        };
        if log::log_enabled!(target: module, level) {
            match core::str::from_utf8(bytes) {
                Ok(text) => log::log!(target: module, level, "{}", text.trim_end_matches('\n')),
                Err(_) => log::log!(target: module, level, "({len} bytes, not UTF-8)"),
            }
        }
        total = total.saturating_add(len);
    }
    Ok(match store_u32(memory, written, total) {
        Some(()) => SUCCESS,
        None => EFAULT,
    })
}

/// `environ_sizes_get`: how many variables and the bytes of their strings.
fn environ_sizes(memory: &mut [u8], strings: &[Vec<u8>], count: i32, size: i32) -> Option<i32> {
    let bytes: usize = strings.iter().map(Vec::len).sum();
    store_u32(memory, count, u32::try_from(strings.len()).ok()?)?;
    store_u32(memory, size, u32::try_from(bytes).ok()?)?;
    Some(SUCCESS)
}

/// `environ_get`: the strings one after the other at `buf`, a pointer to each at `pointers`.
fn environ(memory: &mut [u8], strings: &[Vec<u8>], pointers: i32, buf: i32) -> Option<i32> {
    let mut at = buf.cast_unsigned();
    for (index, entry) in strings.iter().enumerate() {
        let slot = pointers
            .cast_unsigned()
            .checked_add(u32::try_from(index).ok()?.checked_mul(4)?)?;
        store_u32(memory, slot.cast_signed(), at)?;
        let len = u32::try_from(entry.len()).ok()?;
        region(memory, at.cast_signed(), len.cast_signed())?.copy_from_slice(entry);
        at = at.checked_add(len)?;
    }
    Some(SUCCESS)
}

/// The `len` bytes at `ptr` (both guest `u32`s), if they are inside `memory`.
fn region(memory: &mut [u8], ptr: i32, len: i32) -> Option<&mut [u8]> {
    let start = usize::try_from(ptr.cast_unsigned()).ok()?;
    let len = usize::try_from(len.cast_unsigned()).ok()?;
    memory.get_mut(start..start.checked_add(len)?)
}

fn store_u32(memory: &mut [u8], ptr: i32, value: u32) -> Option<()> {
    region(memory, ptr, 4)?.copy_from_slice(&value.to_le_bytes());
    Some(())
}

fn word(bytes: &[u8]) -> u32 {
    let mut le = [0; 4];
    le.copy_from_slice(bytes);
    u32::from_le_bytes(le)
}

/// A seed from the module's name (FNV-1a), so that modules do not share one sequence.
fn seed(module: &str) -> u64 {
    module.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64's next value.
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(envs: &[(&str, &str)]) -> Vec<Vec<u8>> {
        envs.iter()
            .map(|(k, v)| alloc::format!("{k}={v}\0").into_bytes())
            .collect()
    }

    #[test]
    fn environment_sizes_and_strings() {
        let strings = strings(&[("A", "1"), ("WASM_LOG", "info")]);
        let mut memory = [0u8; 64];
        assert_eq!(environ_sizes(&mut memory, &strings, 0, 4), Some(SUCCESS));
        assert_eq!(word(&memory[0..4]), 2);
        assert_eq!(word(&memory[4..8]), 4 + 14);
        assert_eq!(environ(&mut memory, &strings, 8, 16), Some(SUCCESS));
        assert_eq!(word(&memory[8..12]), 16);
        assert_eq!(word(&memory[12..16]), 20);
        assert_eq!(&memory[16..34], b"A=1\0WASM_LOG=info\0");
    }

    #[test]
    fn out_of_bounds_is_a_fault_not_a_panic() {
        let strings = strings(&[("KEY", "VALUE")]);
        let mut memory = [0u8; 16];
        assert_eq!(environ_sizes(&mut memory, &strings, 14, 0), None);
        assert_eq!(environ(&mut memory, &strings, 0, 12), None);
        assert_eq!(environ(&mut memory, &strings, -4, 0), None);
        assert!(region(&mut memory, i32::MAX, i32::MAX).is_none());
        assert!(region(&mut memory, -1, 2).is_none());
        assert_eq!(store_u32(&mut memory, 13, 1), None);
    }

    #[test]
    fn random_bytes_differ_per_module_and_per_call() {
        let (mut a, mut b) = (seed("a"), seed("b"));
        let first = split_mix(&mut a);
        assert_ne!(first, split_mix(&mut a));
        assert_ne!(first, split_mix(&mut b));
    }
}
