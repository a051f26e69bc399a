//! Shape ops that copy: joining (cat, stack), reordering (flip, roll), repeating and the
//! diagonal/triangle family. Each one is a strided copy between views, so it reuses the
//! elementwise copy kernel (casts, contiguous fast paths and parallelism included).
use super::shape::{atleast_nd, diagonal, fmt_dims, narrow, select, unique_dims, unsqueeze};
use crate::backend::cpu::map;
use crate::dtype::{promote_types, Element};
use crate::error::{runtime, Result};
use crate::layout::{contiguous_strides, wrap_dim, Dims, Layout, Strides};
use crate::tensor::Tensor;
use crate::with_dtype;

/// PyTorch skips legacy empty tensors (`shape == [0]`) in `cat` whatever the other shapes.
fn skipped_in_cat(t: &Tensor) -> bool {
    t.shape() == [0]
}

pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        return runtime("torch.cat(): expected a non-empty list of Tensors");
    }
    if let Some(i) = tensors.iter().position(|t| t.ndim() == 0) {
        return runtime(format!("zero-dimensional tensor (at position {}) cannot be concatenated", i));
    }
    let dtype = tensors.iter().skip(1).try_fold(tensors[0].dtype, |acc, t| promote_types(acc, t.dtype))?;
    let Some(reference) = tensors.iter().find(|t| !skipped_in_cat(t)) else {
        return Tensor::empty(&[0], dtype);
    };
    let d = wrap_dim(dim, reference.ndim())?;
    let mut shape: Dims = reference.shape_dims();
    shape[d] = 0;
    for (i, t) in tensors.iter().enumerate().filter(|(_, t)| !skipped_in_cat(t)) {
        if t.ndim() != reference.ndim() {
            return runtime(format!("Tensors must have same number of dimensions: got {} and {}", reference.ndim(), t.ndim()));
        }
        for k in (0..t.ndim()).filter(|&k| k != d) {
            if t.shape()[k] != reference.shape()[k] {
                return runtime(format!(
                    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                    d,
                    reference.shape()[k],
                    t.shape()[k],
                    i
                ));
            }
        }
        shape[d] += t.shape()[d];
    }
    let out = Tensor::empty(&shape, dtype)?;
    let mut start = 0;
    for t in tensors.iter().filter(|t| !skipped_in_cat(t)) {
        let len = t.shape()[d];
        // Device-aware: a GPU copy kernel per piece on cuda tensors.
        crate::backend::copy_cast(&narrow(&out, d as i64, start, len as i64)?, t)?;
        start += len as i64;
    }
    Ok(out)
}

pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let Some(first) = tensors.first() else {
        return runtime("stack expects a non-empty TensorList");
    };
    for (i, t) in tensors.iter().enumerate().skip(1) {
        if t.shape() != first.shape() {
            return runtime(format!(
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                fmt_dims(first.shape()),
                fmt_dims(t.shape()),
                i
            ));
        }
    }
    let d = wrap_dim(dim, first.ndim() + 1)? as i64;
    let expanded = tensors.iter().map(|t| unsqueeze(t, d)).collect::<Result<Vec<_>>>()?;
    cat(&expanded, d)
}

/// `hstack` / `vstack` / `dstack`: cat after promoting every input to 1-, 2- or 3-D.
pub fn stack_along(tensors: &[Tensor], min_ndim: usize) -> Result<Tensor> {
    let lifted = tensors.iter().map(|t| atleast_nd(t, min_ndim)).collect::<Result<Vec<_>>>()?;
    let dim = match min_ndim {
        1 if lifted.first().is_some_and(|t| t.ndim() == 1) => 0,
        1 => 1,
        2 => 0,
        _ => 2,
    };
    cat(&lifted, dim)
}

/// `column_stack`: vectors become columns, then everything is joined along dim 1.
pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
    let columns = tensors
        .iter()
        .map(|t| if t.ndim() <= 1 { t.reshape(&[t.numel() as i64, 1]) } else { Ok(t.clone()) })
        .collect::<Result<Vec<_>>>()?;
    cat(&columns, 1)
}

