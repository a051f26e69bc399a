//! Pooling kernels besides the max itself (`window::max_pool2d`): the max pool's gradient, one
//! scatter by the argmax the forward pass kept, with its adjoint gather; and window means
//! (average and adaptive average pooling) with their adjoint. Each pair is linear and each
//! member is the other's gradient. All of them work plane by plane on `[…, H, W]` tensors.
use super::unary::Float;
use super::window::for_each_plane;
use crate::error::{runtime, Result};
use crate::tensor::Tensor;
use crate::with_float_dtype;
use num_traits::NumCast;

/// One spatial axis of a mean pool: for each output position, the input range `[start, end)`
/// it sums and the count it divides by (when no divisor overrides it).
#[derive(Clone, Debug)]
pub struct Spans {
    pub ranges: Vec<(usize, usize)>,
    pub counts: Vec<f64>,
}

/// How the window sums are divided: by the product of the two axes' counts, or by one number.
#[derive(Clone, Copy, Debug)]
pub enum Divisor {
    Counts,
    Fixed(f64),
}

fn spatial(t: &Tensor, what: &str) -> Result<(usize, [usize; 2])> {
    let nd = t.ndim();
    if nd < 2 {
        return runtime(format!("{}: expected a tensor with at least 2 dims, but got {}", what, nd));
    }
    let size = [t.shape()[nd - 2], t.shape()[nd - 1]];
    Ok((t.numel() / (size[0] * size[1]).max(1), size))
}

fn with_spatial(t: &Tensor, size: [usize; 2]) -> Vec<usize> {
    let mut shape = t.shape()[..t.ndim() - 2].to_vec();
    shape.extend(size);
    shape
}

fn float_only(t: &Tensor, what: &str) -> Result<()> {
    if t.dtype.is_float() {
        Ok(())
    } else {
        Err(crate::error::Error::NotImplemented(format!("\"{}\" not implemented for '{}'", what, crate::ops::binary::type_label(t.dtype))))
    }
}

/// Plane `p` of contiguous `src` (`len` elements each) and of `dst` (`out_len` each).
///
/// SAFETY: both must be contiguous with at least `p + 1` planes, and only this task writes
/// plane `p` of `dst`.
unsafe fn planes<'a, S, D>(src: usize, len: usize, dst: usize, out_len: usize, p: usize) -> (&'a [S], &'a mut [D]) {
    (std::slice::from_raw_parts((src as *const S).add(p * len), len), std::slice::from_raw_parts_mut((dst as *mut D).add(p * out_len), out_len))
}

/// The max pool's gradient: `grad` `[…, Ho, Wo]` added into zeros of `[…, H, W]` (`size`) at the
/// flat plane positions `indices` (the forward's argmax).
pub fn scatter_planes(grad: &Tensor, indices: &Tensor, size: [usize; 2]) -> Result<Tensor> {
    float_only(grad, "max_pool2d_with_indices_backward")?;
    let (count, out_size) = spatial(grad, "max_pool2d backward")?;
    if indices.shape() != grad.shape() {
        return runtime(format!("max_pool2d backward: indices of size {:?} for a gradient of size {:?}", indices.shape(), grad.shape()));
    }
    let (g, at) = (grad.contiguous()?, indices.contiguous()?);
    let out = Tensor::zeros(&with_spatial(grad, size), grad.dtype)?;
    let (area, out_area) = (size[0] * size[1], out_size[0] * out_size[1]);
    with_float_dtype!(grad.dtype, T => {
        let (gs, is, os) = (g.data_ptr::<T>() as usize, at.data_ptr::<i64>() as usize, out.data_ptr::<T>() as usize);
        for_each_plane(count, count * out_area, &|p| {
            // SAFETY: plane p of each contiguous tensor, written by this task only.
            let (g, dst) = unsafe { planes::<T, T>(gs, out_area, os, area, p) };
            let at = unsafe { std::slice::from_raw_parts((is as *const i64).add(p * out_area), out_area) };
            for (&v, &i) in g.iter().zip(at) {
                // An index outside the plane can only come from a hand-made call: skip it.
                if let Some(x) = dst.get_mut(i as usize) {
                    *x = T::narrow(x.widen() + v.widen());
                }
            }
        });
    });
    Ok(out)
}

/// The adjoint of `scatter_planes`: `x[…, indices]` plane by plane.
pub fn gather_planes(x: &Tensor, indices: &Tensor) -> Result<Tensor> {
    float_only(x, "max_pool2d_with_indices_backward")?;
    let (count, size) = spatial(x, "max_pool2d backward")?;
    let (_, out_size) = spatial(indices, "max_pool2d backward")?;
    let (src, at) = (x.contiguous()?, indices.contiguous()?);
    let out = Tensor::empty(&with_spatial(x, out_size), x.dtype)?;
    let (area, out_area) = (size[0] * size[1], out_size[0] * out_size[1]);
    with_float_dtype!(x.dtype, T => {
        let (xs, is, os) = (src.data_ptr::<T>() as usize, at.data_ptr::<i64>() as usize, out.data_ptr::<T>() as usize);
        for_each_plane(count, count * out_area, &|p| {
            // SAFETY: plane p of each contiguous tensor, written by this task only.
            let (x, dst) = unsafe { planes::<T, T>(xs, area, os, out_area, p) };
            let at = unsafe { std::slice::from_raw_parts((is as *const i64).add(p * out_area), out_area) };
            for (d, &i) in dst.iter_mut().zip(at) {
                *d = x.get(i as usize).copied().unwrap_or(T::narrow(<<T as Float>::W as num_traits::Zero>::zero()));
            }
        });
    });
    Ok(out)
}

