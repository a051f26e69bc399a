//! Reductions over all elements or a set of dims (`dim` as int, tuple or list; `keepdim`):
//! sums, products, extrema, logical reductions, norms and moments. Each is a `Fold` run by
//! the strided reduction kernel, which never copies its input.
use crate::backend::cpu::fold::{fold, Fold};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::{wrap_dim, Dims};
use crate::ops::binary::{binary, type_label, BinOp, Other};
use crate::ops::unary::{unary, UnaryOp};
use crate::backend::wgpu::reduce::{self as gpu, Reduction};
use crate::storage::Device;
use crate::tensor::Tensor;

/// Runs `$body` with `$T` bound to `f32` or `f64`. Half-precision tensors are widened to f32
/// first (`widen_halves`) and the result rounded once, as PyTorch's CPU kernels accumulate them
/// in float anyway; this keeps one kernel instantiation per op instead of four.
macro_rules! with_float {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            other => return Err(crate::dtype::not_implemented_for("float kernel", other)),
        }
    };
}
pub(crate) use with_float;

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

/// `t` itself, or its f32 copy when it is half precision.
pub fn widen_halves(t: &Tensor) -> Result<Tensor> {
    match t.dtype {
        DType::F16 | DType::BF16 => t.to_dtype(DType::F32),
        _ => Ok(t.clone()),
    }
}

/// Number of elements each output reduces.
fn reduced_count(t: &Tensor, dims: &[usize]) -> usize {
    dims.iter().map(|&d| t.shape()[d]).product()
}

/// Folds `t` over `dims` into a new tensor of element type `O`.
#[allow(clippy::too_many_arguments)]
fn fold_to<T: Element, O: Element, A: Copy + Send + Sync>(
    t: &Tensor,
    dims: &[usize],
    keepdim: bool,
    init: A,
    step: impl Fn(A, T) -> A + Sync,
    merge: impl Fn(A, A) -> A + Sync,
    finish: impl Fn(A) -> O + Sync,
) -> Result<Tensor> {
    let out = Tensor::empty(&reduced_shape(t.shape(), dims, keepdim), O::DTYPE)?;
    fold::<T, O, A, _, _, _>(t, dims, &out, &Fold { init, step, merge, finish });
    Ok(out)
}

/// The reduction by the GPU's kernel when `t` is a `cuda` tensor of a dtype it has.
fn on_gpu(t: &Tensor, dims: &[usize], keepdim: bool, kind: Reduction) -> Result<Option<Tensor>> {
    if t.device() != Device::Cuda || t.dtype != DType::F32 {
        return Ok(None);
    }
    let out = Tensor::empty(&reduced_shape(t.shape(), dims, keepdim), t.dtype)?;
    Ok(gpu::reduce(t, dims, &out, kind)?.then_some(out))
}

/// The dtype reductions like `sum`/`prod` produce: integers and bool widen to int64.
fn accumulating_dtype(t: &Tensor, dtype: Option<DType>) -> DType {
    dtype.unwrap_or(if t.dtype.is_float() || t.dtype.is_complex() { t.dtype } else { DType::I64 })
}

/// `sum` (and `prod`): floats accumulate in f32 (f64 for double); integers in wrapping i64,
/// converted to the requested dtype at the end.
fn sum_or_prod(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>, product: bool) -> Result<Tensor> {
    let out_dtype = accumulating_dtype(t, dtype);
    if out_dtype.is_complex() {
        if product {
            return Err(crate::dtype::not_implemented_for("prod_cpu", out_dtype));
        }
        let src = t.to_dtype(out_dtype)?;
        return super::complex::reduce_parts(&src, |p| sum_or_prod(p, dims, keepdim, None, false));
    }
    let dims = reduction_dims(dims, t.ndim())?;
    if out_dtype.is_float() {
        let src = widen_halves(&t.to_dtype(out_dtype)?)?;
        if let Some(r) = on_gpu(&src, &dims, keepdim, Reduction::Sum).transpose().filter(|_| !product) {
            return r?.to_dtype(out_dtype);
        }
        let r = with_float!(src.dtype, F => {
            if product {
                fold_to::<F, F, F>(&src, &dims, keepdim, 1.0, |a, x| a * x, |a, b| a * b, |a| a)
            } else {
                fold_to::<F, F, F>(&src, &dims, keepdim, 0.0, |a, x| a + x, |a, b| a + b, |a| a)
            }
        })?;
        return r.to_dtype(out_dtype);
    }
    let wide = crate::with_real_dtype!(t.dtype, T => {
        if product {
            fold_to::<T, i64, i64>(t, &dims, keepdim, 1, |a, x: T| a.wrapping_mul(x.to_i64()), i64::wrapping_mul, |a| a)
        } else {
            fold_to::<T, i64, i64>(t, &dims, keepdim, 0, |a, x: T| a.wrapping_add(x.to_i64()), i64::wrapping_add, |a| a)
        }
    })?;
    wide.to_dtype(out_dtype)
}

pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    sum_or_prod(t, dims, keepdim, dtype, false)
}

pub fn prod(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    sum_or_prod(t, dims, keepdim, dtype, true)
}

/// `nansum`: NaNs count as zero.
pub fn nansum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out_dtype = accumulating_dtype(t, dtype);
    if !out_dtype.is_float() {
        return sum(t, dims, keepdim, dtype);
    }
    let dims = reduction_dims(dims, t.ndim())?;
    let src = widen_halves(&t.to_dtype(out_dtype)?)?;
    with_float!(src.dtype, F => fold_to::<F, F, F>(&src, &dims, keepdim, 0.0, |a, x| if x.is_nan() { a } else { a + x }, |a, b| a + b, |a| a))?
        .to_dtype(out_dtype)
}

fn float_output(op: &str, t: &Tensor, dtype: Option<DType>) -> Result<DType> {
    let out = dtype.unwrap_or(t.dtype);
    if !out.is_float() {
        return Err(crate::error::Error::NotImplemented(format!(
            "{}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            op,
            type_label(t.dtype)
        )));
    }
    Ok(out)
}

/// `mean`: only floating inputs (or an explicit float `dtype`), as in PyTorch.
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if t.dtype.is_complex() && dtype.is_none_or(|d| d.is_complex()) {
        let src = t.to_dtype(dtype.unwrap_or(t.dtype))?;
        return super::complex::reduce_parts(&src, |p| mean(p, dims, keepdim, None));
    }
    let out_dtype = float_output("mean", t, dtype)?;
    let dims = reduction_dims(dims, t.ndim())?;
    let src = widen_halves(&t.to_dtype(out_dtype)?)?;
    if let Some(r) = on_gpu(&src, &dims, keepdim, Reduction::Mean)? {
        return r.to_dtype(out_dtype);
    }
    let count = reduced_count(t, &dims) as f64;
    with_float!(src.dtype, F => {
        let count = count as F;
        fold_to::<F, F, F>(&src, &dims, keepdim, 0.0, |a, x| a + x, |a, b| a + b, move |a| a / count)
    })?
    .to_dtype(out_dtype)
}

/// `nanmean`: the mean of the non-NaN elements.
pub fn nanmean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out_dtype = float_output("nanmean", t, dtype)?;
    let dims = reduction_dims(dims, t.ndim())?;
    let src = widen_halves(&t.to_dtype(out_dtype)?)?;
    with_float!(src.dtype, F => fold_to::<F, F, (F, F)>(&src, &dims, keepdim, (0.0, 0.0),
        |(s, n), x| if x.is_nan() { (s, n) } else { (s + x, n + 1.0) },
        |(s, n), (s2, n2)| (s + s2, n + n2),
        |(s, n)| s / n))?
    .to_dtype(out_dtype)
}

/// Which extreme `amax`/`amin`/`max`/`min` keep.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Extreme {
    Max,
    Min,
}

impl Extreme {
    pub fn name(self) -> &'static str {
        match self {
            Extreme::Max => "max",
            Extreme::Min => "min",
        }
    }
    /// Whether `x` replaces the current extreme `a` (NaN wins and then sticks).
    #[inline(always)]
    pub fn better<V: PartialOrd>(self, x: V, a: V) -> bool {
        // Non-short-circuit `|` keeps this a branch-free select the compiler can vectorise.
        #[allow(clippy::eq_op)]
        let x_nan = x != x;
        match self {
            Extreme::Max => (x > a) | x_nan,
            Extreme::Min => (x < a) | x_nan,
        }
    }
    /// The accumulator step keeping the extreme of two values.
    pub fn picker<V: PartialOrd + Copy>(self) -> impl Fn(V, V) -> V + Copy + Sync {
        move |a, x| if self.better(x, a) { x } else { a }
    }
    /// `picker` for floats, built on max/min so that an accumulator updated in place compiles
    /// to a blend: `if better { x } else { a }` on memory becomes a masked store, which is very
    /// slow on some CPUs. NaN in either operand gives NaN (`a + x`).
    pub fn float_picker<F: num_traits::Float>(self) -> impl Fn(F, F) -> F + Copy + Sync {
        move |a: F, x: F| {
            let m = if self == Extreme::Max { a.max(x) } else { a.min(x) };
            if a.is_nan() | x.is_nan() { a + x } else { m }
        }
    }
}