pub fn flip(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let dims = unique_dims(dims, t.ndim())?;
    let mut layout = t.layout.clone();
    for &d in dims.iter().filter(|&&d| d < t.ndim()) {
        if layout.shape[d] > 0 {
            layout.offset = (layout.offset as isize + (layout.shape[d] as isize - 1) * layout.strides[d]) as usize;
        }
        layout.strides[d] = -layout.strides[d];
    }
    t.with_layout(layout).copy_to_new(t.dtype)
}

fn roll_dim(t: &Tensor, shift: i64, dim: usize) -> Result<Tensor> {
    let n = t.shape()[dim] as i64;
    let out = Tensor::empty(t.shape(), t.dtype)?;
    if n == 0 {
        return Ok(out);
    }
    let s = shift.rem_euclid(n);
    let d = dim as i64;
    map::copy_cast(&narrow(&out, d, s, n - s)?, &narrow(t, d, 0, n - s)?);
    map::copy_cast(&narrow(&out, d, 0, s)?, &narrow(t, d, n - s, s)?);
    Ok(out)
}

/// `roll(shifts, dims)`; without dims the tensor rolls as if flattened.
pub fn roll(t: &Tensor, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
    if dims.is_empty() {
        if shifts.len() != 1 {
            return runtime(format!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len()));
        }
        let flat = t.reshape(&[-1])?;
        let shape: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
        return roll_dim(&flat, shifts[0], 0)?.reshape(&shape);
    }
    if shifts.len() != dims.len() {
        return runtime(format!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len()));
    }
    if t.numel() == 0 {
        // PyTorch returns the copy before it looks at the dims.
        return t.copy_to_new(t.dtype);
    }
    let mut out = t.clone();
    for (&s, &d) in shifts.iter().zip(dims) {
        out = roll_dim(&out, s, crate::layout::wrap_existing_dim(d, t.ndim())?)?;
    }
    Ok(out)
}

