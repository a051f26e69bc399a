//! Tensor factories: ranges (`arange`, `range`, `linspace`, `logspace`), `eye`, and the
//! allocation behind the `*_like` functions.
use crate::backend::cpu::threads;
use crate::backend::cpu::simd::PARALLEL_GRAIN;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::Layout;
use crate::tensor::Tensor;
use crate::with_dtype;

/// A new contiguous tensor whose element i is `f(i)` (filled in parallel when large).
pub fn from_fn<T: Element>(shape: &[usize], f: impl Fn(usize) -> T + Sync) -> Result<Tensor> {
    let t = Tensor::empty(shape, T::DTYPE)?;
    let n = t.numel();
    if n == 0 {
        return Ok(t);
    }
    // SAFETY: `t` is a fresh contiguous buffer of n elements of T that nothing else can see.
    let out = unsafe { std::slice::from_raw_parts_mut(t.data_ptr::<T>(), n) };
    if n < PARALLEL_GRAIN {
        out.iter_mut().enumerate().for_each(|(i, x)| *x = f(i));
    } else {
        threads::parallel_chunks(out, PARALLEL_GRAIN, &|c, chunk| {
            let base = c * PARALLEL_GRAIN;
            chunk.iter_mut().enumerate().for_each(|(i, x)| *x = f(base + i));
        });
    }
    Ok(t)
}

/// C++-style number formatting for range errors (`inf`, `nan`, `1` rather than `1.0`).
fn show(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{}", v)
    }
}

fn check_range(start: f64, end: f64, step: f64) -> Result<()> {
    if step == 0.0 {
        return runtime("step must be nonzero");
    }
    if !start.is_finite() || !end.is_finite() {
        return runtime(format!("unsupported range: {} -> {}", show(start), show(end)));
    }
    if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        return runtime("upper bound and larger bound inconsistent with step sign");
    }
    Ok(())
}

/// `arange(start, end, step)`: `ceil((end - start) / step)` values `start + i * step`.
/// As in PyTorch, integer dtypes truncate the start and step to integers for the values.
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: DType) -> Result<Tensor> {
    let (fs, fe, fst) = (start.to_f64(), end.to_f64(), step.to_f64());
    if dtype == DType::Bool {
        return runtime("\"arange_cpu\" not implemented for 'Bool'");
    }
    if dtype.is_float() {
        check_range(fs, fe, fst)?;
        let n = check_size(((fe - fs) / fst).ceil())?;
        return with_dtype!(dtype, T => from_fn::<T>(&[n], |i| T::from_f64(fs + i as f64 * fst)));
    }
    check_range(fs, fe, fst)?;
    let (is, ie, ist) = (start.to_i64(), end.to_i64(), step.to_i64());
    // The size comes from the numbers as given (a 0.5 step on an integer dtype makes values
    // that repeat the truncated start), exact in integers when all are integers.
    let integral = |s: Scalar| !matches!(s, Scalar::Float(_));
    let n = if dtype == DType::I64 && integral(start) && integral(end) && integral(step) {
        // Exact ceiling division in integers, as PyTorch computes int64 sizes.
        ((ie as i128 - is as i128 + ist as i128 - ist.signum() as i128) / ist as i128) as f64
    } else {
        ((fe - fs) / fst).ceil()
    };
    let n = check_size(n)?;
    with_dtype!(dtype, T => from_fn::<T>(&[n], |i| T::from_i64(is.wrapping_add((i as i64).wrapping_mul(ist)))))
}

fn check_size(n: f64) -> Result<usize> {
    // (NaN fails the comparison too.)
    if !(n <= i64::MAX as f64) {
        return runtime("invalid size, possible overflow?");
    }
    Ok(n.max(0.0) as usize)
}

/// The deprecated `torch.range`: like `arange` but the end is included.
pub fn range(start: Scalar, end: Scalar, step: Scalar, dtype: DType) -> Result<Tensor> {
    let (fs, fe, fst) = (start.to_f64(), end.to_f64(), step.to_f64());
    check_range(fs, fe, fst)?;
    let n = check_size(((fe - fs) / fst).floor() + 1.0)?;
    with_dtype!(dtype, T => from_fn::<T>(&[n], |i| T::from_f64(fs + i as f64 * fst)))
}

fn check_steps(steps: i64) -> Result<usize> {
    usize::try_from(steps).map_err(|_| Error::Runtime("number of steps must be non-negative".into()))
}

