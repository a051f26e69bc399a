//! Index-driven ops beyond `[]`: index_select, gather/scatter, masked ops, where, take and the
//! index_add_/index_copy_/index_fill_ family.
use super::binary::{type_label, Arith, Other};
use super::index::{get_item, index, index_put_, TensorIndex};
use super::shape::fmt_dims;
use crate::backend::cpu::map;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::{broadcast_shapes, wrap_dim, Layout, Strides};
use crate::tensor::Tensor;
use crate::with_dtype;

fn check_bool_mask(mask: &Tensor, op: &str) -> Result<()> {
    if mask.dtype != DType::Bool {
        return runtime(format!("{} only supports boolean masks, but got mask with dtype {}", op, mask.dtype.name()));
    }
    Ok(())
}

/// `masked_fill_(mask, value)`: `value` where the (broadcast) mask is true.
pub fn masked_fill_(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    check_bool_mask(mask, "masked_fill_")?;
    value.check_fits(t.dtype, true)?;
    let mask = mask.broadcast_to(t.shape())?;
    crate::with_any_dtype!(t.dtype, T => {
        let v = T::from_scalar(value);
        map::binary_into::<T, bool, T>(t, t, &mask, move |x, m| if m { v } else { x });
    });
    t.storage.bump_version();
    Ok(())
}

