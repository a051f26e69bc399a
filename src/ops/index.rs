//! `tensor[index]` and `tensor[index] = value` with PyTorch's rules: ints, slices, None and
//! Ellipsis make a view ("basic" indexing); integer and bool tensors then gather or scatter
//! through a copy ("advanced" indexing), NumPy-style.
use super::shape::{expand, fmt_dims, slice, unsqueeze};
use crate::backend::cpu::simd::PARALLEL_GRAIN;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::{broadcast_shapes, Dims};
use crate::ops::binary::{type_label, Arith};
use crate::tensor::Tensor;
use crate::with_dtype;
use rayon::prelude::*;

/// One entry of an index expression.
#[derive(Clone)]
pub enum TensorIndex {
    Int(i64),
    Slice { start: Option<i64>, stop: Option<i64>, step: i64 },
    None,
    Ellipsis,
    Bool(bool),
    Tensor(Tensor),
}

/// What is written by `tensor[index] = value`.
pub enum SetValue {
    Scalar(Scalar),
    Tensor(Tensor),
}

fn is_mask(t: &Tensor) -> bool {
    matches!(t.dtype, DType::Bool | DType::U8)
}

/// Dims of the indexed tensor consumed by the expression (everything but None, Ellipsis, bools).
fn specified_dims(indices: &[TensorIndex]) -> usize {
    indices
        .iter()
        .map(|i| match i {
            TensorIndex::Tensor(t) if is_mask(t) => t.ndim(),
            TensorIndex::None | TensorIndex::Ellipsis | TensorIndex::Bool(_) => 0,
            _ => 1,
        })
        .sum()
}

/// `select` with the messages of Python indexing (`position` is the entry's place in the index).
fn select_checked(t: &Tensor, dim: usize, index: i64, position: usize) -> Result<Tensor> {
    if t.ndim() == 0 {
        return Err(Error::Index(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number".into(),
        ));
    }
    let size = t.shape()[dim] as i64;
    if index < -size || index >= size {
        return Err(Error::Index(format!(
            "index {} is out of bounds for dimension {} with size {}",
            index, position, size
        )));
    }
    super::shape::select(t, dim as i64, index)
}

/// The index tensor a bool scalar stands for: all (`[0]`) or nothing of a new size-1 dim.
fn bool_index(value: bool) -> Result<Tensor> {
    if value {
        Tensor::zeros(&[1], DType::I64)
    } else {
        Tensor::empty(&[0], DType::I64)
    }
}

/// Basic indexing applied, with the advanced indices that remain (one slot per dim of `view`).
struct Sliced {
    view: Tensor,
    advanced: Vec<Option<Tensor>>,
    /// The whole index was one bool mask (PyTorch then writes scalars with `masked_fill_`).
    single_mask: bool,
}

fn record(advanced: &mut Vec<Option<Tensor>>, dim: usize, index: Tensor) {
    advanced.resize(dim, None);
    advanced.push(Some(index));
}

