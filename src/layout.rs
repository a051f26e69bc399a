//! Shape, strides and offset: broadcasting, contiguity and the rules for making views.
use crate::error::{Error, Result};
use smallvec::SmallVec;

pub type Dims = SmallVec<[usize; 6]>;
pub type Strides = SmallVec<[isize; 6]>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Dims,
    pub strides: Strides,
    pub offset: usize,
}

pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

pub fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = SmallVec::from_elem(0, shape.len());
    let mut acc = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc *= shape[i].max(1) as isize;
    }
    strides
}

/// Wraps a possibly negative dim into `0..ndim` (`ndim` 0 accepts -1 and 0, like PyTorch).
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::Index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {})",
            -n,
            n - 1,
            dim
        )));
    }
    Ok(if dim < 0 { (dim + n) as usize } else { dim as usize })
}

/// `wrap_dim` for ops that need a real dim: a 0-dim tensor has none (PyTorch's IndexError).
pub fn wrap_existing_dim(dim: i64, ndim: usize) -> Result<usize> {
    if ndim == 0 {
        return Err(Error::Index(format!("Dimension specified as {} but tensor has no dimensions", dim)));
    }
    wrap_dim(dim, ndim)
}

/// The shape two shapes broadcast to, or PyTorch's error.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = SmallVec::from_elem(0, n);
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::Runtime(format!(
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                da, db, i
            )));
        };
    }
    Ok(out)
}

/// Resolves a single `-1` in a requested shape against `numel`.
pub fn infer_shape(requested: &[i64], numel: usize) -> Result<Dims> {
    let mut infer_at = None;
    let mut known = 1usize;
    for (i, &d) in requested.iter().enumerate() {
        if d == -1 {
            if infer_at.is_some() {
                return Err(Error::Runtime("only one dimension can be inferred".into()));
            }
            infer_at = Some(i);
        } else if d < 0 {
            return Err(Error::Runtime(format!("invalid shape dimension {}", d)));
        } else {
            known *= d as usize;
        }
    }
    let shape_str = || {
        let parts: Vec<String> = requested.iter().map(|d| d.to_string()).collect();
        format!("[{}]", parts.join(", "))
    };
    let mut out: Dims = requested.iter().map(|&d| d.max(0) as usize).collect();
    match infer_at {
        Some(i) => {
            if known == 0 || numel % known != 0 {
                return Err(Error::Runtime(format!(
                    "shape '{}' is invalid for input of size {}",
                    shape_str(),
                    numel
                )));
            }
            out[i] = numel / known;
        }
        None if known != numel => {
            return Err(Error::Runtime(format!(
                "shape '{}' is invalid for input of size {}",
                shape_str(),
                numel
            )))
        }
        None => {}
    }
    Ok(out)
}

