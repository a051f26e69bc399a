//! GPU memory: the residency of a `cuda` storage, the caching buffer pool, host<->device
//! transfers through staging buffers, and the counters behind `torch.cuda.memory_allocated`.
use super::{context, Gpu};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Counters for `torch.cuda.memory_*` and for the tests that count submits and allocations.
#[derive(Default)]
pub struct Stats {
    /// Bytes held by live `cuda` storages, and the peak since the last reset.
    pub allocated: AtomicU64,
    pub peak: AtomicU64,
    /// Buffers created on the device (pool misses), command submissions, host<->device copies.
    pub buffers_created: AtomicU64,
    pub submits: AtomicU64,
    pub uploads: AtomicU64,
    pub downloads: AtomicU64,
    /// Kernel dispatches, and CPU kernels run on a `cuda` storage's host block (the
    /// host-staged fallback; reads such as `item` count too).
    pub dispatches: AtomicU64,
    pub host_fallbacks: AtomicU64,
}

pub static STATS: Stats = Stats {
    allocated: AtomicU64::new(0),
    peak: AtomicU64::new(0),
    buffers_created: AtomicU64::new(0),
    submits: AtomicU64::new(0),
    uploads: AtomicU64::new(0),
    downloads: AtomicU64::new(0),
    dispatches: AtomicU64::new(0),
    host_fallbacks: AtomicU64::new(0),
};

const BUFFER_USAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC).union(wgpu::BufferUsages::COPY_DST);

/// Freed device buffers by size, reused by later allocations of the same size class.
#[derive(Default)]
pub struct Pool {
    free: Mutex<HashMap<u64, Vec<wgpu::Buffer>>>,
}

impl Pool {
    fn take(&self, gpu: &Gpu, size: u64) -> Result<wgpu::Buffer> {
        if let Some(b) = self.free.lock().unwrap().get_mut(&size).and_then(|v| v.pop()) {
            return Ok(b);
        }
        if size > gpu.limits.max_buffer_size || size > gpu.limits.max_storage_buffer_binding_size as u64 {
            return Err(out_of_memory(gpu, size, "it exceeds the adapter's largest buffer"));
        }
        let scope = gpu.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor { label: None, size, usage: BUFFER_USAGE, mapped_at_creation: false });
        if pollster::block_on(scope.pop()).is_some() {
            // A pool full of idle buffers may be what fills the device: free it and retry once.
            self.clear();
            let scope = gpu.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
            let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor { label: None, size, usage: BUFFER_USAGE, mapped_at_creation: false });
            if pollster::block_on(scope.pop()).is_some() {
                return Err(out_of_memory(gpu, size, "the device is out of memory"));
            }
            STATS.buffers_created.fetch_add(1, Ordering::Relaxed);
            return Ok(buffer);
        }
        STATS.buffers_created.fetch_add(1, Ordering::Relaxed);
        Ok(buffer)
    }

    fn give_back(&self, buffer: wgpu::Buffer) {
        self.free.lock().unwrap().entry(buffer.size()).or_default().push(buffer);
    }

    /// `torch.cuda.empty_cache`: idle buffers go back to the driver.
    pub fn clear(&self) {
        self.free.lock().unwrap().clear();
    }

    /// Bytes held by idle buffers.
    pub fn cached_bytes(&self) -> u64 {
        self.free.lock().unwrap().iter().map(|(size, v)| size * v.len() as u64).sum()
    }
}

fn out_of_memory(gpu: &Gpu, size: u64, why: &str) -> Error {
    Error::OutOfMemory(format!(
        "CUDA out of memory. Tried to allocate {} bytes on {} ({}): {}.",
        size, "cuda:0", gpu.info.name, why
    ))
}

/// Device buffers are sized in 4-byte words (the copy alignment); the host block of a storage
/// is rounded up at least as far, so a whole-buffer transfer never leaves the host block.
fn buffer_size(nbytes: usize) -> u64 {
    (nbytes.max(4) as u64).next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT)
}

/// Which side holds the current bytes of a `cuda` storage.
struct Residency {
    buffer: Option<wgpu::Buffer>,
    host_current: bool,
    gpu_current: bool,
}

/// The GPU side of a `cuda` storage: its device buffer (created when a GPU kernel first needs
/// it) and the residency of its bytes between that buffer and the storage's host block.
pub struct GpuMemory {
    size: u64,
    state: Mutex<Residency>,
}