/// `repeat(reps)`: one strided copy from the input, seen with a stride-0 dim before each of its
/// dims, into the output seen as (rep0, size0, rep1, size1, ...).
pub fn repeat(t: &Tensor, reps: &[i64]) -> Result<Tensor> {
    if reps.len() < t.ndim() {
        return runtime("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
    }
    if let Some(&r) = reps.iter().find(|&&r| r < 0) {
        return runtime(format!("Trying to create tensor with negative dimension {}: {}", r, fmt_dims(reps)));
    }
    let lead = reps.len() - t.ndim();
    let (mut pairs, mut src_strides) = (Dims::new(), Strides::new());
    for (i, &r) in reps.iter().enumerate() {
        let (size, stride) = if i < lead { (1, 0) } else { (t.shape()[i - lead], t.strides()[i - lead]) };
        pairs.extend([r as usize, size]);
        src_strides.extend([0, stride]);
    }
    let out_shape = pairs
        .chunks(2)
        .map(|p| p[0].checked_mul(p[1]))
        .collect::<Option<Dims>>()
        .ok_or_else(|| crate::error::Error::Runtime(format!("repeat: sizes {} overflow", fmt_dims(reps))))?;
    let out = Tensor::empty(&out_shape, t.dtype)?;
    let dst = out.with_layout(Layout { strides: contiguous_strides(&pairs), shape: pairs.clone(), offset: 0 });
    let src = t.with_layout(Layout { shape: pairs, strides: src_strides, offset: t.layout.offset });
    map::copy_cast(&dst, &src);
    Ok(out)
}

/// `tile(reps)`: `repeat` with reps padded by leading ones up to the tensor's rank.
pub fn tile(t: &Tensor, reps: &[i64]) -> Result<Tensor> {
    let pad = t.ndim().saturating_sub(reps.len());
    let full: Vec<i64> = std::iter::repeat_n(1, pad).chain(reps.iter().copied()).collect();
    repeat(t, &full)
}

/// `diag`: a vector becomes a square matrix with it on diagonal `offset`; a matrix gives
/// (a copy of) its diagonal `offset`.
pub fn diag(t: &Tensor, offset: i64) -> Result<Tensor> {
    match t.ndim() {
        1 => {
            let n = t.shape()[0] + offset.unsigned_abs() as usize;
            let out = Tensor::zeros(&[n, n], t.dtype)?;
            map::copy_cast(&diagonal(&out, offset, 0, 1)?, t);
            Ok(out)
        }
        2 => diagonal(t, offset, 0, 1)?.copy_to_new(t.dtype),
        d => runtime(format!("diag(): Supports 1D or 2D tensors. Got {}D", d)),
    }
}

/// `diag_embed`: the last dim becomes the diagonal of new dims `dim1`, `dim2`.
pub fn diag_embed(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let ndim = t.ndim() + 1;
    let (d1, d2) = (wrap_dim(dim1, ndim)?, wrap_dim(dim2, ndim)?);
    if d1 == d2 {
        return runtime(format!("diagonal dimensions cannot be identical {}, {}", dim1, dim2));
    }
    let n = t.shape().last().copied().unwrap_or(1) + offset.unsigned_abs() as usize;
    let mut batch = t.shape()[..t.ndim().saturating_sub(1)].iter().copied();
    let shape: Dims = (0..ndim).map(|i| if i == d1 || i == d2 { n } else { batch.next().unwrap_or(1) }).collect();
    let out = Tensor::zeros(&shape, t.dtype)?;
    let diag_view = diagonal(&out, offset, d1 as i64, d2 as i64)?;
    map::copy_cast(&diag_view, &t.broadcast_to(diag_view.shape())?);
    Ok(out)
}

/// Zeroes, in place, the part of every matrix (last two dims) outside the kept triangle:
/// `lower` keeps columns `c <= r + k` of row `r`, otherwise `c >= r + k`.
fn zero_outside_triangle(t: &Tensor, k: i64, lower: bool, name: &str) -> Result<()> {
    if t.ndim() < 2 {
        return runtime(format!("{}: input tensor must have at least 2 dimensions", name));
    }
    let (rows, cols) = (t.shape()[t.ndim() - 2] as i64, t.shape()[t.ndim() - 1] as i64);
    for r in 0..rows {
        let (start, end) = if lower { ((r + k + 1).clamp(0, cols), cols) } else { (0, (r + k).clamp(0, cols)) };
        if start < end {
            let part = narrow(&select(t, -2, r)?, -1, start, end - start)?;
            with_dtype!(t.dtype, T => map::fill::<T>(&part, T::ZERO));
        }
    }
    Ok(())
}

pub fn tril(t: &Tensor, k: i64) -> Result<Tensor> {
    let out = t.copy_to_new(t.dtype)?;
    zero_outside_triangle(&out, k, true, "tril")?;
    Ok(out)
}

pub fn triu(t: &Tensor, k: i64) -> Result<Tensor> {
    let out = t.copy_to_new(t.dtype)?;
    zero_outside_triangle(&out, k, false, "triu")?;
    Ok(out)
}

pub fn tril_(t: &Tensor, k: i64) -> Result<()> {
    zero_outside_triangle(t, k, true, "tril")?;
    t.storage.bump_version();
    Ok(())
}

pub fn triu_(t: &Tensor, k: i64) -> Result<()> {
    zero_outside_triangle(t, k, false, "triu")?;
    t.storage.bump_version();
    Ok(())
}

/// `trace`: the sum of the main diagonal (integers sum as int64, like `sum`).
pub fn trace(t: &Tensor) -> Result<Tensor> {
    if t.ndim() != 2 {
        return runtime(format!("trace: expected a matrix, but got tensor with dim {}", t.ndim()));
    }
    super::reduce::sum(&diagonal(t, 0, 0, 1)?, None, false, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn copies_rearrange_like_numpy() {
        let t = Tensor::from_vec(vec![1i64, 2, 3, 4], &[2, 2]).unwrap();
        assert_eq!(repeat(&t, &[1, 2]).unwrap().to_vec::<i64>().unwrap(), vec![1, 2, 1, 2, 3, 4, 3, 4]);
        assert_eq!(flip(&t, &[0, 1]).unwrap().to_vec::<i64>().unwrap(), vec![4, 3, 2, 1]);
        assert_eq!(roll(&t, &[1], &[]).unwrap().to_vec::<i64>().unwrap(), vec![4, 1, 2, 3]);
        assert_eq!(tril(&t, 0).unwrap().to_vec::<i64>().unwrap(), vec![1, 0, 3, 4]);
        let half = Tensor::from_vec(vec![0.5f32], &[1]).unwrap();
        let joined = cat(&[t.reshape(&[-1]).unwrap(), half], 0).unwrap();
        assert_eq!(joined.dtype, DType::F32);
        assert_eq!(joined.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, 4.0, 0.5]);
    }
}