impl Layout {
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout { shape: shape.into(), strides: contiguous_strides(shape), offset: 0 }
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// Row-major contiguity, ignoring strides of size-1 dims; empty tensors are contiguous
    /// (PyTorch's definition).
    pub fn is_contiguous(&self) -> bool {
        if self.shape.contains(&0) {
            return true;
        }
        let mut expected = 1isize;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] == 1 {
                continue;
            }
            if self.strides[i] != expected {
                return false;
            }
            expected *= self.shape[i] as isize;
        }
        true
    }

    /// Whether the layout covers exactly `numel` consecutive elements, in some dim order
    /// (PyTorch's `is_non_overlapping_and_dense`).
    pub fn is_non_overlapping_and_dense(&self) -> bool {
        let mut dims: Vec<usize> = (0..self.ndim()).filter(|&d| self.shape[d] >= 2).collect();
        dims.sort_by_key(|&d| self.strides[d]);
        let mut expected = 1isize;
        for d in dims {
            if self.strides[d] != expected {
                return false;
            }
            expected *= self.shape[d] as isize;
        }
        true
    }

    /// The layout broadcast (with zero strides) to `shape`.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Layout> {
        let n = shape.len();
        if self.ndim() > n {
            return Err(Error::Runtime(format!(
                "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension 0.  Target sizes: {:?}.  Tensor sizes: {:?}",
                n, self.ndim(), shape, self.shape.as_slice()
            )));
        }
        let lead = n - self.ndim();
        let mut strides: Strides = SmallVec::from_elem(0, n);
        for i in 0..n {
            if i < lead {
                continue;
            }
            let (d, s) = (self.shape[i - lead], self.strides[i - lead]);
            if d == shape[i] {
                strides[i] = s;
            } else if d != 1 {
                return Err(Error::Runtime(format!(
                    "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {:?}.  Tensor sizes: {:?}",
                    shape[i], d, i, shape, self.shape.as_slice()
                )));
            }
        }
        Ok(Layout { shape: shape.into(), strides, offset: self.offset })
    }

    /// Strides for viewing this layout as `new_shape` without copying (PyTorch's
    /// `computeStride`), or None when the memory cannot be reinterpreted that way.
    pub fn view_strides(&self, new_shape: &[usize]) -> Option<Strides> {
        let numel = self.numel();
        // Empty and 0-dim tensors can take any (valid) shape.
        if numel == 0 || self.ndim() == 0 {
            return Some(contiguous_strides(new_shape));
        }
        if self.ndim() == 0 {
            // A scalar views as any all-ones shape.
            return Some(SmallVec::from_elem(1, new_shape.len()));
        }
        let mut new_strides: Strides = SmallVec::from_elem(0, new_shape.len());
        let mut view_d = new_shape.len() as isize - 1;
        let mut chunk_base_stride = *self.strides.last().unwrap_or(&1);
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for tensor_d in (0..self.ndim()).rev() {
            tensor_numel *= self.shape[tensor_d];
            let chunk_ends = tensor_d == 0
                || (self.shape[tensor_d - 1] != 1
                    && self.strides[tensor_d - 1] != tensor_numel as isize * chunk_base_stride);
            if chunk_ends {
                while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1) {
                    new_strides[view_d as usize] = view_numel as isize * chunk_base_stride;
                    view_numel *= new_shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = self.strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(new_strides)
    }

    pub fn permute(&self, dims: &[usize]) -> Layout {
        Layout {
            shape: dims.iter().map(|&d| self.shape[d]).collect(),
            strides: dims.iter().map(|&d| self.strides[d]).collect(),
            offset: self.offset,
        }
    }

    /// Merges adjacent dims that are contiguous with each other in every one of `layouts`
    /// (all of the same shape), so strided loops run over as few, long dims as possible.
    pub fn collapse(shape: &[usize], strides: &mut [Strides]) -> Dims {
        let mut out_shape: Dims = SmallVec::new();
        let mut out_strides: Vec<Strides> = vec![SmallVec::new(); strides.len()];
        for d in 0..shape.len() {
            if shape[d] == 1 {
                continue;
            }
            let mergeable = !out_shape.is_empty()
                && strides.iter().zip(out_strides.iter()).all(|(s, o)| {
                    *o.last().unwrap() == s[d] * shape[d] as isize
                });
            if mergeable {
                *out_shape.last_mut().unwrap() *= shape[d];
                for (s, o) in strides.iter().zip(out_strides.iter_mut()) {
                    *o.last_mut().unwrap() = s[d];
                }
            } else {
                out_shape.push(shape[d]);
                for (s, o) in strides.iter().zip(out_strides.iter_mut()) {
                    o.push(s[d]);
                }
            }
        }
        for (s, o) in strides.iter_mut().zip(out_strides) {
            *s = o;
        }
        out_shape
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_rules() {
        assert_eq!(broadcast_shapes(&[3, 1], &[1, 4]).unwrap().as_slice(), &[3, 4]);
        assert_eq!(broadcast_shapes(&[2, 1, 4], &[3, 1]).unwrap().as_slice(), &[2, 3, 4]);
        assert!(broadcast_shapes(&[2, 3], &[2]).is_err());
    }

    #[test]
    fn view_of_transposed_fails_but_of_contiguous_works() {
        let l = Layout::contiguous(&[2, 3]);
        assert_eq!(l.view_strides(&[3, 2]).unwrap().as_slice(), &[2, 1]);
        let t = l.permute(&[1, 0]);
        assert!(t.view_strides(&[6]).is_none());
        assert!(t.view_strides(&[3, 2, 1]).is_some());
    }

    #[test]
    fn collapse_merges_contiguous_dims() {
        let mut s = vec![contiguous_strides(&[2, 3, 4])];
        let shape = Layout::collapse(&[2, 3, 4], &mut s);
        assert_eq!(shape.as_slice(), &[24]);
        assert_eq!(s[0].as_slice(), &[1]);
    }

    #[test]
    fn infer_shape_checks_size() {
        assert_eq!(infer_shape(&[2, -1], 6).unwrap().as_slice(), &[2, 3]);
        assert!(infer_shape(&[-1, -1], 6).is_err());
        assert!(infer_shape(&[4, 2], 6).is_err());
    }
}
