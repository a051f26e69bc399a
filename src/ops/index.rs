//! `tensor[index]` and `tensor[index] = value` with PyTorch's rules: ints, slices, None and
//! Ellipsis make a view ("basic" indexing); integer and bool tensors then gather or scatter
//! through a copy ("advanced" indexing), NumPy-style.
use crate::backend::cpu::threads;
use super::shape::{expand, fmt_dims, slice, unsqueeze};
use crate::backend::cpu::simd::PARALLEL_GRAIN;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::{broadcast_shapes, Dims};
use crate::ops::binary::{type_label, Arith};
use crate::tensor::Tensor;
use crate::with_dtype;

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

/// An advanced index found while slicing: an integer tensor for one dim, or a mask for
/// `mask.ndim()` consecutive dims, starting at `dim` of the sliced view.
struct Pending {
    dim: usize,
    index: Tensor,
}

/// Basic indexing applied, with the advanced indices that remain.
struct Sliced {
    view: Tensor,
    pending: Vec<Pending>,
}

impl Sliced {
    /// The lone bool mask, when it is the only advanced index (the fast, nonzero-free path).
    fn single_mask(&self) -> Option<&Pending> {
        match self.pending.as_slice() {
            [p] if is_mask(&p.index) => Some(p),
            _ => None,
        }
    }

    /// One slot per dim of the view: masks become the coordinate vectors of their true
    /// elements, one per dim they cover.
    fn index_list(&self) -> Result<Vec<Option<Tensor>>> {
        let mut list: Vec<Option<Tensor>> = Vec::new();
        let mut put = |dim: usize, t: Tensor| {
            list.resize(dim, None);
            list.push(Some(t));
        };
        for p in &self.pending {
            if is_mask(&p.index) {
                let coords = nonzero(&p.index)?;
                for j in 0..p.index.ndim() {
                    put(p.dim + j, super::shape::select(&coords, 1, j as i64)?);
                }
            } else {
                put(p.dim, p.index.clone());
            }
        }
        Ok(list)
    }

    fn gather(&self) -> Result<Tensor> {
        let geometry = match self.single_mask() {
            Some(m) => AdvancedIndex::from_mask(&self.view, m.dim, &m.index)?,
            None => AdvancedIndex::new(&self.view, &self.index_list()?)?,
        };
        geometry.gather_new(&self.view)
    }

    fn put(&self, value: &Tensor) -> Result<()> {
        let Some(m) = self.single_mask() else {
            return index_put_(&self.view, &self.index_list()?, value, false);
        };
        if value.numel() == 1 {
            // PyTorch writes one value through a mask with masked_fill_ (which casts it).
            let mut shape: Vec<i64> = vec![1; self.view.ndim()];
            for (j, &d) in m.index.shape().iter().enumerate() {
                shape[m.dim + j] = d as i64;
            }
            let mask = m.index.to_dtype(DType::Bool)?.reshape(&shape)?;
            return super::gather::masked_fill_(&self.view, &mask, value.item()?);
        }
        check_put_dtype(&self.view, value)?;
        AdvancedIndex::from_mask(&self.view, m.dim, &m.index)?.put(&self.view, value, false)
    }
}

/// A mask must match the sizes of the dims it covers.
fn check_mask(view: &Tensor, dim: usize, mask: &Tensor) -> Result<()> {
    for j in 0..mask.ndim() {
        if mask.shape()[j] != view.shape()[dim + j] {
            return Err(Error::Index(format!(
                "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                fmt_dims(mask.shape()),
                j,
                fmt_dims(view.shape()),
                dim + j
            )));
        }
    }
    Ok(())
}

