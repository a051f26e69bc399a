//! What every GPU kernel launch shares: the device buffers of tensor operands, the per-batch
//! arena that carries each dispatch's shape/stride words, and the dispatch itself.
use super::Gpu;
use crate::error::Result;
use crate::tensor::Tensor;

pub const WORKGROUP: u32 = 256;

/// The device buffer of a `cuda` tensor's storage; `writes` marks the host copy stale, and
/// `overwrites_all` skips uploading bytes the kernel replaces anyway.
pub fn buffer_of(t: &Tensor, writes: bool, overwrites_all: bool) -> Result<wgpu::Buffer> {
    let gpu_mem = t.storage.gpu().expect("a cuda tensor has GPU memory");
    gpu_mem.buffer(t.storage.host_block(), writes, overwrites_all)
}

/// Whether the view covers its whole storage in order (so a kernel writing it replaces every
/// byte, and the old contents need not reach the GPU first).
pub fn covers_storage(t: &Tensor) -> bool {
    t.is_contiguous() && t.layout.offset == 0 && t.numel() * t.dtype.size() == t.storage.nbytes()
}

/// Element indices must fit the kernels' i32 arithmetic.
pub fn fits_i32(t: &Tensor) -> bool {
    t.storage.nbytes() / t.dtype.size().max(1) < i32::MAX as usize
}

/// Workgroup counts covering `n` invocations of `WORKGROUP` threads (x capped at the limit, the
/// rest in y; kernels flatten `gid.x + gid.y * nwg.x * WORKGROUP`).
pub fn groups_for(n: usize) -> (u32, u32, u32) {
    let groups = (n as u32).div_ceil(WORKGROUP).max(1);
    let x = groups.min(65535);
    (x, groups.div_ceil(x), 1)
}

/// Records one dispatch of the kernel `key` (compiled from `wgsl` on first use): `buffers` at
/// their bindings and the `params` words at binding `params_binding`.
pub fn launch(
    gpu: &Gpu,
    key: &str,
    wgsl: impl FnOnce() -> String,
    buffers: &[(u32, &wgpu::Buffer)],
    params: &[i32],
    params_binding: u32,
    groups: (u32, u32, u32),
) -> Result<()> {
    let pipeline = gpu.pipeline(key, wgsl)?;
    let (arena, offset, size) = gpu.params(params)?;
    let mut entries: Vec<wgpu::BindGroupEntry> =
        buffers.iter().map(|(b, buf)| wgpu::BindGroupEntry { binding: *b, resource: buf.as_entire_binding() }).collect();
    entries.push(wgpu::BindGroupEntry {
        binding: params_binding,
        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: &arena, offset, size: Some(size) }),
    });
    let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor { label: None, layout: &pipeline.get_bind_group_layout(0), entries: &entries });
    gpu.record(|enc| {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, groups.2);
    });
    super::memory::STATS.dispatches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    super::faults::check()
}
