//! Reductions over all elements or a set of dims (`dim` as int, tuple or list; `keepdim`).
use crate::backend::cpu::simd::{dispatch, PARALLEL_GRAIN};
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::layout::{wrap_dim, Dims};
use crate::tensor::Tensor;
use half::{bf16, f16};
use rayon::prelude::*;

/// Normalised reduction dims: sorted, unique, wrapped. `None` or an empty list means all dims.
pub fn reduction_dims(dims: Option<&[i64]>, ndim: usize) -> Result<Vec<usize>> {
    let Some(dims) = dims.filter(|d| !d.is_empty()) else {
        return Ok((0..ndim).collect());
    };
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let w = wrap_dim(d, ndim)?;
        if out.contains(&w) {
            return runtime(format!("dim {} appears multiple times in the list of dims", w));
        }
        out.push(w);
    }
    out.sort_unstable();
    // A 0-dim tensor reduces over "dim 0" as over nothing.
    out.retain(|&d| d < ndim);
    Ok(out)
}

/// The result shape of reducing `dims` of `shape`.
pub fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Dims {
    let mut out = Dims::new();
    for (i, &s) in shape.iter().enumerate() {
        if !dims.contains(&i) {
            out.push(s);
        } else if keepdim {
            out.push(1);
        }
    }
    out
}

/// Calls `f` on each reduced row: the input is arranged (kept dims first, reduced dims last,
/// contiguous) so every output element reduces one contiguous slice of length `row_len`.
pub fn reduce_rows<T: Element, O: Element>(
    t: &Tensor,
    dims: &[usize],
    keepdim: bool,
    f: impl Fn(&[T]) -> O + Sync,
) -> Result<Tensor> {
    let kept: Vec<usize> = (0..t.ndim()).filter(|d| !dims.contains(d)).collect();
    let order: Vec<usize> = kept.iter().chain(dims.iter()).copied().collect();
    let arranged = t.with_layout(t.layout.permute(&order)).contiguous()?;
    let out = Tensor::empty(&reduced_shape(t.shape(), dims, keepdim), O::DTYPE)?;
    let rows = out.numel();
    let row_len = dims.iter().map(|&d| t.shape()[d]).product::<usize>();
    // SAFETY: `arranged` holds rows*row_len contiguous elements of T; `out` holds `rows` of O.
    let src = unsafe { std::slice::from_raw_parts(arranged.data_ptr::<T>(), rows * row_len) };
    let dst = unsafe { std::slice::from_raw_parts_mut(out.data_ptr::<O>(), rows) };
    if row_len == 0 {
        dst.iter_mut().for_each(|o| *o = f(&[]));
    } else if rows * row_len >= PARALLEL_GRAIN && rows > 1 {
        let per_task = (PARALLEL_GRAIN / row_len).max(1);
        dst.par_chunks_mut(per_task)
            .zip(src.par_chunks(per_task * row_len))
            .for_each(|(d, s)| d.iter_mut().zip(s.chunks(row_len)).for_each(|(o, r)| *o = f(r)));
    } else {
        dst.iter_mut().zip(src.chunks(row_len)).for_each(|(o, r)| *o = f(r));
    }
    Ok(out)
}

/// Sum of a slice with several independent accumulators (vectorisable, and more accurate than
/// one running sum); long slices are split across threads.
fn sum_slice<T, A>(s: &[T], widen: impl Fn(T) -> A + Sync + Copy) -> A
where
    T: Copy + Sync,
    A: Copy + Send + Default + std::ops::Add<Output = A>,
{
    const LANES: usize = 16;
    let serial = |s: &[T]| -> A {
        dispatch(|| {
            let mut acc = [A::default(); LANES];
            let chunks = s.chunks_exact(LANES);
            let tail = chunks.remainder();
            for c in chunks {
                for i in 0..LANES {
                    acc[i] = acc[i] + widen(c[i]);
                }
            }
            let mut total = A::default();
            for &t in tail {
                total = total + widen(t);
            }
            acc.iter().fold(total, |a, &b| a + b)
        })
    };
    if s.len() >= 4 * PARALLEL_GRAIN {
        s.par_chunks(4 * PARALLEL_GRAIN).map(serial).reduce(A::default, |a, b| a + b)
    } else {
        serial(s)
    }
}

/// `sum`: integers and bools sum to int64; floats keep their dtype (half types accumulate in f32).
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let src = match dtype {
        Some(d) => t.to_dtype(d)?,
        None if !t.dtype.is_float() => t.to_dtype(DType::I64)?,
        None => t.clone(),
    };
    let dims = reduction_dims(dims, t.ndim())?;
    match src.dtype {
        DType::F32 => reduce_rows::<f32, f32>(&src, &dims, keepdim, |r| sum_slice(r, |v| v)),
        DType::F64 => reduce_rows::<f64, f64>(&src, &dims, keepdim, |r| sum_slice(r, |v| v)),
        DType::F16 => reduce_rows::<f16, f16>(&src, &dims, keepdim, |r| f16::from_f32(sum_slice(r, |v: f16| v.to_f32()))),
        DType::BF16 => reduce_rows::<bf16, bf16>(&src, &dims, keepdim, |r| bf16::from_f32(sum_slice(r, |v: bf16| v.to_f32()))),
        DType::I64 => reduce_rows::<i64, i64>(&src, &dims, keepdim, |r| r.iter().fold(0i64, |a, &b| a.wrapping_add(b))),
        other => crate::with_dtype!(other, T => reduce_rows::<T, T>(&src, &dims, keepdim, |r| {
            T::from_i64(r.iter().fold(0i64, |a, &b| a.wrapping_add(b.to_i64())))
        })),
    }
}

/// `mean`: only floating inputs (or an explicit float `dtype`), as in PyTorch.
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out_dtype = dtype.unwrap_or(t.dtype);
    if !out_dtype.is_float() {
        return runtime(format!(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            crate::ops::binary::type_label(t.dtype)
        ));
    }
    let wrapped = reduction_dims(dims, t.ndim())?;
    let count = wrapped.iter().map(|&d| t.shape()[d]).product::<usize>();
    let total = sum(t, dims, keepdim, Some(out_dtype))?;
    crate::ops::binary::binary(
        crate::ops::binary::BinOp::Div,
        &total,
        &crate::ops::binary::Other::Scalar(crate::dtype::Scalar::Float(count as f64)),
    )
}