fn apply_slicing(t: &Tensor, indices: &[TensorIndex]) -> Result<Sliced> {
    let specified = specified_dims(indices);
    if specified > t.ndim() {
        return Err(Error::Index(format!("too many indices for tensor of dimension {}", t.ndim())));
    }
    let mut view = t.clone();
    let mut advanced = Vec::new();
    let mut dim = 0;
    for (position, index) in indices.iter().enumerate() {
        match index {
            TensorIndex::Int(i) => view = select_checked(&view, dim, *i, position)?,
            TensorIndex::Slice { start, stop, step } => {
                view = slice(&view, dim, *start, *stop, *step)?;
                dim += 1;
            }
            TensorIndex::Ellipsis => dim += t.ndim() - specified,
            TensorIndex::None => {
                view = unsqueeze(&view, dim as i64)?;
                dim += 1;
            }
            TensorIndex::Bool(b) => {
                view = unsqueeze(&view, dim as i64)?;
                record(&mut advanced, dim, bool_index(*b)?);
                dim += 1;
            }
            TensorIndex::Tensor(x) if x.ndim() == 0 && x.dtype.is_integral(true) => {
                if is_mask(x) {
                    view = unsqueeze(&view, dim as i64)?;
                    record(&mut advanced, dim, bool_index(x.item()?.to_i64() != 0)?);
                    dim += 1;
                } else {
                    view = select_checked(&view, dim, x.item()?.to_i64(), position)?;
                }
            }
            TensorIndex::Tensor(x) if is_mask(x) => {
                for j in 0..x.ndim() {
                    if x.shape()[j] != view.shape()[dim + j] {
                        return Err(Error::Index(format!(
                            "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                            fmt_dims(x.shape()),
                            j,
                            fmt_dims(view.shape()),
                            dim + j
                        )));
                    }
                }
                // A k-dim mask stands for the k coordinate vectors of its true elements.
                let coords = nonzero(x)?;
                for j in 0..x.ndim() {
                    record(&mut advanced, dim + j, super::shape::select(&coords, 1, j as i64)?);
                }
                dim += x.ndim();
            }
            TensorIndex::Tensor(x) if x.dtype.is_integral(false) => {
                record(&mut advanced, dim, x.clone());
                dim += 1;
            }
            TensorIndex::Tensor(_) => {
                return Err(Error::Index("tensors used as indices must be long, int, byte or bool tensors".into()));
            }
        }
    }
    let single_mask = matches!(indices, [TensorIndex::Tensor(x)] if is_mask(x) && x.ndim() > 0);
    Ok(Sliced { view, advanced, single_mask })
}

/// `tensor[indices]`.
pub fn get_item(t: &Tensor, indices: &[TensorIndex]) -> Result<Tensor> {
    let sliced = apply_slicing(t, indices)?;
    if sliced.advanced.is_empty() {
        return Ok(sliced.view);
    }
    index(&sliced.view, &sliced.advanced)
}

/// `tensor[indices] = value`: basic indices write through the view; advanced ones scatter.
pub fn set_item(t: &Tensor, indices: &[TensorIndex], value: SetValue) -> Result<()> {
    if let [TensorIndex::Bool(false)] = indices {
        return Ok(());
    }
    let sliced = apply_slicing(t, indices)?;
    if sliced.advanced.is_empty() {
        return match value {
            SetValue::Scalar(s) => sliced.view.fill_(s),
            SetValue::Tensor(v) => copy_to(&sliced.view, &v),
        };
    }
    let value = match value {
        SetValue::Scalar(s) => Tensor::scalar(s, t.dtype)?,
        SetValue::Tensor(v) => {
            let v = strip_leading_ones(&v)?;
            if v.dtype != t.dtype && sliced.single_mask && v.numel() == 1 {
                v.to_dtype(t.dtype)?
            } else {
                v
            }
        }
    };
    index_put_(&sliced.view, &sliced.advanced, &value, false)
}

/// NumPy's compatibility rule for assignment: leading size-1 dims of the value are ignored.
fn strip_leading_ones(v: &Tensor) -> Result<Tensor> {
    let lead = v.shape().iter().take_while(|&&d| d == 1).count();
    if lead == 0 {
        return Ok(v.clone());
    }
    let shape: Vec<i64> = v.shape()[lead..].iter().map(|&d| d as i64).collect();
    v.view(&shape)
}

fn copy_to(dst: &Tensor, src: &Tensor) -> Result<()> {
    if dst.shape() == src.shape() {
        return dst.copy_(src);
    }
    if src.ndim() == 0 {
        return dst.fill_(src.item()?);
    }
    let target: Vec<i64> = dst.shape().iter().map(|&d| d as i64).collect();
    dst.copy_(&expand(&strip_leading_ones(src)?, &target)?)
}

/// The geometry of an advanced-indexing gather or scatter: element `(o, b, i)` of the result
/// lives at `base + outer[o] + picked[b] + inner[i]` in the indexed storage.
struct AdvancedIndex {
    base: isize,
    shape: Dims,
    outer: Vec<isize>,
    picked: Vec<isize>,
    inner: Vec<isize>,
}

