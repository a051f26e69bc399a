//! Generated WGSL kernels for copy/cast and fill, over strided views. A kernel is compiled once
//! per (op, element types, layout class) and cached by `Gpu::pipeline`. Dtypes without a kernel
//! here take the host-staged path: the CPU kernel runs on the storages' host blocks.
use super::{context, Gpu};
use crate::backend::cpu::map;
use crate::dtype::{DType, Element, Scalar};
use crate::error::Result;
use crate::storage::Device;
use crate::tensor::Tensor;
use crate::with_dtype;
use std::sync::Arc;

const WORKGROUP: u32 = 256;

/// How a copy from one dtype to another runs on the GPU, when it can.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyKind {
    /// Same dtype: the element's 4-byte words are copied as they are (1 or 2 words).
    Words(u32),
    /// A conversion between WGSL scalar types (f32 <-> i32).
    Cast(&'static str, &'static str),
}

fn wgsl_scalar(dtype: DType) -> Option<&'static str> {
    match dtype {
        DType::F32 => Some("f32"),
        DType::I32 => Some("i32"),
        _ => None,
    }
}

fn words(dtype: DType) -> Option<u32> {
    match dtype.size() {
        4 => Some(1),
        8 => Some(2),
        _ => None,
    }
}

fn copy_kind(src: DType, dst: DType) -> Option<CopyKind> {
    if src == dst {
        return words(src).map(CopyKind::Words);
    }
    Some(CopyKind::Cast(wgsl_scalar(src)?, wgsl_scalar(dst)?))
}

/// The element offsets of output index `i` in the destination (`d`) and source (`s`) views,
/// from the shape and strides in `meta` (see `meta_words`).
const STRIDED_INDEX: &str = r#"
    let nd = params[1];
    var rem = i;
    var d = params[2];
    var s = params[3];
    for (var k = nd - 1; k >= 0; k = k - 1) {
        let size = params[4 + k];
        let idx = rem % size;
        rem = rem / size;
        d = d + idx * params[4 + nd + k];
        s = s + idx * params[4 + 2 * nd + k];
    }
"#;

const CONTIGUOUS_INDEX: &str = r#"
    let d = params[2] + i;
    let s = params[3] + i;
"#;

fn kernel(dst_ty: &str, src_ty: Option<&str>, contiguous: bool, body: &str) -> String {
    let src = src_ty.map_or(String::new(), |t| format!("@group(0) @binding(1) var<storage, read> src: array<{}>;\n", t));
    format!(
        r#"@group(0) @binding(0) var<storage, read_write> dst: array<{dst_ty}>;
{src}@group(0) @binding(2) var<storage, read> params: array<i32>;
@compute @workgroup_size({WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let i = i32(gid.x + gid.y * nwg.x * {WORKGROUP}u);
    if (i >= params[0]) {{ return; }}
    {index}
    {body}
}}
"#,
        index = if contiguous { CONTIGUOUS_INDEX } else { STRIDED_INDEX },
    )
}

/// `[n, ndim, dst_offset, src_offset, shape.., dst_strides.., src_strides.., extra..]`.
fn meta_words(out: &Tensor, src: Option<&Tensor>, extra: &[i32]) -> Vec<i32> {
    let nd = out.ndim();
    let mut m = vec![out.numel() as i32, nd as i32, out.layout.offset as i32, src.map_or(0, |s| s.layout.offset as i32)];
    m.extend(out.shape().iter().map(|&d| d as i32));
    m.extend(out.strides().iter().map(|&d| d as i32));
    match src {
        Some(s) => m.extend(s.strides().iter().map(|&d| d as i32)),
        None => m.extend(std::iter::repeat_n(0, nd)),
    }
    m.extend_from_slice(extra);
    m
}

/// Whether the view covers its whole storage in order (so a kernel writing it replaces every
/// byte, and the old contents need not reach the GPU first).
fn covers_storage(t: &Tensor) -> bool {
    t.is_contiguous() && t.layout.offset == 0 && t.numel() * t.dtype.size() == t.storage.nbytes()
}

/// Element indices must fit the kernels' i32 arithmetic.
fn fits_i32(t: &Tensor) -> bool {
    t.storage.nbytes() / t.dtype.size().max(1) < i32::MAX as usize
}