/// `masked_fill`: the result has the broadcast shape of input and mask.
pub fn masked_fill(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<Tensor> {
    check_bool_mask(mask, "masked_fill_")?;
    let out = t.broadcast_to(&broadcast_shapes(t.shape(), mask.shape())?)?.copy_to_new(t.dtype)?;
    masked_fill_(&out, mask, value)?;
    Ok(out)
}

pub fn masked_select(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    if mask.dtype != DType::Bool {
        return runtime("masked_select: expected BoolTensor for mask");
    }
    let shape = broadcast_shapes(t.shape(), mask.shape())?;
    let (t, mask) = (t.broadcast_to(&shape)?, mask.broadcast_to(&shape)?);
    if shape.is_empty() {
        return get_item(&t.reshape(&[1])?, &[TensorIndex::Tensor(mask.reshape(&[1])?)]);
    }
    get_item(&t, &[TensorIndex::Tensor(mask)])
}

fn check_index_vector(index: &Tensor, op: &str) -> Result<Tensor> {
    if index.ndim() > 1 {
        return Err(Error::Index(format!("{}(): Index is supposed to be a vector", op)));
    }
    if !matches!(index.dtype, DType::I64 | DType::I32) {
        return runtime(format!("{}(): Expected dtype int32 or int64 for index", op));
    }
    index.reshape(&[-1])
}

/// `None` for every dim before `dim`, then `index`: advanced indexing along one dim.
fn along(dim: usize, index: Tensor) -> Vec<Option<Tensor>> {
    let mut v = vec![None; dim];
    v.push(Some(index));
    v
}

/// The dim an index op works on, with 0-dim tensors seen as 1-element vectors.
fn as_vector_op(t: &Tensor, dim: i64) -> Result<(Tensor, usize)> {
    let d = wrap_dim(dim, t.ndim())?;
    Ok((if t.ndim() == 0 { t.reshape(&[1])? } else { t.clone() }, d))
}

fn check_in_range(index: &[i64], size: usize, message: impl Fn(i64) -> Error) -> Result<()> {
    match index.iter().find(|&&i| i < 0 || i as usize >= size) {
        Some(&i) => Err(message(i)),
        None => Ok(()),
    }
}

pub fn index_select(t: &Tensor, dim: i64, index_t: &Tensor) -> Result<Tensor> {
    let (src, d) = as_vector_op(t, dim)?;
    let index_v = check_index_vector(index_t, "index_select")?;
    let indices = index_v.to_vec::<i64>()?;
    let size = src.shape()[d];
    // PyTorch's CPU kernel checks the bounds per path: an empty input or the dim-1 fast path of a
    // 2+-dim input raise RuntimeError, the general path IndexError.
    if t.ndim() > 1 && !indices.is_empty() && (t.numel() == 0 || d == 1) {
        if size == 0 {
            return Err(Error::Index("index_select(): self indexing axis dim should be positive".into()));
        }
        check_in_range(&indices, size, |i| {
            Error::Runtime(format!("INDICES element is out of DATA bounds, id={} axis_dim={}", i, size))
        })?;
    } else {
        check_in_range(&indices, size, |_| Error::Index("index out of range in self".into()))?;
    }
    let out = index(&src, &along(d, index_v))?;
    if t.ndim() == 0 { out.reshape(&[]) } else { Ok(out) }
}

/// `take(index)`: elements of the flattened input, in the shape of `index`.
pub fn take(t: &Tensor, index_t: &Tensor) -> Result<Tensor> {
    if index_t.dtype != DType::I64 {
        return runtime(format!("take(): Expected a long tensor for index, but got {}", type_label(index_t.dtype)));
    }
    let n = t.numel() as i64;
    if let Some(&i) = index_t.to_vec::<i64>()?.iter().find(|&&i| i < -n || i >= n) {
        return Err(Error::Index(format!("out of range: tried to access index {} on a tensor of {} elements.", i, n)));
    }
    index(&t.reshape(&[-1])?, &[Some(index_t.clone())])
}

/// Shared checks and geometry of gather/scatter: `index` has the input's rank, and per element
/// position p the addressed element is `base_offsets[p] + index[p] * stride(dim)`.
struct DimIndex {
    dim: usize,
    values: Vec<i64>,
    /// Offsets in `target` of each index position with the indexed coordinate set to 0.
    base_offsets: Vec<isize>,
}

fn dim_index(target: &Tensor, dim: i64, index: &Tensor, op: &str) -> Result<DimIndex> {
    let d = wrap_dim(dim, target.ndim())?;
    // PyTorch 2.15 takes int32 indices as well as int64.
    if !matches!(index.dtype, DType::I64 | DType::I32) {
        return runtime(format!("{}(): Expected dtype int32/int64 for index", op));
    }
    if index.ndim() != target.ndim() && !(index.ndim() <= 1 && target.ndim() <= 1) {
        return runtime("Index tensor must have the same number of dimensions as input tensor");
    }
    let index_shape: Vec<usize> = if index.ndim() == 0 { vec![1; target.ndim()] } else { index.shape().to_vec() };
    let target_shape: Vec<usize> = if target.ndim() == 0 { vec![1] } else { target.shape().to_vec() };
    for k in (0..target_shape.len()).filter(|&k| k != d) {
        if index_shape.get(k).copied().unwrap_or(1) > target_shape[k] {
            return runtime(format!(
                "Size does not match at dimension {} expected index {} to be no larger than self {} apart from dimension {}",
                k,
                fmt_dims(index.shape()),
                fmt_dims(target.shape()),
                d
            ));
        }
    }
    let values = index.to_dtype(DType::I64)?.to_vec::<i64>()?;
    let size = target_shape[d];
    check_in_range(&values, size, |i| {
        Error::Runtime(format!("index {} is out of bounds for dimension {} with size {}", i, d, size))
    })?;
    let mut strides: Strides = if target.ndim() == 0 { Strides::from_slice(&[0]) } else { target.layout.strides.clone() };
    strides[d] = 0;
    let block_shape = if index.ndim() == 0 { vec![1; strides.len()] } else { index_shape };
    let base_offsets = crate::ops::index::block_offsets(&block_shape, &strides)
        .into_iter()
        .map(|o| o + target.layout.offset as isize)
        .collect();
    Ok(DimIndex { dim: d, values, base_offsets })
}

impl DimIndex {
    fn stride(&self, t: &Tensor) -> isize {
        t.strides().get(self.dim).copied().unwrap_or(0)
    }
}

/// `gather(dim, index)`: `out[p] = input[p with coordinate dim replaced by index[p]]`.
pub fn gather(t: &Tensor, dim: i64, index_t: &Tensor) -> Result<Tensor> {
    let geometry = dim_index(t, dim, index_t, "gather")?;
    let out = Tensor::empty(index_t.shape(), t.dtype)?;
    let stride = geometry.stride(t);
    crate::with_any_dtype!(t.dtype, T => {
        let src = t.storage.as_ptr() as *const T;
        // SAFETY: `out` is fresh and contiguous; source offsets were range-checked above.
        let dst = unsafe { std::slice::from_raw_parts_mut(out.data_ptr::<T>(), out.numel()) };
        for ((d, &base), &i) in dst.iter_mut().zip(&geometry.base_offsets).zip(&geometry.values) {
            *d = unsafe { *src.offset(base + i as isize * stride) };
        }
    });
    Ok(out)
}

/// How `scatter_` combines a written value with the one already there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScatterReduce {
    Replace,
    Add,
    Multiply,
}

/// What `scatter_` writes: a tensor (read at the index positions) or one value.
pub enum ScatterSource<'a> {
    Tensor(&'a Tensor),
    Value(Scalar),
}

