//! Device-tagged, reference-counted, versioned buffers, and the CPU allocator cache.
//!
//! A `Storage` owns (or borrows from a NumPy array) one block of bytes shared by every view of
//! it. Element access goes through raw pointers: like PyTorch, views alias freely, and kernels
//! are written so that an output position is only written after the inputs at that position
//! are read.
//!
//! A `cuda` storage is a `wgpu::Buffer` plus a host block of the same size (`backend::wgpu::
//! GpuMemory`). GPU kernels use the buffer; an op with no GPU kernel yet runs its CPU kernel
//! on the host block (the host-staged fallback), and the residency state records which side
//! holds the current bytes so each side is brought up to date only when it is used.
use crate::error::{Error, Result};
use std::alloc::{self, Layout as AllocLayout};
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use crate::backend::wgpu::GpuMemory;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    Cpu,
    /// The wgpu adapter, under PyTorch's `cuda` device name (index 0: one adapter is used).
    Cuda,
}

impl Device {
    pub fn type_name(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        }
    }

    /// The name PyTorch prints and puts in errors: `cpu`, `cuda:0`.
    pub fn label(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda:0",
        }
    }
}

/// Buffers are 64-byte aligned: a cache line, and the widest SIMD register.
const ALIGN: usize = 64;
/// Blocks below this size come straight from malloc, which is fast for them; above it, fresh
/// pages from the OS cost a page fault each, so freed blocks are kept for reuse.
const CACHE_MIN_BYTES: usize = 1 << 16;
const CACHE_MAX_TOTAL: usize = 1 << 30;

struct CpuCache {
    free: HashMap<usize, Vec<NonNull<u8>>>,
    total: usize,
}

// SAFETY: the cache only holds exclusively-owned, unused blocks.
unsafe impl Send for CpuCache {}

fn cache() -> &'static Mutex<CpuCache> {
    static CACHE: OnceLock<Mutex<CpuCache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(CpuCache { free: HashMap::new(), total: 0 }))
}

/// Rounds large sizes up to a bucket (1/8 power-of-two steps) so similar sizes share blocks.
fn bucket(nbytes: usize) -> usize {
    if nbytes < CACHE_MIN_BYTES {
        return nbytes.max(1).next_multiple_of(ALIGN);
    }
    let step = (nbytes.next_power_of_two() / 8).max(ALIGN);
    nbytes.next_multiple_of(step)
}

fn alloc_block(bytes: usize, zeroed: bool) -> Result<NonNull<u8>> {
    if bytes >= CACHE_MIN_BYTES {
        let mut c = cache().lock().unwrap();
        if let Some(ptr) = c.free.get_mut(&bytes).and_then(|v| v.pop()) {
            c.total -= bytes;
            drop(c);
            if zeroed {
                // SAFETY: the block is `bytes` long and exclusively ours.
                unsafe { std::ptr::write_bytes(ptr.as_ptr(), 0, bytes) };
            }
            return Ok(ptr);
        }
    }
    let layout = AllocLayout::from_size_align(bytes, ALIGN)
        .map_err(|_| oom(bytes))?;
    // SAFETY: layout has non-zero size (bucket() never returns 0).
    let ptr = unsafe {
        if zeroed {
            alloc::alloc_zeroed(layout)
        } else {
            alloc::alloc(layout)
        }
    };
    NonNull::new(ptr).ok_or_else(|| oom(bytes))
}

fn oom(bytes: usize) -> Error {
    Error::Runtime(format!(
        "DefaultCPUAllocator: not enough memory: you tried to allocate {} bytes.",
        bytes
    ))
}

fn free_block(ptr: NonNull<u8>, bytes: usize) {
    if bytes >= CACHE_MIN_BYTES {
        let mut c = cache().lock().unwrap();
        if c.total + bytes <= CACHE_MAX_TOTAL {
            c.total += bytes;
            c.free.entry(bytes).or_default().push(ptr);
            return;
        }
    }
    // SAFETY: allocated by alloc_block with this exact layout.
    unsafe { alloc::dealloc(ptr.as_ptr(), AllocLayout::from_size_align_unchecked(bytes, ALIGN)) }
}