fn check_spans(rows: &Spans, cols: &Spans, size: [usize; 2]) -> Result<()> {
    for (axis, s) in [rows, cols].into_iter().enumerate() {
        if s.ranges.len() != s.counts.len() || s.ranges.iter().any(|&(a, b)| a > b || b > size[axis]) {
            return runtime(format!("mean pool: windows {:?} do not fit an axis of size {}", s.ranges, size[axis]));
        }
    }
    Ok(())
}

fn divisor(d: Divisor, rows: &Spans, cols: &Spans, i: usize, j: usize) -> f64 {
    match d {
        Divisor::Counts => rows.counts[i] * cols.counts[j],
        Divisor::Fixed(v) => v,
    }
}

/// Mean pooling of `[…, H, W]`: output `[i, j]` is the sum of rows `rows.ranges[i]` ×
/// columns `cols.ranges[j]`, divided as `divisor` says. int64 sums divide with truncation, as
/// PyTorch's CPU kernel does.
pub fn window_mean(x: &Tensor, rows: &Spans, cols: &Spans, d: Divisor) -> Result<Tensor> {
    if x.dtype != crate::dtype::DType::I64 {
        float_only(x, "avg_pool2d")?;
    }
    let (count, size) = spatial(x, "avg_pool2d")?;
    check_spans(rows, cols, size)?;
    let src = x.contiguous()?;
    let out_size = [rows.ranges.len(), cols.ranges.len()];
    let out = Tensor::empty(&with_spatial(x, out_size), x.dtype)?;
    let plane = Plane { count, size, out_size };
    if x.dtype == crate::dtype::DType::I64 {
        plane.means::<i64, i64>(&src, &out, rows, cols, d, |s, v| s.wrapping_add(v), |s, div| s / div as i64);
        return Ok(out);
    }
    with_float_dtype!(x.dtype, T => {
        plane.means::<T, <T as Float>::W>(&src, &out, rows, cols, d, |s, v| s + v.widen(), |s, div| {
            T::narrow(s / <<T as Float>::W as NumCast>::from(div).unwrap())
        });
    });
    Ok(out)
}

/// The plane geometry of a mean pool.
struct Plane {
    count: usize,
    size: [usize; 2],
    out_size: [usize; 2],
}

impl Plane {
    /// Each window's sum (accumulated in `A` from its zero) and `finish(sum, divisor)`.
    #[allow(clippy::too_many_arguments)]
    fn means<T: crate::dtype::Element, A: Copy + num_traits::Zero>(
        &self,
        src: &Tensor,
        out: &Tensor,
        rows: &Spans,
        cols: &Spans,
        d: Divisor,
        add: impl Fn(A, T) -> A + Sync,
        finish: impl Fn(A, f64) -> T + Sync,
    ) {
        let (size, out_size) = (self.size, self.out_size);
        let (area, out_area) = (size[0] * size[1], out_size[0] * out_size[1]);
        let (xs, os) = (src.data_ptr::<T>() as usize, out.data_ptr::<T>() as usize);
        for_each_plane(self.count, self.count * area.max(out_area), &|p| {
            // SAFETY: plane p of each contiguous tensor, written by this task only.
            let (x, dst) = unsafe { planes::<T, T>(xs, area, os, out_area, p) };
            for (i, &(r0, r1)) in rows.ranges.iter().enumerate() {
                for (j, &(c0, c1)) in cols.ranges.iter().enumerate() {
                    let mut s = A::zero();
                    for r in r0..r1 {
                        s = x[r * size[1] + c0..r * size[1] + c1].iter().fold(s, |s, &v| add(s, v));
                    }
                    dst[i * out_size[1] + j] = finish(s, divisor(d, rows, cols, i, j));
                }
            }
        });
    }
}

/// The adjoint of `window_mean`: each output gradient, divided alike, added over its window
/// into zeros of `[…, H, W]` (`size`).
pub fn window_mean_backward(grad: &Tensor, size: [usize; 2], rows: &Spans, cols: &Spans, d: Divisor) -> Result<Tensor> {
    float_only(grad, "avg_pool2d_backward")?;
    let (count, out_size) = spatial(grad, "avg_pool2d backward")?;
    check_spans(rows, cols, size)?;
    if out_size != [rows.ranges.len(), cols.ranges.len()] {
        return runtime(format!("avg_pool2d backward: gradient of spatial size {:?} for {}x{} windows", out_size, rows.ranges.len(), cols.ranges.len()));
    }
    let g = grad.contiguous()?;
    let out = Tensor::zeros(&with_spatial(grad, size), grad.dtype)?;
    let (area, out_area) = (size[0] * size[1], out_size[0] * out_size[1]);
    with_float_dtype!(grad.dtype, T => {
        let (gs, os) = (g.data_ptr::<T>() as usize, out.data_ptr::<T>() as usize);
        for_each_plane(count, count * area.max(out_area), &|p| {
            // SAFETY: plane p of each contiguous tensor, written by this task only.
            let (g, dst) = unsafe { planes::<T, T>(gs, out_area, os, area, p) };
            for (i, &(r0, r1)) in rows.ranges.iter().enumerate() {
                for (j, &(c0, c1)) in cols.ranges.iter().enumerate() {
                    let div: <T as Float>::W = NumCast::from(divisor(d, rows, cols, i, j)).unwrap();
                    let v = g[i * out_size[1] + j].widen() / div;
                    for r in r0..r1 {
                        for x in &mut dst[r * size[1] + c0..r * size[1] + c1] {
                            *x = T::narrow(x.widen() + v);
                        }
                    }
                }
            }
        });
    });
    Ok(out)
}