/// `scatter_(dim, index, src)`: `self[p with coordinate dim = index[p]] = src[p]`, in order.
pub fn scatter_(t: &Tensor, dim: i64, index_t: &Tensor, src: ScatterSource, reduce: ScatterReduce, op: &str) -> Result<()> {
    let geometry = dim_index(t, dim, index_t, op)?;
    let values = match src {
        ScatterSource::Tensor(s) => {
            if s.dtype != t.dtype {
                return runtime(format!("{}(): Expected self.dtype to be equal to src.dtype", op));
            }
            if s.ndim() != index_t.ndim() && index_t.ndim() > 0 {
                return runtime("Index tensor must have the same number of dimensions as src tensor");
            }
            if index_t.shape().iter().zip(s.shape()).any(|(i, s)| i > s) {
                return runtime(format!(
                    "Expected index {} to be no larger than src {}",
                    fmt_dims(index_t.shape()),
                    fmt_dims(s.shape())
                ));
            }
            // The part of src that lines up with index.
            s.with_layout(Layout { shape: index_t.layout.shape.clone(), strides: s.layout.strides.clone(), offset: s.layout.offset })
        }
        ScatterSource::Value(v) => Tensor::scalar_checked(v, t.dtype, true)?.broadcast_to(index_t.shape())?,
    };
    let stride = geometry.stride(t);
    with_dtype!(t.dtype, T => {
        let dst = t.storage.as_ptr() as *mut T;
        let vals = values.to_vec::<T>()?;
        for ((&base, &i), &v) in geometry.base_offsets.iter().zip(&geometry.values).zip(&vals) {
            // SAFETY: destination offsets were range-checked against `t`'s layout.
            unsafe {
                let p = dst.offset(base + i as isize * stride);
                *p = match reduce {
                    ScatterReduce::Replace => v,
                    ScatterReduce::Add => Arith::add(*p, v),
                    ScatterReduce::Multiply => Arith::mul(*p, v),
                };
            }
        }
    });
    t.storage.bump_version();
    Ok(())
}

/// Checks shared by index_add_/index_copy_: a vector index, one per source slice, in range.
fn index_along(t: &Tensor, dim: i64, index_t: &Tensor, source: Option<&Tensor>, op: &str) -> Result<(Tensor, Vec<Option<Tensor>>)> {
    let index_v = check_index_vector(index_t, op)?;
    let (target, d) = as_vector_op(t, dim)?;
    if let Some(s) = source {
        let slices = if s.ndim() == 0 { 1 } else { s.shape().get(d).copied().unwrap_or(1) };
        if slices != index_v.numel() {
            return runtime(format!(
                "{}(): Number of indices ({}) should be equal to source.size(dim) ({})",
                op,
                index_v.numel(),
                slices
            ));
        }
        if s.dtype != t.dtype {
            return runtime(format!(
                "{}(): self ({}) and source ({}) must have the same scalar type",
                op,
                type_label(t.dtype),
                type_label(s.dtype)
            ));
        }
    }
    // The bounds come last, as in PyTorch (its kernel checks them; the schema checks the rest).
    let size = target.shape()[d];
    check_in_range(&index_v.to_vec::<i64>()?, size, |i| {
        Error::Index(format!("index out of range in self: index {} for dimension {} with size {}", i, d, size))
    })?;
    Ok((target, along(d, index_v)))
}

/// `index_fill_` of an empty tensor: PyTorch views it with `dim` resized to the index's length
/// and stride 0 before its kernel runs, which over the empty storage fails unless the view is
/// empty too; then there is nothing to fill and no index is checked.
fn index_fill_empty(t: &Tensor, dim: i64, index_t: &Tensor) -> Result<()> {
    let (target, d) = as_vector_op(t, dim)?;
    check_index_vector(index_t, "index_fill_")?;
    let mut sizes = target.shape().to_vec();
    sizes[d] = index_t.numel();
    if sizes.contains(&0) {
        return Ok(());
    }
    let mut strides = target.strides().to_vec();
    strides[d] = 0;
    let extent: isize = sizes.iter().zip(&strides).map(|(&n, &s)| (n as isize - 1) * s).sum::<isize>() + 1;
    runtime(format!(
        "setStorage: sizes {:?}, strides {:?}, storage offset 0, and itemsize {} requiring a storage size of {} are out of bounds for storage of size 0",
        sizes, strides, t.dtype.size(), extent as usize * t.dtype.size()
    ))
}

/// `index_add_(dim, index, source, alpha)`: `self.select(dim, index[i]) += alpha * source.select(dim, i)`.
pub fn index_add_(t: &Tensor, dim: i64, index_t: &Tensor, source: &Tensor, alpha: Scalar) -> Result<()> {
    let (target, indices) = index_along(t, dim, index_t, Some(source), "index_add_")?;
    let scaled = if alpha == Scalar::Int(1) {
        source.clone()
    } else {
        super::binary::binary(super::binary::BinOp::Mul, source, &Other::Scalar(alpha))?.to_dtype(t.dtype)?
    };
    index_put_(&target, &indices, &scaled, true)
}

pub fn index_copy_(t: &Tensor, dim: i64, index_t: &Tensor, source: &Tensor) -> Result<()> {
    let (target, indices) = index_along(t, dim, index_t, Some(source), "index_copy_")?;
    index_put_(&target, &indices, source, false)
}

pub fn index_fill_(t: &Tensor, dim: i64, index_t: &Tensor, value: Scalar) -> Result<()> {
    if t.numel() == 0 {
        return index_fill_empty(t, dim, index_t);
    }
    let (target, indices) = index_along(t, dim, index_t, None, "index_fill_")?;
    index_put_(&target, &indices, &Tensor::scalar_checked(value, t.dtype, true)?, false)
}