/// PyTorch's checks for reductions without an identity over empty tensors.
pub fn check_nonempty(op: &str, t: &Tensor, dims: &[usize], dim_given: bool) -> Result<()> {
    if t.numel() != 0 {
        return Ok(());
    }
    if !dim_given && matches!(op, "max" | "min" | "amax" | "amin") {
        return runtime(format!(
            "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
            op
        ));
    }
    for &d in dims {
        if t.shape()[d] == 0 {
            return Err(Error::Index(format!("{}(): Expected reduction dim {} to have non-zero size.", op, d)));
        }
    }
    Ok(())
}

/// `amax` / `amin` (and `max()` / `min()` without a dim): NaN propagates.
pub fn extreme(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, which: Extreme, op: &str) -> Result<Tensor> {
    let dims_w = reduction_dims(dims, t.ndim())?;
    check_nonempty(op, t, &dims_w, dims.is_some_and(|d| !d.is_empty()))?;
    if t.dtype.is_float() {
        let src = widen_halves(t)?;
        let kind = if which == Extreme::Max { Reduction::Max } else { Reduction::Min };
        if let Some(r) = on_gpu(&src, &dims_w, keepdim, kind)? {
            return r.to_dtype(t.dtype);
        }
        return with_float!(src.dtype, F => {
            let pick = which.float_picker::<F>();
            let init = if which == Extreme::Max { F::NEG_INFINITY } else { F::INFINITY };
            fold_to::<F, F, F>(&src, &dims_w, keepdim, init, pick, pick, |a| a)
        })?
        .to_dtype(t.dtype);
    }
    let pick = which.picker::<i64>();
    let init = if which == Extreme::Max { i64::MIN } else { i64::MAX };
    crate::with_dtype!(t.dtype, T => fold_to::<T, T, i64>(t, &dims_w, keepdim, init, move |a, x: T| pick(a, x.to_i64()), pick, T::from_i64))
}

/// `all` / `any`: bool results, except that uint8 inputs give uint8 (PyTorch's legacy rule).
pub fn logical(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, all: bool) -> Result<Tensor> {
    let dims = reduction_dims(dims, t.ndim())?;
    let out_u8 = t.dtype == DType::U8;
    crate::with_dtype!(t.dtype, T => {
        let r = if all {
            fold_to::<T, bool, bool>(t, &dims, keepdim, true, |a, x: T| a & x.to_bool(), |a, b| a & b, |a| a)
        } else {
            fold_to::<T, bool, bool>(t, &dims, keepdim, false, |a, x: T| a | x.to_bool(), |a, b| a | b, |a| a)
        }?;
        if out_u8 { r.to_dtype(DType::U8) } else { Ok(r) }
    })
}

/// `count_nonzero`: int64 counts.
pub fn count_nonzero(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let dims = reduction_dims(dims, t.ndim())?;
    crate::with_dtype!(t.dtype, T => fold_to::<T, i64, i64>(t, &dims, false, 0, |a, x: T| a + x.to_bool() as i64, |a, b| a + b, |a| a))
}

/// `linalg.vector_norm` (and `norm` with a numeric `p`): floating inputs only.
pub fn vector_norm(t: &Tensor, ord: f64, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if !t.dtype.is_float() {
        return runtime(format!(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
            type_label(t.dtype)
        ));
    }
    let dims_w = reduction_dims(dims, t.ndim())?;
    if t.numel() == 0 && (ord < 0.0 || ord == f64::INFINITY) {
        let ord_text = if ord.is_infinite() { "inf".to_string() } else { format_float(ord) };
        if dims.is_none_or(|d| d.is_empty()) {
            return runtime(format!(
                "linalg.vector_norm cannot compute the {} norm on an empty tensor because the operation does not have an identity",
                ord_text
            ));
        }
        if let Some(&d) = dims_w.iter().find(|&&d| t.shape()[d] == 0) {
            return runtime(format!(
                "linalg.vector_norm cannot compute the {} norm on the dimension {}because this dimension is empty and the operation does not have an identity",
                ord_text, d
            ));
        }
    }
    let out_dtype = dtype.unwrap_or(t.dtype);
    let src = widen_halves(&t.to_dtype(out_dtype)?)?;
    with_float!(src.dtype, F => {
        let p = ord as F;
        let add = |a: F, b: F| a + b;
        let id = |a: F| a;
        if ord == 2.0 {
            fold_to::<F, F, F>(&src, &dims_w, keepdim, 0.0, |a, x| a + x * x, add, |a| a.sqrt())
        } else if ord == 1.0 {
            fold_to::<F, F, F>(&src, &dims_w, keepdim, 0.0, |a, x| a + x.abs(), add, id)
        } else if ord == 0.0 {
            fold_to::<F, F, F>(&src, &dims_w, keepdim, 0.0, |a, x| if x != 0.0 { a + 1.0 } else { a }, add, id)
        } else if ord.is_infinite() {
            let which = if ord > 0.0 { Extreme::Max } else { Extreme::Min };
            let pick = which.float_picker::<F>();
            let init = if ord > 0.0 { 0.0 } else { F::INFINITY };
            fold_to::<F, F, F>(&src, &dims_w, keepdim, init, move |a, x| pick(a, x.abs()), pick, id)
        } else {
            fold_to::<F, F, F>(&src, &dims_w, keepdim, 0.0, move |a, x| a + x.abs().powf(p), add, move |a| a.powf(1.0 / p))
        }
    })?
    .to_dtype(out_dtype)
}