impl GpuMemory {
    pub fn new(nbytes: usize) -> Result<GpuMemory> {
        let gpu = context()?;
        let size = buffer_size(nbytes);
        if size > gpu.limits.max_buffer_size || size > gpu.limits.max_storage_buffer_binding_size as u64 {
            return Err(out_of_memory(gpu, size, "it exceeds the adapter's largest buffer"));
        }
        let now = STATS.allocated.fetch_add(size, Ordering::Relaxed) + size;
        STATS.peak.fetch_max(now, Ordering::Relaxed);
        Ok(GpuMemory { size, state: Mutex::new(Residency { buffer: None, host_current: true, gpu_current: false }) })
    }

    /// Brings the bytes to the host block `host` (a CPU kernel is about to read or write it).
    pub fn host_access(&self, host: *mut u8) {
        STATS.host_fallbacks.fetch_add(1, Ordering::Relaxed);
        let mut st = self.state.lock().unwrap();
        if !st.host_current {
            let buffer = st.buffer.as_ref().expect("a GPU-resident storage has a buffer");
            // The CPU kernel calling this cannot fail; the op raises the error when it ends.
            match download(buffer, host, self.size) {
                Ok(()) => st.host_current = true,
                Err(e) => super::faults::record(e),
            }
        }
        st.gpu_current = false;
    }

    /// The device buffer holding the current bytes, for a GPU kernel; `writes` marks the host
    /// copy stale, and `overwrites_all` skips uploading bytes the kernel replaces anyway.
    pub fn buffer(&self, host: *mut u8, writes: bool, overwrites_all: bool) -> Result<wgpu::Buffer> {
        let gpu = context()?;
        let mut st = self.state.lock().unwrap();
        if st.buffer.is_none() {
            st.buffer = Some(gpu.pool.take(gpu, self.size)?);
        }
        let buffer = st.buffer.clone().expect("just created");
        if !st.gpu_current && !overwrites_all {
            upload(gpu, &buffer, host, self.size)?;
        }
        st.gpu_current = true;
        if writes {
            st.host_current = false;
        }
        Ok(buffer)
    }
}

impl Drop for GpuMemory {
    fn drop(&mut self) {
        STATS.allocated.fetch_sub(self.size, Ordering::Relaxed);
        if let Some(buffer) = self.state.get_mut().unwrap().buffer.take() {
            if let Ok(gpu) = context() {
                gpu.pool.give_back(buffer);
            }
        }
    }
}

/// Host -> device: the bytes go into a mapped staging buffer, whose copy into `buffer` is
/// recorded in the batch (so it stays ordered with the kernels around it).
fn upload(gpu: &Gpu, buffer: &wgpu::Buffer, host: *const u8, size: u64) -> Result<()> {
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("upload"),
        size,
        usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::MAP_WRITE,
        mapped_at_creation: true,
    });
    {
        let mut view = staging.slice(..).get_mapped_range_mut().map_err(|e| Error::Runtime(format!("could not map a staging buffer: {}", e)))?;
        // SAFETY: the host block holds at least `size` bytes (buffer_size <= the block's bucket).
        view.copy_from_slice(unsafe { std::slice::from_raw_parts(host, size as usize) });
    }
    staging.unmap();
    let dst = buffer.clone();
    gpu.record(move |enc| enc.copy_buffer_to_buffer(&staging, 0, &dst, 0, size));
    STATS.uploads.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// Device -> host: the batch is submitted, the buffer copied into a mappable staging buffer,
/// and the host waits for it.
fn download(buffer: &wgpu::Buffer, host: *mut u8, size: u64) -> Result<()> {
    let gpu = context()?;
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("download"),
        size,
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    let src = buffer.clone();
    let dst = staging.clone();
    gpu.record(move |enc| enc.copy_buffer_to_buffer(&src, 0, &dst, 0, size));
    gpu.flush();
    let (tx, rx) = std::sync::mpsc::channel();
    staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    gpu.synchronize()?;
    rx.recv()
        .map_err(|_| Error::Runtime("GPU buffer map was dropped".into()))?
        .map_err(|e| Error::Runtime(format!("could not read a GPU buffer: {}", e)))?;
    {
        let view = staging.slice(..).get_mapped_range().map_err(|e| Error::Runtime(format!("could not map a staging buffer: {}", e)))?;
        // SAFETY: the host block holds at least `size` bytes.
        unsafe { std::ptr::copy_nonoverlapping(view.as_ptr(), host, size as usize) };
    }
    staging.unmap();
    STATS.downloads.fetch_add(1, Ordering::Relaxed);
    Ok(())
}
