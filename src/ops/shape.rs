//! View ops: each returns a tensor over the input's storage with a new layout (shape, strides,
//! offset), so writes through the result are seen by the input and vice versa.
use crate::error::{runtime, Error, Result};
use crate::layout::{broadcast_shapes, contiguous_strides, wrap_dim, Dims, Layout, Strides};
use crate::tensor::Tensor;

fn view(t: &Tensor, shape: Dims, strides: Strides, offset: usize) -> Tensor {
    t.with_layout(Layout { shape, strides, offset })
}

/// `[2, 3]`, as PyTorch prints sizes in messages.
pub fn fmt_dims<T: std::fmt::Display>(dims: &[T]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Wraps every dim and rejects repeats with PyTorch's message.
pub fn unique_dims(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let w = wrap_dim(d, ndim)?;
        if out.contains(&w) {
            return runtime(format!("dim {} appears multiple times in the list of dims", w));
        }
        out.push(w);
    }
    Ok(out)
}

pub fn flatten(t: &Tensor, start_dim: i64, end_dim: i64) -> Result<Tensor> {
    let (start, end) = (wrap_dim(start_dim, t.ndim())?, wrap_dim(end_dim, t.ndim())?);
    if start > end {
        return runtime("flatten() has invalid args: start_dim cannot come after end_dim");
    }
    if t.ndim() == 0 {
        return t.reshape(&[1]);
    }
    if start == end {
        return Ok(t.clone());
    }
    let shape = t.shape();
    let mut new: Vec<i64> = shape[..start].iter().map(|&d| d as i64).collect();
    new.push(shape[start..=end].iter().product::<usize>() as i64);
    new.extend(shape[end + 1..].iter().map(|&d| d as i64));
    t.reshape(&new)
}

pub fn unflatten(t: &Tensor, dim: i64, sizes: &[i64]) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    if t.ndim() == 0 {
        return runtime("unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions");
    }
    if sizes.is_empty() {
        return runtime("unflatten: sizes must be non-empty");
    }
    let size = t.shape()[d];
    let inferred = crate::layout::infer_shape(sizes, size).map_err(|_| {
        Error::Runtime(format!(
            "unflatten: Provided sizes {} don't multiply up to the size of dim {} ({}) in the input tensor",
            fmt_dims(sizes),
            dim,
            size
        ))
    })?;
    let mut new: Vec<i64> = t.shape()[..d].iter().map(|&s| s as i64).collect();
    new.extend(inferred.iter().map(|&s| s as i64));
    new.extend(t.shape()[d + 1..].iter().map(|&s| s as i64));
    t.reshape(&new)
}

/// `squeeze()` drops every size-1 dim; `squeeze(dims)` only those of `dims` that have size 1.
pub fn squeeze(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let drop: Vec<usize> = match dims {
        None => (0..t.ndim()).filter(|&d| t.shape()[d] == 1).collect(),
        Some(dims) => unique_dims(dims, t.ndim())?.into_iter().filter(|&d| d < t.ndim() && t.shape()[d] == 1).collect(),
    };
    let keep = |i: &usize| !drop.contains(i);
    let shape = (0..t.ndim()).filter(keep).map(|i| t.shape()[i]).collect();
    let strides = (0..t.ndim()).filter(keep).map(|i| t.strides()[i]).collect();
    Ok(view(t, shape, strides, t.layout.offset))
}

pub fn unsqueeze(t: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim() + 1)?;
    let stride = if d >= t.ndim() { 1 } else { t.shape()[d] as isize * t.strides()[d] };
    let mut shape = t.shape_dims();
    let mut strides = t.layout.strides.clone();
    shape.insert(d, 1);
    strides.insert(d, stride);
    Ok(view(t, shape, strides, t.layout.offset))
}

pub fn transpose(t: &Tensor, dim0: i64, dim1: i64) -> Result<Tensor> {
    let (a, b) = (wrap_dim(dim0, t.ndim())?, wrap_dim(dim1, t.ndim())?);
    if a == b || t.ndim() == 0 {
        return Ok(t.clone());
    }
    let mut layout = t.layout.clone();
    layout.shape.swap(a, b);
    layout.strides.swap(a, b);
    Ok(t.with_layout(layout))
}