/// Python's repr of a float order (`3.0`, `-1.0`), as it appears in PyTorch's messages.
fn format_float(v: f64) -> String {
    if v.fract() == 0.0 { format!("{:.1}", v) } else { v.to_string() }
}

/// Welford's running moments, merged with Chan's formula; computed in f64.
#[derive(Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

const NO_MOMENTS: Moments = Moments { n: 0.0, mean: 0.0, m2: 0.0 };

#[inline(always)]
fn moments_step(m: Moments, x: f64) -> Moments {
    let n = m.n + 1.0;
    let delta = x - m.mean;
    let mean = m.mean + delta / n;
    Moments { n, mean, m2: m.m2 + delta * (x - mean) }
}

#[inline(always)]
fn moments_merge(a: Moments, b: Moments) -> Moments {
    if a.n == 0.0 {
        return b;
    }
    if b.n == 0.0 {
        return a;
    }
    let n = a.n + b.n;
    let delta = b.mean - a.mean;
    Moments { n, mean: a.mean + delta * b.n / n, m2: a.m2 + b.m2 + delta * delta * a.n * b.n / n }
}

/// `var` (or `std` with `sqrt`): `correction` is subtracted from the count (Bessel's 1).
pub fn var(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool, sqrt: bool) -> Result<Tensor> {
    if !t.dtype.is_float() {
        return runtime("std and var only support floating point and complex dtypes");
    }
    let dims = reduction_dims(dims, t.ndim())?;
    let src = widen_halves(t)?;
    with_float!(src.dtype, F => fold_to::<F, F, Moments>(&src, &dims, keepdim, NO_MOMENTS,
        |m, x| moments_step(m, x as f64),
        moments_merge,
        move |m| {
            let v = m.m2 / (m.n - correction).max(0.0);
            (if sqrt { v.sqrt() } else { v }) as F
        }))?
    .to_dtype(t.dtype)
}

/// `logsumexp`: `log(sum(exp(x)))` computed around the maximum so it does not overflow.
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let x = if t.dtype.is_float() { t.clone() } else { t.to_dtype(crate::default_dtype::get())? };
    let dims_w = reduction_dims(dims, x.ndim())?;
    if x.numel() == 0 {
        let zeros = sum(&x, dims, keepdim, None)?;
        return unary(UnaryOp::Log, &binary(BinOp::Mul, &zeros, &Other::Scalar(Scalar::Int(0)))?);
    }
    let max = extreme(&x, dims, true, Extreme::Max, "logsumexp")?;
    // An infinite maximum would give inf - inf = NaN: shift by 0 there instead.
    let finite = crate::with_dtype!(max.dtype, F => {
        let out = Tensor::empty(max.shape(), max.dtype)?;
        crate::backend::cpu::map::unary_into::<F, F>(&out, &max, |m: F| if m.to_f64().is_infinite() { F::ZERO } else { m });
        out
    });
    let shifted = binary(BinOp::Sub, &x, &Other::Tensor(finite.clone()))?;
    let total = sum(&unary(UnaryOp::Exp, &shifted)?, Some(&dims_w.iter().map(|&d| d as i64).collect::<Vec<_>>()), keepdim, None)?;
    let finite = if keepdim { finite } else { finite.reshape(&total.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())? };
    binary(BinOp::Add, &unary(UnaryOp::Log, &total)?, &Other::Tensor(finite))
}