/// Element offsets, in row-major order, of every position of a strided block.
pub(crate) fn block_offsets(shape: &[usize], strides: &[isize]) -> Vec<isize> {
    let mut out = vec![0isize];
    for (&size, &stride) in shape.iter().zip(strides) {
        out = out.iter().flat_map(|&o| (0..size as isize).map(move |i| o + i * stride)).collect();
    }
    out
}

impl AdvancedIndex {
    /// `indices[d]` indexes dim d of `src`; missing / None slots take the whole dim.
    fn new(src: &Tensor, indices: &[Option<Tensor>]) -> Result<AdvancedIndex> {
        if indices.len() > src.ndim() {
            return Err(Error::Index(format!(
                "too many indices for tensor of dimension {} (got {})",
                src.ndim(),
                indices.len()
            )));
        }
        let indexed: Vec<usize> = (0..indices.len()).filter(|&d| indices[d].is_some()).collect();
        let mut broadcast = Dims::new();
        for d in &indexed {
            let idx = indices[*d].as_ref().unwrap();
            if !idx.dtype.is_integral(false) {
                return Err(Error::Index("tensors used as indices must be long, int, byte or bool tensors".into()));
            }
            broadcast = broadcast_shapes(&broadcast, idx.shape()).map_err(|_| {
                let shapes: Vec<String> = indexed.iter().map(|&k| fmt_dims(indices[k].as_ref().unwrap().shape())).collect();
                Error::Index(format!("shape mismatch: indexing tensors could not be broadcast together with shapes {}", shapes.join(", ")))
            })?;
        }
        let count: usize = broadcast.iter().product();
        let mut picked = vec![0isize; count];
        for &d in &indexed {
            let idx = indices[d].as_ref().unwrap().to_dtype(DType::I64)?.broadcast_to(&broadcast)?.to_vec::<i64>()?;
            let (size, stride) = (src.shape()[d] as i64, src.strides()[d]);
            for (p, &i) in picked.iter_mut().zip(&idx) {
                if i < -size || i >= size {
                    return Err(Error::Index(format!("index {} is out of bounds for dimension {} with size {}", i, d, size)));
                }
                *p += (if i < 0 { i + size } else { i }) as isize * stride;
            }
        }
        // Indexed dims next to each other keep their place in the result; separated ones
        // (by a slice, None or Ellipsis) move to the front, as in NumPy.
        let adjacent = indexed.last().is_none_or(|&l| l + 1 - indexed[0] == indexed.len());
        let split = if adjacent { indexed.first().copied().unwrap_or(0) } else { 0 };
        let rest: Vec<usize> = (0..src.ndim()).filter(|d| !indexed.contains(d)).collect();
        let (before, after): (Vec<usize>, Vec<usize>) = rest.iter().partition(|&&d| d < split);
        let dims_of = |ds: &[usize]| -> (Dims, Vec<isize>) {
            (ds.iter().map(|&d| src.shape()[d]).collect(), ds.iter().map(|&d| src.strides()[d]).collect())
        };
        let (before_shape, before_strides) = dims_of(&before);
        let (after_shape, after_strides) = dims_of(&after);
        let shape: Dims = before_shape.iter().chain(&broadcast).chain(&after_shape).copied().collect();
        Ok(AdvancedIndex {
            base: src.layout.offset as isize,
            shape,
            outer: block_offsets(&before_shape, &before_strides),
            picked,
            inner: block_offsets(&after_shape, &after_strides),
        })
    }

    fn row_count(&self) -> usize {
        self.outer.len() * self.picked.len()
    }

    /// Storage offset of the first element of result row `r` (a row spans `inner`).
    fn row_start(&self, r: usize) -> isize {
        self.base + self.outer[r / self.picked.len()] + self.picked[r % self.picked.len()]
    }

    fn inner_is_contiguous(&self) -> bool {
        self.inner.iter().enumerate().all(|(k, &o)| o == k as isize)
    }