/// The `i`-th of `steps` evenly spaced points from `start` to `end`, computed as PyTorch's CPU
/// kernel does: from the start for the first half and from the end for the second, so both
/// endpoints are exact. Float dtypes round every operation to the dtype; integer dtypes
/// truncate the endpoints first and step in double precision.
fn spaced<T: Element>(start: f64, end: f64, steps: usize) -> impl Fn(usize) -> f64 + Sync {
    let float = T::DTYPE.is_float();
    let round = move |v: f64| if float { T::from_f64(v).to_f64() } else { v };
    let (s, e) = (T::from_f64(start).to_f64(), T::from_f64(end).to_f64());
    let step = round((e - s) / (steps.max(2) - 1) as f64);
    let halfway = steps / 2;
    move |i| {
        if i < halfway {
            round(s + round(step * round(i as f64)))
        } else {
            round(e - round(step * round((steps - i - 1) as f64)))
        }
    }
}

/// PyTorch's range kernels have no bool instantiation (0 or 1 steps need no kernel: an empty
/// result, or `start` filled in).
fn check_not_bool(dtype: DType, steps: usize, kernel: &str) -> Result<()> {
    if dtype == DType::Bool && steps > 1 {
        return Err(crate::dtype::not_implemented_for(kernel, dtype));
    }
    Ok(())
}

pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
    let n = check_steps(steps)?;
    check_not_bool(dtype, n, "linspace_cpu")?;
    with_dtype!(dtype, T => {
        let at = spaced::<T>(start, end, n);
        from_fn::<T>(&[n], |i| if n == 1 { T::from_f64(start) } else { T::from_f64(at(i)) })
    })
}

pub fn logspace(start: f64, end: f64, steps: i64, base: f64, dtype: DType) -> Result<Tensor> {
    let n = check_steps(steps)?;
    check_not_bool(dtype, n, "logspace_cpu")?;
    with_dtype!(dtype, T => {
        let at = spaced::<T>(start, end, n);
        from_fn::<T>(&[n], |i| T::from_f64(base.powf(if n == 1 { start } else { at(i) })))
    })
}

/// `eye(n, m)`: ones on the main diagonal.
pub fn eye(n: i64, m: i64, dtype: DType) -> Result<Tensor> {
    if n < 0 {
        return runtime(format!("n must be greater or equal to 0, got {}", n));
    }
    if m < 0 {
        return runtime(format!("m must be greater or equal to 0, got {}", m));
    }
    let (n, m) = (n as usize, m as usize);
    with_dtype!(dtype, T => from_fn::<T>(&[n, m], |i| if i / m == i % m { T::ONE } else { T::ZERO }))
}

/// An uninitialised tensor shaped like `t` (`empty_like`, memory_format=preserve_format): it
/// keeps t's strides when t is dense (a transposed input gives a transposed result), else it
/// is contiguous.
pub fn empty_like(t: &Tensor, dtype: DType, preserve_strides: bool) -> Result<Tensor> {
    let fresh = Tensor::empty(t.shape(), dtype)?;
    if !preserve_strides || t.is_contiguous() || !t.layout.is_non_overlapping_and_dense() {
        return Ok(fresh);
    }
    Ok(fresh.with_layout(Layout { shape: t.layout.shape.clone(), strides: t.layout.strides.clone(), offset: 0 }))
}

/// `full_like` / `zeros_like` / `ones_like`.
pub fn full_like(t: &Tensor, value: Scalar, dtype: DType, preserve_strides: bool) -> Result<Tensor> {
    let out = empty_like(t, dtype, preserve_strides)?;
    out.fill_(value)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_hits_both_endpoints() {
        let t = linspace(-5.0, 5.0, 200, DType::F32).unwrap().to_vec::<f32>().unwrap();
        assert_eq!((t[0], t[199]), (-5.0, 5.0));
        let t = linspace(0.0, 10.0, 4, DType::I64).unwrap().to_vec::<i64>().unwrap();
        assert_eq!(t, vec![0, 3, 6, 10]);
    }

    #[test]
    fn arange_sizes_follow_pytorch() {
        let n = |s: f64, e: f64, st: f64, d| arange(Scalar::Float(s), Scalar::Float(e), Scalar::Float(st), d).unwrap().numel();
        assert_eq!(n(0.0, 1.0, 0.25, DType::F32), 4);
        assert_eq!(n(1.0, 10.0, 2.0, DType::I64), 5);
        assert_eq!(n(10.0, 0.0, -3.0, DType::I64), 4);
        assert!(arange(Scalar::Int(0), Scalar::Int(5), Scalar::Int(-1), DType::I64).is_err());
    }

    #[test]
    fn empty_like_keeps_transposed_strides() {
        let t = Tensor::zeros(&[2, 3], DType::F32).unwrap();
        let tt = t.with_layout(t.layout.permute(&[1, 0]));
        assert_eq!(empty_like(&tt, DType::F32, true).unwrap().strides(), &[1, 3]);
        assert_eq!(empty_like(&tt, DType::F32, false).unwrap().strides(), &[2, 1]);
    }
}