/// `t()`: transposes a matrix; vectors and scalars come back unchanged.
pub fn matrix_t(t: &Tensor) -> Result<Tensor> {
    if t.ndim() > 2 {
        return runtime(format!("t() expects a tensor with <= 2 dimensions, but self is {}D", t.ndim()));
    }
    transpose(t, 0, if t.ndim() == 2 { 1 } else { 0 })
}

/// `mT`: transposes the last two dims (batches of matrices); PyTorch keeps a 0-dim tensor as
/// it is (deprecated there), and refuses vectors.
pub fn matrix_transpose(t: &Tensor) -> Result<Tensor> {
    if t.ndim() == 0 {
        return Ok(t.clone());
    }
    if t.ndim() < 2 {
        return runtime(format!("tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.", t.ndim()));
    }
    transpose(t, -2, -1)
}

/// `T`: all dims reversed.
pub fn reverse_dims(t: &Tensor) -> Tensor {
    let order: Vec<usize> = (0..t.ndim()).rev().collect();
    t.with_layout(t.layout.permute(&order))
}

pub fn permute(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    if dims.len() != t.ndim() {
        return runtime(format!(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
            t.ndim(),
            dims.len()
        ));
    }
    let order = unique_dims(dims, t.ndim()).map_err(|e| match e {
        Error::Runtime(_) => Error::Runtime("permute(): duplicate dims are not allowed.".into()),
        other => other,
    })?;
    Ok(t.with_layout(t.layout.permute(&order)))
}

pub fn movedim(t: &Tensor, source: &[i64], destination: &[i64]) -> Result<Tensor> {
    if source.len() != destination.len() {
        return runtime(format!(
            "movedim: Invalid source or destination dims: source ({} dims) should contain the same number of dims as destination ({} dims)",
            fmt_dims(source),
            fmt_dims(destination)
        ));
    }
    let wrap_all = |dims: &[i64], what: &str| -> Result<Vec<usize>> {
        let w: Vec<usize> = dims.iter().map(|&d| wrap_dim(d, t.ndim())).collect::<Result<_>>()?;
        if (1..w.len()).any(|i| w[..i].contains(&w[i])) {
            return runtime(format!("movedim: repeated dim in `{}` ({})", what, fmt_dims(dims)));
        }
        Ok(w)
    };
    let (src, dst) = (wrap_all(source, "source")?, wrap_all(destination, "destination")?);
    if t.ndim() == 0 {
        return Ok(t.clone());
    }
    let mut order: Vec<Option<usize>> = vec![None; t.ndim()];
    for (&s, &d) in src.iter().zip(&dst) {
        order[d] = Some(s);
    }
    let mut rest = (0..t.ndim()).filter(|d| !src.contains(d));
    let order: Vec<usize> = order.into_iter().map(|o| o.or_else(|| rest.next()).unwrap_or(0)).collect();
    Ok(t.with_layout(t.layout.permute(&order)))
}

/// `expand(sizes)`: size-1 dims (and new leading dims) repeat with stride 0; -1 keeps a size.
pub fn expand(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    if sizes.len() < t.ndim() {
        return runtime(format!(
            "expand(torch.{}{{{}}}, size={}): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
            t.dtype.legacy_type_name(),
            fmt_dims(t.shape()),
            fmt_dims(sizes),
            sizes.len(),
            t.ndim()
        ));
    }
    let lead = sizes.len() - t.ndim();
    let mut target = Dims::new();
    for (i, &s) in sizes.iter().enumerate() {
        if s == -1 {
            if i < lead {
                return runtime(format!("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {}", i));
            }
            target.push(t.shape()[i - lead]);
        } else if s < 0 {
            return runtime(format!("Trying to create tensor with negative dimension {}: {}", s, fmt_dims(sizes)));
        } else {
            target.push(s as usize);
        }
    }
    t.broadcast_to(&target)
}

pub fn broadcast_tensors(ts: &[Tensor]) -> Result<Vec<Tensor>> {
    let mut shape = Dims::new();
    for t in ts {
        shape = broadcast_shapes(&shape, t.shape())?;
    }
    ts.iter().map(|t| t.broadcast_to(&shape)).collect()
}