fn apply_slicing(t: &Tensor, indices: &[TensorIndex]) -> Result<Sliced> {
    if let [TensorIndex::Int(i)] = indices {
        // A lone int is a plain select (and on a 0-dim tensor, PyTorch's hint to use item()).
        return Ok(Sliced { view: select_checked(t, 0, *i, 0)?, pending: Vec::new() });
    }
    let specified = specified_dims(indices);
    if specified > t.ndim() {
        return Err(Error::Index(format!("too many indices for tensor of dimension {}", t.ndim())));
    }
    let mut view = t.clone();
    let mut pending = Vec::new();
    let (mut dim, mut bad_tensor_index) = (0, false);
    for (position, index) in indices.iter().enumerate() {
        match index {
            TensorIndex::Int(i) => view = select_checked(&view, dim, *i, position)?,
            // Several ellipses each skip the unindexed dims again (PyTorch's arithmetic), which
            // can carry `dim` past the last one: a full `:` there leaves the view as it is, as
            // in PyTorch; any other slice has no dim to act on.
            TensorIndex::Slice { step: 0, .. } => return Err(Error::Value("slice step cannot be zero".into())),
            TensorIndex::Slice { start: None | Some(0), stop: None | Some(i64::MAX), step: 1 } if dim >= view.ndim() => dim += 1,
            TensorIndex::Slice { .. } if dim >= view.ndim() => {
                return Err(Error::Index(format!("too many indices for tensor of dimension {}", t.ndim())));
            }
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
                pending.push(Pending { dim, index: bool_index(*b)? });
                dim += 1;
            }
            TensorIndex::Tensor(x) if x.ndim() == 0 && x.dtype.is_integral(true) => {
                if is_mask(x) {
                    view = unsqueeze(&view, dim as i64)?;
                    pending.push(Pending { dim, index: bool_index(x.item()?.to_i64() != 0)? });
                    dim += 1;
                } else {
                    view = select_checked(&view, dim, x.item()?.to_i64(), position)?;
                }
            }
            TensorIndex::Tensor(x) if is_mask(x) => {
                check_mask(&view, dim, x)?;
                pending.push(Pending { dim, index: x.clone() });
                dim += x.ndim();
            }
            TensorIndex::Tensor(x) if x.dtype.is_integral(false) => {
                pending.push(Pending { dim, index: x.clone() });
                dim += 1;
            }
            // Refused once the other indices are applied (a zero-step slice after it raises
            // first, as in PyTorch).
            TensorIndex::Tensor(_) => {
                bad_tensor_index = true;
                dim += 1;
            }
        }
    }
    if bad_tensor_index {
        return Err(Error::Index("tensors used as indices must be long, int, byte or bool tensors".into()));
    }
    Ok(Sliced { view, pending })
}

/// `tensor[indices]`.
pub fn get_item(t: &Tensor, indices: &[TensorIndex]) -> Result<Tensor> {
    let sliced = apply_slicing(t, indices)?;
    if sliced.pending.is_empty() {
        return Ok(sliced.view);
    }
    sliced.gather()
}

/// `tensor[indices] = value`: basic indices write through the view; advanced ones scatter.
pub fn set_item(t: &Tensor, indices: &[TensorIndex], value: SetValue) -> Result<()> {
    if let [TensorIndex::Bool(false)] = indices {
        return Ok(());
    }
    let sliced = apply_slicing(t, indices)?;
    if sliced.pending.is_empty() {
        return match value {
            SetValue::Scalar(s) => sliced.view.fill_(s),
            SetValue::Tensor(v) => copy_to(&sliced.view, &v),
        };
    }
    let value = match value {
        SetValue::Scalar(s) => Tensor::scalar_checked(s, t.dtype, true)?,
        SetValue::Tensor(v) => strip_leading_ones(&v)?,
    };
    sliced.put(&value)
}

/// `index_put_(indices, values, accumulate)`: `indices[k]`, an integer tensor or a bool mask,
/// indexes the next dim(s) of `t`.
pub fn index_put_tensors_(t: &Tensor, indices: &[Tensor], values: &Tensor, accumulate: bool) -> Result<()> {
    let mut pending = Vec::with_capacity(indices.len());
    let mut dim = 0;
    for index in indices {
        if !index.dtype.is_integral(true) {
            return Err(Error::Index("tensors used as indices must be long, int, byte or bool tensors".into()));
        }
        let used = if is_mask(index) { index.ndim() } else { 1 };
        if dim + used > t.ndim() {
            return Err(Error::Index(format!("too many indices for tensor of dimension {} (got {})", t.ndim(), indices.len())));
        }
        if is_mask(index) {
            check_mask(t, dim, index)?;
        }
        pending.push(Pending { dim, index: index.clone() });
        dim += used;
    }
    let sliced = Sliced { view: t.clone(), pending };
    if accumulate {
        return index_put_(t, &sliced.index_list()?, values, true);
    }
    sliced.put(values)
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

/// Calls `f` with the element offset of every position of a strided block, in row-major order.
fn for_each_offset(shape: &[usize], strides: &[isize], mut f: impl FnMut(isize)) {
    if shape.contains(&0) {
        return;
    }
    let mut position = vec![0usize; shape.len()];
    let mut offset = 0isize;
    loop {
        f(offset);
        let mut d = shape.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            position[d] += 1;
            offset += strides[d];
            if position[d] < shape[d] {
                break;
            }
            offset -= strides[d] * shape[d] as isize;
            position[d] = 0;
        }
    }
}

