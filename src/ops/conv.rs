//! 2-d convolution (cross-correlation), forward and backward, as GEMMs image by image.
//!
//! Measured against one im2col of the whole batch followed by a batched matmul and a separate
//! bias pass (the composed form this replaces): a task unfolds one image at a time into a
//! buffer of its own that stays in cache and is reused for its whole share of the batch, the
//! bias is written into the output before the GEMM accumulates onto it, and a 1x1 stride-1
//! unpadded kernel multiplies the image itself. Images are split across threads (each GEMM
//! single-threaded); a batch smaller than the pool runs its GEMMs multi-threaded instead.
//! The weight gradient sums per-task partial products in a fixed order, so it is deterministic.
use super::unary::Float;
use super::window::{fold_plane, unfold_plane, Window};
use crate::backend::cpu::threads;
use crate::dtype::DType;
use crate::error::{runtime, Error, Result};
use crate::tensor::Tensor;
use gemm::Parallelism;

/// Below this many multiply-adds a convolution stays on the calling thread.
const PARALLEL_WORK: usize = 1 << 18;

/// Element types with a GEMM kernel (half types run through f32).
trait Real: Float + num_traits::Float + Send + Sync + 'static {}
impl Real for f32 {}
impl Real for f64 {}

/// A matrix operand: base pointer, row stride, column stride (in elements).
type Mat<T> = (*const T, isize, isize);

/// `dst (m×n, rows `dst_rs` apart) [+]= a (m×k) @ b (k×n)`.
///
/// SAFETY: every operand must address valid memory for its dims and strides.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_into<T: Real>(m: usize, n: usize, k: usize, dst: *mut T, dst_rs: usize, accumulate: bool, a: Mat<T>, b: Mat<T>, par: Parallelism) {
    gemm::gemm(m, n, k, dst, 1, dst_rs as isize, accumulate, a.0, a.2, a.1, b.0, b.2, b.1, T::one(), T::one(), false, false, false, par);
}

/// Shapes of one convolution: input `[n, c, h, w]`, weight `[o, c / groups, kh, kw]`.
#[derive(Clone, Copy)]
struct Dims {
    n: usize,
    c: usize,
    size: [usize; 2],
    o: usize,
    groups: usize,
    blocks: [usize; 2],
}

impl Dims {
    fn area(&self) -> usize {
        self.size[0] * self.size[1]
    }
    fn l(&self) -> usize {
        self.blocks[0] * self.blocks[1]
    }
    /// Reduction length of one group's product: `c / groups · kh · kw`.
    fn kg(&self, w: &Window) -> usize {
        self.c / self.groups * w.kernel[0] * w.kernel[1]
    }
    fn og(&self) -> usize {
        self.o / self.groups
    }
}

/// A 1x1 stride-1 unpadded kernel: the image is its own im2col.
fn pointwise(w: &Window) -> bool {
    w.kernel == [1, 1] && w.stride == [1, 1] && w.padding == [0; 4]
}

fn check(x: &Tensor, weight: &Tensor, groups: usize, w: &Window) -> Result<Dims> {
    let (&[n, c, h, wd], &[o, cg, kh, kw]) = (x.shape(), weight.shape()) else {
        return runtime(format!("conv2d: expected 4-D input and weight, but got {}-D and {}-D", x.ndim(), weight.ndim()));
    };
    if groups == 0 || o % groups != 0 || cg * groups != c || [kh, kw] != w.kernel {
        return runtime(format!("conv2d: weight of size {:?} does not fit input of size {:?} with groups={}", weight.shape(), x.shape(), groups));
    }
    if x.dtype != weight.dtype {
        return runtime(format!("conv2d: input ({}) and weight ({}) dtypes differ", x.dtype.name(), weight.dtype.name()));
    }
    if !x.dtype.is_float() {
        return Err(Error::NotImplemented(format!("\"slow_conv2d_cpu\" not implemented for '{}'", crate::ops::binary::type_label(x.dtype))));
    }
    Ok(Dims { n, c, size: [h, wd], o, groups, blocks: w.blocks([h, wd])? })
}

/// Runs `task(share, first, end, parallelism)` over contiguous shares of `n` images: one share
/// per thread when the job is large, else one share on this thread (its GEMMs multi-threaded
/// when the job is large but the batch smaller than the pool). Returns the number of shares.
fn split_images(n: usize, work: usize, task: &(dyn Fn(usize, usize, usize, Parallelism) + Sync)) -> usize {
    let threads = threads::num_threads();
    if threads <= 1 || work < PARALLEL_WORK {
        task(0, 0, n, Parallelism::None);
        return 1;
    }
    if n < threads {
        threads::install(|| task(0, 0, n, Parallelism::Rayon(threads)));
        return 1;
    }
    threads::parallel_for(threads, &|t| task(t, t * n / threads, (t + 1) * n / threads, Parallelism::None));
    threads
}