/// Python slice semantics on one dim: missing bounds default to the ends, negative bounds
/// count from the end, and everything clamps to the dim (`step` must already be positive).
pub fn slice(t: &Tensor, dim: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<Tensor> {
    if step <= 0 {
        return Err(Error::Value("step must be greater than zero".into()));
    }
    let Some(&size) = t.shape().get(dim) else {
        return Err(Error::Index(format!("Dimension out of range (expected to be in range of [{}, {}], but got {})", -(t.ndim() as i64), t.ndim() as i64 - 1, dim)));
    };
    let size = size as i64;
    let clamp = |v: Option<i64>, default: i64| match v {
        None => default,
        Some(v) if v < 0 => (v + size).max(0),
        Some(v) => v.min(size),
    };
    let start = clamp(start, 0);
    let stop = clamp(stop, size).max(start);
    let len = (stop - start + step - 1) / step;
    let mut layout = t.layout.clone();
    layout.offset = (layout.offset as isize + start as isize * layout.strides[dim]) as usize;
    layout.shape[dim] = len as usize;
    layout.strides[dim] *= step as isize;
    Ok(t.with_layout(layout))
}

pub fn narrow(t: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        return runtime("narrow() cannot be applied to a 0-dim tensor.");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let size = t.shape()[d] as i64;
    if start < -size || start > size {
        return Err(Error::Index(format!(
            "start out of range (expected to be in range of [{}, {}], but got {})",
            -size, size, start
        )));
    }
    let start = if start < 0 { start + size } else { start };
    if length < 0 {
        return runtime("narrow(): length must be non-negative.");
    }
    if length > size - start {
        return runtime(format!("start ({}) + length ({}) exceeds dimension size ({}).", start, length, size));
    }
    slice(t, d, Some(start), Some(start + length), 1)
}

/// `select(dim, index)`: the slice at `index`, with `dim` removed.
pub fn select(t: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        return Err(Error::Index("select() cannot be applied to a 0-dim tensor.".into()));
    }
    let d = wrap_dim(dim, t.ndim())?;
    let size = t.shape()[d] as i64;
    if index < -size || index >= size {
        return Err(Error::Index(format!(
            "select(): index {} out of range for tensor of size {} at dimension {}",
            index,
            fmt_dims(t.shape()),
            d
        )));
    }
    let i = if index < 0 { index + size } else { index };
    let mut layout = t.layout.clone();
    layout.offset = (layout.offset as isize + i as isize * layout.strides[d]) as usize;
    layout.shape.remove(d);
    layout.strides.remove(d);
    Ok(t.with_layout(layout))
}

pub fn unbind(t: &Tensor, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
    }
    let d = wrap_dim(dim, t.ndim())?;
    (0..t.shape()[d] as i64).map(|i| select(t, d as i64, i)).collect()
}

pub fn split(t: &Tensor, split_size: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        return runtime("split expects at least a 1-dimensional tensor");
    }
    if split_size < 0 {
        return runtime(format!("split expects split_size be non-negative, but got split_size={}", split_size));
    }
    let d = wrap_dim(dim, t.ndim())?;
    let size = t.shape()[d] as i64;
    if split_size == 0 && size != 0 {
        return runtime(format!("split_size can only be 0 if dimension size is 0, but got dimension size of {}", size));
    }
    let pieces = if split_size == 0 { 1 } else { ((size + split_size - 1) / split_size).max(1) };
    (0..pieces)
        .map(|i| {
            let start = i * split_size;
            narrow(t, d as i64, start, split_size.min(size - start))
        })
        .collect()
}

pub fn split_with_sizes(t: &Tensor, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        return runtime("split expects at least a 1-dimensional tensor");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let size = t.shape()[d] as i64;
    if sizes.iter().any(|&s| s < 0) {
        return runtime(format!(
            "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={}",
            fmt_dims(sizes)
        ));
    }
    if sizes.iter().sum::<i64>() != size {
        return runtime(format!(
            "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {}), but got split_sizes={}",
            size,
            dim,
            fmt_dims(sizes)
        ));
    }
    let mut start = 0;
    sizes
        .iter()
        .map(|&len| {
            let piece = narrow(t, d as i64, start, len);
            start += len;
            piece
        })
        .collect()
}