/// Who frees the bytes: our allocator, or a foreign owner (a NumPy array) kept alive here.
enum Owner {
    Allocated { bytes: usize },
    Foreign { _keep_alive: Box<dyn Send + Sync> },
}

pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    version: AtomicU64,
    pub device: Device,
    /// The GPU side of a `cuda` storage (None on the CPU).
    gpu: Option<GpuMemory>,
    /// Made by `pin_memory()`: PyTorch's page-locked host memory. wgpu stages every transfer
    /// anyway, so the block is ordinary memory; the flag answers `is_pinned()`.
    pinned: AtomicBool,
}

// SAFETY: the bytes are plain data; concurrent access discipline is the kernels' (as in PyTorch).
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

impl Storage {
    pub fn new_cpu(nbytes: usize, zeroed: bool) -> Result<Storage> {
        let bytes = bucket(nbytes);
        let ptr = alloc_block(bytes, zeroed)?;
        Ok(Storage { ptr, nbytes, owner: Owner::Allocated { bytes }, version: AtomicU64::new(0), device: Device::Cpu, gpu: None, pinned: AtomicBool::new(false) })
    }

    /// A storage on `device`; a `cuda` one gets its GPU buffer when a GPU kernel first uses it.
    pub fn new_on(nbytes: usize, zeroed: bool, device: Device) -> Result<Storage> {
        // The device's limits are checked first: an oversized request is the GPU's OOM error.
        let gpu = if device == Device::Cuda { Some(GpuMemory::new(nbytes)?) } else { None };
        let mut s = Storage::new_cpu(nbytes, zeroed)?;
        s.gpu = gpu;
        s.device = device;
        Ok(s)
    }

    /// Wraps memory owned by `owner` (which must keep `ptr..ptr+nbytes` valid while alive).
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `nbytes` for as long as `owner` lives.
    pub unsafe fn from_foreign(ptr: *mut u8, nbytes: usize, owner: Box<dyn Send + Sync>) -> Storage {
        Storage {
            ptr: NonNull::new(ptr).unwrap_or(NonNull::dangling()),
            nbytes,
            owner: Owner::Foreign { _keep_alive: owner },
            version: AtomicU64::new(0),
            device: Device::Cpu,
            gpu: None,
            pinned: AtomicBool::new(false),
        }
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    /// The host bytes, for CPU kernels. On a `cuda` storage this is the host-staged fallback:
    /// the bytes are brought to the host first, and the GPU copy counts as stale afterwards
    /// (the caller may write through the pointer).
    pub fn as_ptr(&self) -> *mut u8 {
        if let Some(gpu) = &self.gpu {
            gpu.host_access(self.ptr.as_ptr());
        }
        self.ptr.as_ptr()
    }

    /// The GPU side of a `cuda` storage.
    pub fn gpu(&self) -> Option<&GpuMemory> {
        self.gpu.as_ref()
    }

    /// The host block without moving any bytes (for the GPU side's own transfers).
    pub fn host_block(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    pub fn is_pinned(&self) -> bool {
        self.pinned.load(Ordering::Relaxed)
    }

    /// Marks a new host storage as `pin_memory()`'s result.
    pub fn pin(&self) {
        self.pinned.store(self.device == Device::Cpu, Ordering::Relaxed);
    }

    /// Called by every in-place write, so autograd can detect modified saved tensors.
    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Owner::Allocated { bytes } = self.owner {
            free_block(self.ptr, bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_large_blocks_are_reused() {
        let a = Storage::new_cpu(3 << 20 | 4321, false).unwrap();
        let p = a.as_ptr();
        drop(a);
        let b = Storage::new_cpu(3 << 20 | 4321, true).unwrap();
        assert_eq!(b.as_ptr(), p);
        // SAFETY: b is that long.
        let s = unsafe { std::slice::from_raw_parts(b.as_ptr(), 3 << 20 | 4321) };
        assert!(s.iter().all(|&x| x == 0));
    }

    #[test]
    fn absurd_sizes_fail_cleanly() {
        assert!(Storage::new_cpu(usize::MAX / 2, false).is_err());
    }
}