/// Runs `f` on contiguous f32 or f64 operands: half types are computed in f32 (there is no
/// half GEMM here) and the outputs rounded back once.
fn in_gemm_type(dtype: DType, inputs: &[Option<&Tensor>], f: &dyn Fn(&[Option<Tensor>]) -> Result<Vec<Option<Tensor>>>) -> Result<Vec<Option<Tensor>>> {
    let wide = matches!(dtype, DType::F16 | DType::BF16);
    let converted = inputs
        .iter()
        .map(|t| t.map(|t| if wide { t.to_dtype(DType::F32) } else { t.contiguous() }).transpose())
        .collect::<Result<Vec<_>>>()?;
    let outs = f(&converted)?;
    outs.into_iter().map(|o| o.map(|o| if wide { o.to_dtype(dtype) } else { Ok(o) }).transpose()).collect()
}

/// `conv2d(x, weight, bias)` with zero padding: `[N, O, Ho, Wo]`.
pub fn conv2d(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>, w: &Window, groups: usize) -> Result<Tensor> {
    let d = check(x, weight, groups, w)?;
    if let Some(b) = bias {
        if b.dtype != x.dtype || b.shape() != [d.o] {
            return runtime(format!("conv2d: expected a bias of {} elements of {}, but got {:?} of {}", d.o, x.dtype.name(), b.shape(), b.dtype.name()));
        }
    }
    let outs = in_gemm_type(x.dtype, &[Some(x), Some(weight), bias], &|t| {
        let (x, weight) = (t[0].as_ref().unwrap(), t[1].as_ref().unwrap());
        let out = Tensor::empty(&[d.n, d.o, d.blocks[0], d.blocks[1]], x.dtype)?;
        match x.dtype {
            DType::F64 => forward::<f64>(x, weight, t[2].as_ref(), &out, w, d),
            _ => forward::<f32>(x, weight, t[2].as_ref(), &out, w, d),
        }
        Ok(vec![Some(out)])
    })?;
    Ok(outs.into_iter().next().flatten().unwrap())
}

fn forward<T: Real>(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>, out: &Tensor, w: &Window, d: Dims) {
    let (l, kg, og) = (d.l(), d.kg(w), d.og());
    let (xs, ws, os) = (x.data_ptr::<T>() as usize, weight.data_ptr::<T>() as usize, out.data_ptr::<T>() as usize);
    let bias = bias.map(|b| b.contiguous().map(|b| b.to_vec::<T>().unwrap())).transpose().unwrap();
    let direct = pointwise(w);
    split_images(d.n, d.n * d.o * l * kg, &|_, first, end, par| {
        let mut buffer = if direct { Vec::new() } else { vec![T::zero(); d.c * w.kernel[0] * w.kernel[1] * l] };
        for image in first..end {
            // SAFETY: image `image` of the contiguous input and output lies inside them, and
            // only this task writes its output.
            unsafe {
                let x_img = (xs as *const T).add(image * d.c * d.area());
                let out_img = (os as *mut T).add(image * d.o * l);
                let cols = if direct {
                    x_img
                } else {
                    let x_img = std::slice::from_raw_parts(x_img, d.c * d.area());
                    for (plane, rows) in x_img.chunks(d.area()).zip(buffer.chunks_mut(w.kernel[0] * w.kernel[1] * l)) {
                        unfold_plane(plane, rows, w, d.size, d.blocks, T::zero());
                    }
                    buffer.as_ptr()
                };
                if let Some(b) = &bias {
                    for (o, &bo) in b.iter().enumerate() {
                        std::slice::from_raw_parts_mut(out_img.add(o * l), l).fill(bo);
                    }
                }
                for g in 0..d.groups {
                    let a = ((ws as *const T).add(g * og * kg), kg as isize, 1);
                    let b = (cols.add(g * kg * l), l as isize, 1);
                    gemm_into(og, l, kg, out_img.add(g * og * l), l, bias.is_some(), a, b, par);
                }
            }
        }
    });
}

/// The gradients of `conv2d` for `grad_out` `[N, O, Ho, Wo]`: input, weight and bias, each
/// computed only where `needs` says so.
pub fn conv2d_backward(x: &Tensor, weight: &Tensor, grad_out: &Tensor, w: &Window, groups: usize, needs: [bool; 3]) -> Result<[Option<Tensor>; 3]> {
    let d = check(x, weight, groups, w)?;
    if grad_out.shape() != [d.n, d.o, d.blocks[0], d.blocks[1]] {
        return runtime(format!("conv2d backward: gradient of size {:?} for an output of size {:?}", grad_out.shape(), [d.n, d.o, d.blocks[0], d.blocks[1]]));
    }
    let g = grad_out.to_dtype(x.dtype)?;
    let outs = in_gemm_type(x.dtype, &[Some(x), Some(weight), Some(&g)], &|t| {
        let (x, weight, g) = (t[0].as_ref().unwrap(), t[1].as_ref().unwrap(), t[2].as_ref().unwrap());
        match x.dtype {
            DType::F64 => backward::<f64>(x, weight, g, w, d, needs),
            _ => backward::<f32>(x, weight, g, w, d, needs),
        }
    })?;
    let mut it = outs.into_iter();
    Ok([it.next().flatten(), it.next().flatten(), it.next().flatten()])
}