fn dispatch(gpu: &Gpu, key: &str, wgsl: impl FnOnce() -> String, buffers: &[(u32, wgpu::Buffer)], meta: &[i32], n: usize) {
    let pipeline = gpu.pipeline(key, wgsl);
    let meta_buf = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("meta"),
        size: (meta.len() * 4) as u64,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: true,
    });
    {
        let mut view = meta_buf.slice(..).get_mapped_range_mut().expect("a buffer mapped at creation");
        let bytes: Vec<u8> = meta.iter().flat_map(|w| w.to_le_bytes()).collect();
        view.copy_from_slice(&bytes);
    }
    meta_buf.unmap();
    let mut entries: Vec<wgpu::BindGroupEntry> = buffers.iter().map(|(b, buf)| wgpu::BindGroupEntry { binding: *b, resource: buf.as_entire_binding() }).collect();
    entries.push(wgpu::BindGroupEntry { binding: 2, resource: meta_buf.as_entire_binding() });
    let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor { label: None, layout: &pipeline.get_bind_group_layout(0), entries: &entries });
    let groups = (n as u32).div_ceil(WORKGROUP);
    let x = groups.min(65535);
    let y = groups.div_ceil(x);
    gpu.record(|enc| {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(x, y, 1);
    });
}

/// The device buffer of a `cuda` tensor's storage.
fn buffer_of(t: &Tensor, writes: bool, overwrites_all: bool) -> Result<wgpu::Buffer> {
    let gpu_mem = t.storage.gpu().expect("a cuda tensor has GPU memory");
    gpu_mem.buffer(t.storage.host_block(), writes, overwrites_all)
}

/// `out[...] = src[...]` (cast), where at least one side is on the GPU.
pub fn copy_cast(out: &Tensor, src: &Tensor) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    let same_storage = Arc::ptr_eq(&out.storage, &src.storage);
    if same_storage && out.layout == src.layout && out.dtype == src.dtype {
        return Ok(());
    }
    let on_gpu = out.device() == Device::Cuda && src.device() == Device::Cuda;
    if let (true, false, Some(kind)) = (on_gpu, same_storage, copy_kind(src.dtype, out.dtype)) {
        if fits_i32(out) && fits_i32(src) {
            return gpu_copy(out, src, kind);
        }
    }
    // Host-staged: the CPU kernel runs on the host blocks (brought up to date by `as_ptr`);
    // a `cuda` destination then goes to its device buffer through a staging buffer.
    map::copy_cast(out, src);
    if out.device() == Device::Cuda {
        buffer_of(out, false, false)?;
    }
    Ok(())
}

fn gpu_copy(out: &Tensor, src: &Tensor, kind: CopyKind) -> Result<()> {
    let gpu = context()?;
    let contiguous = out.is_contiguous() && src.is_contiguous();
    let class = if contiguous { "contiguous" } else { "strided" };
    let src_buf = buffer_of(src, false, false)?;
    let dst_buf = buffer_of(out, true, covers_storage(out))?;
    let meta = meta_words(out, Some(src), &[]);
    let bufs = [(0, dst_buf), (1, src_buf)];
    match kind {
        CopyKind::Words(w) => {
            let body = (0..w).map(|k| format!("dst[d * {w} + {k}] = src[s * {w} + {k}];")).collect::<Vec<_>>().join("\n    ");
            dispatch(gpu, &format!("copy_w{w}_{class}"), || kernel("u32", Some("u32"), contiguous, &body), &bufs, &meta, out.numel());
        }
        CopyKind::Cast(from, to) => {
            let body = format!("dst[d] = {to}(src[s]);");
            dispatch(gpu, &format!("cast_{from}_{to}_{class}"), || kernel(to, Some(from), contiguous, &body), &bufs, &meta, out.numel());
        }
    }
    Ok(())
}

/// The element's bytes as little-endian 4-byte words (1 or 2).
fn value_words<T: Element>(v: T) -> Vec<i32> {
    let mut bytes = [0u8; 8];
    let n = std::mem::size_of::<T>();
    // SAFETY: T is a plain scalar of n <= 8 bytes.
    unsafe { std::ptr::copy_nonoverlapping(&v as *const T as *const u8, bytes.as_mut_ptr(), n) };
    bytes[..n].chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// Every element of the `cuda` view `out` set to `value`.
pub fn fill(out: &Tensor, value: Scalar) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    let Some(w) = words(out.dtype).filter(|_| fits_i32(out)) else {
        with_dtype!(out.dtype, T => map::fill::<T>(out, T::from_scalar(value)));
        return Ok(());
    };
    let gpu = context()?;
    let value = with_dtype!(out.dtype, T => value_words(T::from_scalar(value)));
    let contiguous = out.is_contiguous();
    let class = if contiguous { "contiguous" } else { "strided" };
    let dst_buf = buffer_of(out, true, covers_storage(out))?;
    let meta = meta_words(out, None, &value);
    // The value's words end `meta`.
    let body = (0..w).map(|k| format!("dst[d * {w} + {k}] = u32(params[i32(arrayLength(&params)) - {w} + {k}]);")).collect::<Vec<_>>().join("\n    ");
    dispatch(gpu, &format!("fill_w{w}_{class}"), || kernel("u32", None, contiguous, &body), &[(0, dst_buf)], &meta, out.numel());
    Ok(())
}
