//! Generated WGSL kernels for copy and fill over strided views: same-dtype copies and fills move
//! 4-byte words (so 8-byte dtypes work everywhere); casts and byte-sized fills are generated
//! elementwise kernels. A kernel is compiled once per (op, element types, layout class) and
//! cached by `Gpu::pipeline`. Dtypes without a kernel take the host-staged path: the CPU kernel
//! runs on the storages' host blocks.
use super::context;
use super::launch::{buffer_of, covers_storage, fits_i32, groups_for, launch, WORKGROUP};
use crate::backend::cpu::map;
use crate::dtype::{DType, Element, Scalar};
use crate::error::Result;
use crate::storage::Device;
use crate::tensor::Tensor;
use crate::with_dtype;
use std::sync::Arc;
use super::elementwise::{self, Input};

fn words(dtype: DType) -> Option<u32> {
    match dtype.size() {
        4 => Some(1),
        8 => Some(2),
        _ => None,
    }
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
    if on_gpu && !same_storage && fits_i32(out) && fits_i32(src) {
        match words(src.dtype).filter(|_| src.dtype == out.dtype) {
            Some(w) => return word_copy(out, src, w),
            None if elementwise::map("cast", "x", src.dtype, out, &[Input::tensor(src)])? => return Ok(()),
            None => {}
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

/// A same-dtype copy moving the element's `w` 4-byte words as they are.
fn word_copy(out: &Tensor, src: &Tensor, w: u32) -> Result<()> {
    let gpu = context()?;
    let contiguous = out.is_contiguous() && src.is_contiguous();
    let class = if contiguous { "contiguous" } else { "strided" };
    let src_buf = buffer_of(src, false, false)?;
    let dst_buf = buffer_of(out, true, covers_storage(out))?;
    let meta = meta_words(out, Some(src), &[]);
    let bufs = [(0, &dst_buf), (1, &src_buf)];
    let body = (0..w).map(|k| format!("dst[d * {w} + {k}] = src[s * {w} + {k}];")).collect::<Vec<_>>().join("\n    ");
    launch(gpu, &format!("copy_w{w}_{class}"), || kernel("u32", Some("u32"), contiguous, &body), &bufs, &meta, 2, groups_for(out.numel()))
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
        if !elementwise::map("fill", "x", out.dtype, out, &[Input::scalar(value, out.dtype)])? {
            with_dtype!(out.dtype, T => map::fill::<T>(out, T::from_scalar(value)));
        }
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
    launch(gpu, &format!("fill_w{w}_{class}"), || kernel("u32", None, contiguous, &body), &[(0, &dst_buf)], &meta, 2, groups_for(out.numel()))?;
    Ok(())
}