/// Element offsets, in row-major order, of every position of a strided block.
pub(crate) fn block_offsets(shape: &[usize], strides: &[isize]) -> Vec<isize> {
    let mut out = Vec::with_capacity(shape.iter().product());
    for_each_offset(shape, strides, |o| out.push(o));
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
        // PyTorch bounds-checks an index as its kernel reads through it: when a dim that is not
        // indexed is empty, no element is read and no index is checked.
        let nothing_read = (0..src.ndim()).any(|d| !indexed.contains(&d) && src.shape()[d] == 0);
        for &d in indexed.iter().filter(|_| !nothing_read) {
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

    /// The geometry of `src[.., mask, ..]` with the mask covering dims `dim..dim + mask.ndim()`:
    /// the selected offsets come straight from the mask, in row-major order.
    fn from_mask(src: &Tensor, dim: usize, mask: &Tensor) -> Result<AdvancedIndex> {
        let k = mask.ndim();
        let mask = mask.to_dtype(DType::Bool)?.contiguous()?;
        // SAFETY: `mask` is a contiguous bool tensor of its numel elements.
        let flags = unsafe { std::slice::from_raw_parts(mask.data_ptr::<bool>(), mask.numel()) };
        let mut picked = Vec::new();
        let mut flag = flags.iter();
        for_each_offset(&src.shape()[dim..dim + k], &src.strides()[dim..dim + k], |o| {
            if flag.next() == Some(&true) {
                picked.push(o);
            }
        });
        let (before_shape, after_shape) = (&src.shape()[..dim], &src.shape()[dim + k..]);
        let shape: Dims = before_shape.iter().copied().chain([picked.len()]).chain(after_shape.iter().copied()).collect();
        Ok(AdvancedIndex {
            base: src.layout.offset as isize,
            shape,
            outer: block_offsets(before_shape, &src.strides()[..dim]),
            picked,
            inner: block_offsets(after_shape, &src.strides()[dim + k..]),
        })
    }

    /// The gathered elements as a new contiguous tensor of the result shape.
    fn gather_new(&self, src: &Tensor) -> Result<Tensor> {
        let out = Tensor::empty(&self.shape, src.dtype)?;
        crate::with_any_dtype!(src.dtype, T => {
            // SAFETY: `out` is a fresh contiguous buffer of its numel elements.
            let dst = unsafe { std::slice::from_raw_parts_mut(out.data_ptr::<T>(), out.numel()) };
            self.gather::<T>(src, dst);
        });
        Ok(out)
    }

    fn gather<T: Element>(&self, src: &Tensor, out: &mut [T]) {
        let (n, p) = (self.inner.len(), self.picked.len());
        if n == 0 || out.is_empty() {
            return;
        }
        let data = src.storage.as_ptr() as usize;
        let contiguous = self.inner.iter().enumerate().all(|(k, &o)| o == k as isize);
        // Fills `dst`, the rows `first..` of outer position `o` (row b reads picked[b]).
        let fill = |o: usize, first: usize, dst: &mut [T]| {
            let base = (data as *const T).wrapping_offset(self.base + self.outer[o]);
            let picked = &self.picked[first..];
            // SAFETY: every offset was bounds-checked against the source layout.
            unsafe {
                if n == 1 {
                    let at = self.inner[0];
                    for (d, &pk) in dst.iter_mut().zip(picked) {
                        *d = *base.offset(pk + at);
                    }
                } else {
                    for (row, &pk) in dst.chunks_mut(n).zip(picked) {
                        let start = base.offset(pk);
                        if contiguous {
                            row.copy_from_slice(std::slice::from_raw_parts(start, n));
                        } else {
                            for (d, &i) in row.iter_mut().zip(&self.inner) {
                                *d = *start.offset(i);
                            }
                        }
                    }
                }
            }
        };
        let block = p * n;
        if out.len() < PARALLEL_GRAIN {
            out.chunks_mut(block).enumerate().for_each(|(o, dst)| fill(o, 0, dst));
            return;
        }
        // Tasks of `rows_per_task` picked rows, never straddling two outer blocks.
        let rows_per_task = (PARALLEL_GRAIN / n).max(1);
        let piece = rows_per_task * n;
        let per_block = block.div_ceil(piece);
        let base = out.as_mut_ptr() as usize;
        threads::parallel_for(out.len() / block * per_block, &|task| {
            let (o, t) = (task / per_block, task % per_block);
            let start = t * piece;
            // SAFETY: every task owns a distinct range of `out`, which outlives this call.
            let dst = unsafe { std::slice::from_raw_parts_mut((base as *mut T).add(o * block + start), piece.min(block - start)) };
            fill(o, t * rows_per_task, dst)
        });
    }

    /// Writes (or adds) `values`, broadcast to the result shape, into `dst` in order, so that
    /// repeated indices resolve like PyTorch's CPU kernel: the last write wins.
    fn put(&self, dst: &Tensor, values: &Tensor, accumulate: bool) -> Result<()> {
        let values = values.broadcast_to(&self.shape).map_err(|_| {
            Error::Runtime(format!(
                "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
                fmt_dims(values.shape()),
                fmt_dims(&self.shape)
            ))
        })?;
        with_dtype!(dst.dtype, T => self.scatter::<T>(dst, &values.to_vec::<T>()?, accumulate));
        dst.storage.bump_version();
        Ok(())
    }

    fn scatter<T: Arith>(&self, dst: &Tensor, values: &[T], accumulate: bool) {
        let n = self.inner.len();
        if n == 0 || values.is_empty() {
            return;
        }
        let data = dst.storage.as_ptr() as *mut T;
        let starts = self.outer.iter().flat_map(|&o| self.picked.iter().map(move |&pk| self.base + o + pk));
        for (row, start) in values.chunks(n).zip(starts) {
            let start = data.wrapping_offset(start);
            for (&v, &o) in row.iter().zip(&self.inner) {
                // SAFETY: offsets were bounds-checked against the destination layout.
                unsafe {
                    let p = start.offset(o);
                    *p = if accumulate { (*p).add(v) } else { v };
                }
            }
        }
    }
}

/// `src[indices]` for advanced indices (`indices[d]` an integer tensor or None per dim).
pub fn index(src: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    AdvancedIndex::new(src, indices)?.gather_new(src)
}

/// `dst.index_put_(indices, values, accumulate)`: `values` broadcast to the indexed shape.
pub fn index_put_(dst: &Tensor, indices: &[Option<Tensor>], values: &Tensor, accumulate: bool) -> Result<()> {
    // PyTorch's order: an index into an empty dim, then the dtypes, then the bounds.
    for (d, index) in indices.iter().enumerate() {
        if index.as_ref().is_some_and(|i| i.numel() > 0) && dst.shape().get(d) == Some(&0) {
            return Err(Error::Index("index is out of bounds for dimension with size 0".into()));
        }
    }
    check_put_dtype(dst, values)?;
    AdvancedIndex::new(dst, indices)?.put(dst, values, accumulate)
}

/// index_put's dtype rule, checked (as PyTorch does) before the indices are bounds-checked.
fn check_put_dtype(dst: &Tensor, values: &Tensor) -> Result<()> {
    if values.dtype != dst.dtype {
        return runtime(format!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            type_label(dst.dtype),
            type_label(values.dtype)
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn arange(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        Tensor::from_vec((0..n as i64).collect(), shape).unwrap()
    }

    fn ints(v: &[i64]) -> TensorIndex {
        TensorIndex::Tensor(Tensor::from_vec(v.to_vec(), &[v.len()]).unwrap())
    }

    #[test]
    fn separated_advanced_indices_move_to_the_front() {
        let t = arange(&[2, 3, 4]);
        let all = TensorIndex::Slice { start: None, stop: None, step: 1 };
        let adjacent = get_item(&t, &[all.clone(), ints(&[0, 2]), ints(&[1, 3])]).unwrap();
        assert_eq!(adjacent.shape(), &[2, 2]);
        assert_eq!(adjacent.to_vec::<i64>().unwrap(), vec![1, 11, 13, 23]);
        let separated = get_item(&t, &[ints(&[0, 1]), all, ints(&[1, 2])]).unwrap();
        assert_eq!(separated.shape(), &[2, 3]);
        assert_eq!(separated.to_vec::<i64>().unwrap(), vec![1, 5, 9, 14, 18, 22]);
    }

    #[test]
    fn masks_select_in_row_major_order_and_repeated_writes_keep_the_last() {
        let t = arange(&[2, 3]);
        let mask = Tensor::from_vec(vec![true, false, true, false, true, true], &[2, 3]).unwrap();
        let picked = get_item(&t, &[TensorIndex::Tensor(mask)]).unwrap();
        assert_eq!(picked.to_vec::<i64>().unwrap(), vec![0, 2, 4, 5]);
        let values = Tensor::from_vec(vec![7i64, 8], &[2, 1]).unwrap();
        set_item(&t, &[ints(&[1, 1])], SetValue::Tensor(values)).unwrap();
        assert_eq!(t.to_vec::<i64>().unwrap(), vec![0, 1, 2, 8, 8, 8]);
        assert!(get_item(&t, &[ints(&[2])]).is_err());
    }
}