pub fn chunk(t: &Tensor, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        return runtime("chunk expects at least a 1-dimensional tensor");
    }
    if chunks <= 0 {
        return runtime(format!("chunk expects `chunks` to be greater than 0, got: {}", chunks));
    }
    let size = t.shape()[wrap_dim(dim, t.ndim())?] as i64;
    let split_size = (size + chunks - 1) / chunks;
    if split_size == 0 && size == 0 {
        return split_with_sizes(t, &vec![0; chunks as usize], dim);
    }
    split(t, split_size, dim)
}

/// `tensor_split(sections)`: `sections` nearly equal pieces, the first ones one longer.
pub fn tensor_split_sections(t: &Tensor, sections: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        return runtime("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
    }
    if sections <= 0 {
        return runtime(format!("number of sections must be larger than 0, got {}", sections));
    }
    let d = wrap_dim(dim, t.ndim())?;
    let size = t.shape()[d] as i64;
    let (base, extra) = (size / sections, size % sections);
    let mut start = 0;
    (0..sections)
        .map(|i| {
            let len = base + (i < extra) as i64;
            let piece = slice(t, d, Some(start), Some(start + len), 1);
            start += len;
            piece
        })
        .collect()
}

/// `tensor_split(indices)`: pieces between consecutive split points (clamped like slices).
pub fn tensor_split_indices(t: &Tensor, indices: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        return runtime("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let mut start = 0;
    let mut out = Vec::with_capacity(indices.len() + 1);
    for &i in indices {
        out.push(slice(t, d, Some(start), Some(i), 1)?);
        start = i;
    }
    out.push(slice(t, d, Some(start), None, 1)?);
    Ok(out)
}

/// `as_strided`: any layout over the same storage, as long as it stays inside it.
pub fn as_strided(t: &Tensor, size: &[i64], stride: &[i64], offset: Option<i64>) -> Result<Tensor> {
    if size.len() != stride.len() {
        return runtime("mismatch in length of strides and shape");
    }
    if let Some(&s) = size.iter().find(|&&s| s < 0) {
        return runtime(format!("Trying to create tensor with negative dimension {}: {}", s, fmt_dims(size)));
    }
    if stride.iter().any(|&s| s < 0) {
        return runtime(format!("as_strided: Negative strides are not supported at the moment, got strides: {}", fmt_dims(stride)));
    }
    let offset = offset.unwrap_or(t.layout.offset as i64);
    if offset < 0 {
        return runtime(format!("Tensor: invalid storage offset {}", offset));
    }
    let shape: Dims = size.iter().map(|&s| s as usize).collect();
    let needed = if shape.contains(&0) {
        Some(0)
    } else {
        shape.iter().zip(stride).try_fold(offset as usize + 1, |acc, (&d, &s)| (d - 1).checked_mul(s as usize).and_then(|span| acc.checked_add(span)))
    };
    let Some(needed) = needed else {
        return runtime(format!("as_strided: sizes {} and strides {} overflow", fmt_dims(size), fmt_dims(stride)));
    };
    let item = t.dtype.size();
    let available = t.storage.nbytes();
    if needed * item > available {
        return runtime(format!(
            "setStorage: sizes {}, strides {}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
            fmt_dims(size),
            fmt_dims(stride),
            offset,
            item,
            needed * item,
            available
        ));
    }
    Ok(view(t, shape, stride.iter().map(|&s| s as isize).collect(), offset as usize))
}

/// `diagonal(offset, dim1, dim2)`: the dims `dim1`, `dim2` are replaced by one last dim that
/// walks their diagonal.
pub fn diagonal(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let (d1, d2) = (wrap_dim(dim1, t.ndim())?, wrap_dim(dim2, t.ndim())?);
    if d1 == d2 {
        return runtime(format!("diagonal dimensions cannot be identical {}, {}", dim1, dim2));
    }
    let (s1, s2) = (t.shape()[d1] as i64, t.shape()[d2] as i64);
    let (st1, st2) = (t.strides()[d1], t.strides()[d2]);
    let len = if offset >= 0 { s1.min(s2 - offset) } else { (s1 + offset).min(s2) }.max(0);
    let mut start = t.layout.offset as isize;
    if len > 0 {
        start += if offset >= 0 { offset as isize * st2 } else { -offset as isize * st1 };
    }
    let keep = |i: &usize| *i != d1 && *i != d2;
    let mut shape: Dims = (0..t.ndim()).filter(keep).map(|i| t.shape()[i]).collect();
    let mut strides: Strides = (0..t.ndim()).filter(keep).map(|i| t.strides()[i]).collect();
    shape.push(len as usize);
    strides.push(st1 + st2);
    Ok(view(t, shape, strides, start as usize))
}

/// `resize_`: the tensor becomes contiguous with `sizes`, keeping its storage when that is big
/// enough and otherwise moving to a larger one that starts with the old contents (new elements
/// are uninitialised). Returns the new metadata for the caller to install.
pub fn resize(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    if let Some(&s) = sizes.iter().find(|&&s| s < 0) {
        return runtime(format!("Trying to create tensor with negative dimension {}: {}", s, fmt_dims(sizes)));
    }
    let shape: Dims = sizes.iter().map(|&s| s as usize).collect();
    let needed = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .and_then(|n| n.checked_add(t.layout.offset))
        .and_then(|n| n.checked_mul(t.dtype.size()));
    let Some(needed) = needed else {
        return runtime(format!("Storage size calculation overflowed with sizes={}", fmt_dims(sizes)));
    };
    let layout = Layout { strides: contiguous_strides(&shape), offset: t.layout.offset, shape };
    if needed <= t.storage.nbytes() {
        return Ok(t.with_layout(layout));
    }
    let grown = Tensor::empty(&[layout.offset + layout.numel()], t.dtype)?;
    let keep = t.storage.nbytes().min(needed);
    // SAFETY: both buffers hold at least `keep` bytes, and they are distinct allocations.
    unsafe { std::ptr::copy_nonoverlapping(t.storage.as_ptr(), grown.storage.as_ptr(), keep) };
    Ok(grown.with_layout(layout))
}

/// `atleast_{1,2,3}d`: views with leading (and for 3-D, trailing) size-1 dims added.
pub fn atleast_nd(t: &Tensor, n: usize) -> Result<Tensor> {
    match (n, t.ndim()) {
        (_, d) if d >= n => Ok(t.clone()),
        (3, 1) => unsqueeze(&unsqueeze(t, 0)?, 2),
        (3, 2) => unsqueeze(t, 2),
        _ => t.reshape(&vec![1; n - t.ndim()].into_iter().chain(t.shape().iter().map(|&d| d as i64)).collect::<Vec<_>>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arange(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        Tensor::from_vec((0..n as i64).collect(), shape).unwrap()
    }

    #[test]
    fn views_share_storage_and_pick_the_right_elements() {
        let t = arange(&[3, 4]);
        assert_eq!(select(&t, 1, -1).unwrap().to_vec::<i64>().unwrap(), vec![3, 7, 11]);
        assert_eq!(diagonal(&t, 1, 0, 1).unwrap().to_vec::<i64>().unwrap(), vec![1, 6, 11]);
        assert_eq!(diagonal(&t, -1, 0, 1).unwrap().to_vec::<i64>().unwrap(), vec![4, 9]);
        let s = slice(&t, 1, Some(-3), None, 2).unwrap();
        assert_eq!(s.to_vec::<i64>().unwrap(), vec![1, 3, 5, 7, 9, 11]);
        assert!(std::sync::Arc::ptr_eq(&s.storage, &t.storage));
        assert_eq!(movedim(&arange(&[2, 3, 4]), &[0], &[2]).unwrap().shape(), &[3, 4, 2]);
        assert!(narrow(&t, 1, 3, 2).is_err());
    }

    #[test]
    fn resize_keeps_the_prefix_when_growing() {
        let t = arange(&[4]);
        let g = resize(&t, &[2, 3]).unwrap();
        assert_eq!(&g.to_vec::<i64>().unwrap()[..4], &[0, 1, 2, 3]);
        let s = resize(&t, &[3]).unwrap();
        assert!(std::sync::Arc::ptr_eq(&s.storage, &t.storage));
    }
}