    fn gather<T: Element>(&self, src: &Tensor, out: &mut [T]) {
        let data = src.storage.as_ptr() as usize;
        let n = self.inner.len();
        if n == 0 || out.is_empty() {
            return;
        }
        let contiguous = self.inner_is_contiguous();
        let copy_row = |r: usize, dst: &mut [T]| {
            let start = (data as *const T).wrapping_offset(self.row_start(r));
            // SAFETY: every offset was bounds-checked against the source layout.
            unsafe {
                if contiguous {
                    dst.copy_from_slice(std::slice::from_raw_parts(start, n));
                } else {
                    for (d, &o) in dst.iter_mut().zip(&self.inner) {
                        *d = *start.offset(o);
                    }
                }
            }
        };
        if out.len() >= PARALLEL_GRAIN {
            out.par_chunks_mut(n).enumerate().for_each(|(r, dst)| copy_row(r, dst));
        } else {
            out.chunks_mut(n).enumerate().for_each(|(r, dst)| copy_row(r, dst));
        }
    }

    /// Writes (or adds) `values` (laid out like the result) into `dst`, in order, so that
    /// repeated indices resolve like PyTorch's CPU kernel: the last write wins.
    fn scatter<T: Arith>(&self, dst: &Tensor, values: &[T], accumulate: bool) {
        let data = dst.storage.as_ptr() as *mut T;
        let n = self.inner.len();
        for r in 0..self.row_count() {
            let start = data.wrapping_offset(self.row_start(r));
            for (k, &o) in self.inner.iter().enumerate() {
                // SAFETY: offsets were bounds-checked against the destination layout.
                unsafe {
                    let p = start.offset(o);
                    let v = values[r * n + k];
                    *p = if accumulate { (*p).add(v) } else { v };
                }
            }
        }
    }
}

/// `src[indices]` for advanced indices (`indices[d]` an integer tensor or None per dim).
pub fn index(src: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    let geometry = AdvancedIndex::new(src, indices)?;
    let out = Tensor::empty(&geometry.shape, src.dtype)?;
    with_dtype!(src.dtype, T => {
        // SAFETY: `out` is a fresh contiguous buffer of its numel elements.
        let dst = unsafe { std::slice::from_raw_parts_mut(out.data_ptr::<T>(), out.numel()) };
        geometry.gather::<T>(src, dst);
    });
    Ok(out)
}

/// `dst.index_put_(indices, values, accumulate)`: `values` broadcast to the indexed shape.
pub fn index_put_(dst: &Tensor, indices: &[Option<Tensor>], values: &Tensor, accumulate: bool) -> Result<()> {
    let geometry = AdvancedIndex::new(dst, indices)?;
    if values.dtype != dst.dtype {
        return runtime(format!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            type_label(dst.dtype),
            type_label(values.dtype)
        ));
    }
    let values = values.broadcast_to(&geometry.shape).map_err(|_| {
        Error::Runtime(format!(
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
            fmt_dims(values.shape()),
            fmt_dims(&geometry.shape)
        ))
    })?;
    with_dtype!(dst.dtype, T => {
        let flat = values.to_vec::<T>()?;
        geometry.scatter::<T>(dst, &flat, accumulate);
    });
    dst.storage.bump_version();
    Ok(())
}

/// `nonzero`: the coordinates of the nonzero elements, one row each (int64 `[n, ndim]`).
pub fn nonzero(t: &Tensor) -> Result<Tensor> {
    let flags = t.to_vec::<bool>()?;
    let ndim = t.ndim();
    let count = flags.iter().filter(|&&f| f).count();
    let mut coords = Vec::with_capacity(count * ndim);
    let mut position = vec![0i64; ndim];
    for &f in &flags {
        if f {
            coords.extend_from_slice(&position);
        }
        for d in (0..ndim).rev() {
            position[d] += 1;
            if (position[d] as usize) < t.shape()[d] {
                break;
            }
            position[d] = 0;
        }
    }
    Tensor::from_vec(coords, &[count, ndim])
}