fn backward<T: Real>(x: &Tensor, weight: &Tensor, g: &Tensor, w: &Window, d: Dims, needs: [bool; 3]) -> Result<Vec<Option<Tensor>>> {
    let (l, kg, og, kk) = (d.l(), d.kg(w), d.og(), w.kernel[0] * w.kernel[1]);
    let grad_x = needs[0].then(|| Tensor::zeros(x.shape(), x.dtype)).transpose()?;
    let direct = pointwise(w);
    let (xs, ws, gs) = (x.data_ptr::<T>() as usize, weight.data_ptr::<T>() as usize, g.data_ptr::<T>() as usize);
    let gx = grad_x.as_ref().map_or(0, |t| t.data_ptr::<T>() as usize);
    // One partial weight gradient and bias gradient per share of the batch.
    let threads = threads::num_threads().max(1);
    let partial_w: Vec<std::sync::Mutex<Vec<T>>> = (0..threads).map(|_| std::sync::Mutex::new(Vec::new())).collect();
    let partial_b: Vec<std::sync::Mutex<Vec<f64>>> = (0..threads).map(|_| std::sync::Mutex::new(Vec::new())).collect();
    let shares = split_images(d.n, 2 * d.n * d.o * l * kg, &|share, first, end, par| {
        let mut cols = if direct || !needs[1] { Vec::new() } else { vec![T::zero(); d.c * kk * l] };
        let mut grad_cols = if direct || !needs[0] { Vec::new() } else { vec![T::zero(); d.c * kk * l] };
        let mut gw = if needs[1] { vec![T::zero(); d.o * kg] } else { Vec::new() };
        let mut gb = if needs[2] { vec![0f64; d.o] } else { Vec::new() };
        for image in first..end {
            // SAFETY: image `image` of each contiguous tensor lies inside it; only this task
            // writes that image's input gradient, and its partial sums are its own.
            unsafe {
                let x_img = (xs as *const T).add(image * d.c * d.area());
                let g_img = (gs as *const T).add(image * d.o * l);
                if needs[1] {
                    let cols = if direct {
                        x_img
                    } else {
                        for (plane, rows) in std::slice::from_raw_parts(x_img, d.c * d.area()).chunks(d.area()).zip(cols.chunks_mut(kk * l)) {
                            unfold_plane(plane, rows, w, d.size, d.blocks, T::zero());
                        }
                        cols.as_ptr()
                    };
                    for gi in 0..d.groups {
                        // gw[g] (og×kg) += g_img[g] (og×L) @ cols[g]ᵀ (L×kg)
                        let a = (g_img.add(gi * og * l), l as isize, 1);
                        let b = (cols.add(gi * kg * l), 1, l as isize);
                        gemm_into(og, kg, l, gw.as_mut_ptr().add(gi * og * kg), kg, true, a, b, par);
                    }
                }
                if needs[2] {
                    for (o, s) in gb.iter_mut().enumerate() {
                        *s += std::slice::from_raw_parts(g_img.add(o * l), l).iter().map(|v| v.to_f64().unwrap()).sum::<f64>();
                    }
                }
                if needs[0] {
                    let gx_img = (gx as *mut T).add(image * d.c * d.area());
                    let dst = if direct { gx_img } else { grad_cols.as_mut_ptr() };
                    for gi in 0..d.groups {
                        // dcols[g] (kg×L) = w[g]ᵀ (kg×og) @ g_img[g] (og×L)
                        let a = ((ws as *const T).add(gi * og * kg), 1, kg as isize);
                        let b = (g_img.add(gi * og * l), l as isize, 1);
                        gemm_into(kg, l, og, dst.add(gi * kg * l), l, false, a, b, par);
                    }
                    if !direct {
                        let gx_img = std::slice::from_raw_parts_mut(gx_img, d.c * d.area());
                        for (plane, rows) in gx_img.chunks_mut(d.area()).zip(grad_cols.chunks(kk * l)) {
                            fold_plane(rows, plane, w, d.size, d.blocks);
                        }
                    }
                }
            }
        }
        *partial_w[share].lock().unwrap() = gw;
        *partial_b[share].lock().unwrap() = gb;
    });
    let sum_shares = |parts: &[std::sync::Mutex<Vec<T>>]| -> Vec<T> {
        let mut total = vec![T::zero(); d.o * kg];
        for p in parts.iter().take(shares) {
            for (t, &v) in total.iter_mut().zip(p.lock().unwrap().iter()) {
                *t = *t + v;
            }
        }
        total
    };
    let grad_w = needs[1].then(|| Tensor::from_vec(sum_shares(&partial_w), weight.shape())).transpose()?;
    let grad_b = needs[2]
        .then(|| {
            let mut total = vec![0f64; d.o];
            for p in partial_b.iter().take(shares) {
                total.iter_mut().zip(p.lock().unwrap().iter()).for_each(|(t, v)| *t += v);
            }
            Tensor::from_vec(total.into_iter().map(|v| <T as num_traits::NumCast>::from(v).unwrap()).collect::<Vec<T>>(), &[d.o])
        })
        .transpose()?;
    Ok(vec![grad_x, grad_w, grad_b])
}
