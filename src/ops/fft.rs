//! One-dimensional discrete Fourier transforms along a dim, on rustfft: complex-to-complex,
//! real-to-complex and complex-to-real (Hermitian input). `torch.fft` composes them over dims
//! and chooses the scale of each norm mode (python/rustorch/fft.py).
use crate::complex::{Complex, Part};
use crate::dtype::DType;
use crate::error::{runtime, Result};
use crate::layout::wrap_dim;
use crate::tensor::Tensor;
use rustfft::num_complex::Complex as Fc;
use rustfft::{FftNum, FftPlanner};

/// What a lane of the output is made of.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// complex in, complex out (`fft`, `ifft`)
    C2C { inverse: bool },
    /// real in, complex out, only the n/2+1 non-redundant terms when `onesided` (`rfft`)
    R2C { onesided: bool },
    /// Hermitian half in, real out of length n (`irfft`)
    C2R,
}

/// The transform of `t` along `dim` with signal length `n` (the input is trimmed or zero-padded
/// to it), every output multiplied by `scale`.
pub fn fft(t: &Tensor, dim: i64, n: usize, kind: Kind, scale: f64) -> Result<Tensor> {
    if n == 0 {
        return runtime(format!("Invalid number of data points ({}) specified", n));
    }
    let d = wrap_dim(dim, t.ndim().max(1))?;
    if t.ndim() == 0 {
        return runtime("fft: expected a tensor with at least one dimension");
    }
    let real = if t.dtype == DType::F64 || t.dtype == DType::Complex128 { DType::F64 } else { DType::F32 };
    let in_dtype = match kind {
        Kind::R2C { .. } => {
            if t.dtype.is_complex() {
                return runtime(format!("rfft expects a real input tensor, but got {}", t.dtype.type_label()));
            }
            real
        }
        _ => real.to_complex(),
    };
    let input = crate::ops::shape::movedim(&t.to_dtype(in_dtype)?, &[d as i64], &[-1])?.contiguous()?;
    let mut shape = input.shape().to_vec();
    let m = shape[shape.len() - 1];
    let out_len = match kind {
        Kind::R2C { onesided: true } => n / 2 + 1,
        _ => n,
    };
    let last = shape.len() - 1;
    shape[last] = out_len;
    let out_dtype = if kind == Kind::C2R { real } else { real.to_complex() };
    let out = Tensor::empty(&shape, out_dtype)?;
    let lanes = if m == 0 { input.numel() } else { input.numel() / m };
    match real {
        DType::F64 => run::<f64>(&input, &out, lanes, m, n, kind, scale),
        _ => run::<f32>(&input, &out, lanes, m, n, kind, scale),
    }
    crate::ops::shape::movedim(&out, &[-1], &[d as i64])?.contiguous()
}

fn run<F: Part + FftNum>(input: &Tensor, out: &Tensor, lanes: usize, m: usize, n: usize, kind: Kind, scale: f64)
where
    Complex<F>: crate::dtype::Element,
{
    let mut planner = FftPlanner::<F>::new();
    let plan = match kind {
        Kind::C2C { inverse: false } | Kind::R2C { .. } => planner.plan_fft_forward(n),
        Kind::C2C { inverse: true } | Kind::C2R => planner.plan_fft_inverse(n),
    };
    let scale = F::of(scale);
    let out_len = out.shape().last().copied().unwrap_or(1);
    let mut buf = vec![Fc::new(F::zero(), F::zero()); n];
    let mut scratch = vec![Fc::new(F::zero(), F::zero()); plan.get_inplace_scratch_len()];
    let used = m.min(n);
    for lane in 0..lanes {
        buf.iter_mut().for_each(|z| *z = Fc::new(F::zero(), F::zero()));
        // SAFETY: `input` and `out` are contiguous with `lanes` lanes of `m` / `out_len` items.
        unsafe {
            match kind {
                Kind::R2C { .. } => {
                    let x = std::slice::from_raw_parts(input.data_ptr::<F>().add(lane * m), used);
                    buf.iter_mut().zip(x).for_each(|(z, &v)| *z = Fc::new(v, F::zero()));
                }
                Kind::C2C { .. } => {
                    let x = std::slice::from_raw_parts(input.data_ptr::<Complex<F>>().add(lane * m), used);
                    buf.iter_mut().zip(x).for_each(|(z, v)| *z = Fc::new(v.re, v.im));
                }
                Kind::C2R => {
                    // The full spectrum from its first n/2+1 terms: X[n-k] = conj(X[k]).
                    let half = (n / 2 + 1).min(m);
                    let x = std::slice::from_raw_parts(input.data_ptr::<Complex<F>>().add(lane * m), half);
                    for (k, v) in x.iter().enumerate() {
                        buf[k] = Fc::new(v.re, v.im);
                        if k > 0 && n - k >= n / 2 + 1 {
                            buf[n - k] = Fc::new(v.re, -v.im);
                        }
                    }
                }
            }
        }
        plan.process_with_scratch(&mut buf, &mut scratch);
        // SAFETY: as above.
        unsafe {
            if kind == Kind::C2R {
                let o = std::slice::from_raw_parts_mut(out.data_ptr::<F>().add(lane * out_len), out_len);
                o.iter_mut().zip(&buf).for_each(|(o, z)| *o = z.re * scale);
            } else {
                let o = std::slice::from_raw_parts_mut(out.data_ptr::<Complex<F>>().add(lane * out_len), out_len);
                o.iter_mut().zip(&buf).for_each(|(o, z)| *o = Complex::new(z.re * scale, z.im * scale));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfft_then_irfft_round_trips_and_matches_the_definition() {
        let x = Tensor::from_vec(vec![1.0f64, 2.0, 0.0, -1.0, 3.0], &[5]).unwrap();
        let spec = fft(&x, 0, 5, Kind::R2C { onesided: true }, 1.0).unwrap();
        let got = spec.to_vec::<Complex<f64>>().unwrap();
        assert_eq!(got.len(), 3);
        let xs = [1.0f64, 2.0, 0.0, -1.0, 3.0];
        for (k, z) in got.iter().enumerate() {
            let (mut re, mut im) = (0.0, 0.0);
            for (j, &v) in xs.iter().enumerate() {
                let a = -2.0 * std::f64::consts::PI * (k * j) as f64 / 5.0;
                re += v * a.cos();
                im += v * a.sin();
            }
            assert!((z.re - re).abs() < 1e-12 && (z.im - im).abs() < 1e-12);
        }
        let back = fft(&spec, 0, 5, Kind::C2R, 1.0 / 5.0).unwrap().to_vec::<f64>().unwrap();
        back.iter().zip(xs).for_each(|(a, b)| assert!((a - b).abs() < 1e-12));
    }
}
