//! The samplers behind `torch.distributions`' Gamma, Beta, Dirichlet, Poisson and Binomial:
//! `_standard_gamma`, `_sample_dirichlet`, `poisson`, `binomial`.
//!
//! Each is ATen's CPU kernel: elements visited in row-major order, one after another, drawing
//! `uniform_real_distribution<double>` and the cached `normal_distribution<double>` from the
//! generator; the arithmetic is done in the element type where ATen's templates do it in
//! `scalar_t` and in double where they use the accumulate type (not fused: ATen compiles these
//! kernels for the baseline CPU), so seeded draws equal PyTorch's.
use crate::dtype::DType;
use crate::error::{runtime, Error, Result};
use crate::ops::binary::type_label;
use crate::random::{Engine, Generator};
use crate::tensor::Tensor;
use num_traits::Float;

/// The float element types these kernels are instantiated for, with their conversions.
trait Sample: Float + Copy {
    fn of(v: f64) -> Self;
    fn wide(self) -> f64;
}

impl Sample for f32 {
    fn of(v: f64) -> f32 {
        v as f32
    }
    fn wide(self) -> f64 {
        self as f64
    }
}

impl Sample for f64 {
    fn of(v: f64) -> f64 {
        v
    }
    fn wide(self) -> f64 {
        self
    }
}

/// Marsaglia and Tsang's rejection sampler (ATen's `sample_gamma<scalar_t, double>`), with the
/// boost `alpha < 1 → alpha + 1` and its uniform power correction.
fn sample_gamma<S: Sample>(alpha: S, e: &mut Engine) -> f64 {
    let one = S::one();
    let mut alpha = alpha;
    let mut scale = 1.0f64;
    if alpha < one {
        if alpha == S::zero() {
            return 0.0;
        }
        scale *= (1.0 - e.uniform_f64()).powf((one / alpha).wide());
        alpha = alpha + one;
    }
    // `alpha - 1.0f / 3.0f`: the constant is a float even for double alpha.
    let d = (alpha - S::of((1.0f32 / 3.0f32) as f64)).wide();
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (mut x, mut y);
        loop {
            x = e.normal_f64(0.0, 1.0);
            y = 1.0 + c * x;
            if y > 0.0 {
                break;
            }
        }
        let v = y * y * y;
        let u = 1.0 - e.uniform_f64();
        let xx = x * x;
        if u < 1.0 - (0.0331f32 as f64) * xx * xx {
            return scale * d * v;
        }
        if u.ln() < 0.5 * xx + d * (1.0 - v + v.ln()) {
            return scale * d * v;
        }
    }
}

/// ATen's `sample_poisson`: Hörmann's transformed rejection for rates of 10 or more, products
/// of uniforms below.
fn sample_poisson(lambda: f64, e: &mut Engine) -> i64 {
    if lambda >= 10.0 {
        let slam = lambda.sqrt();
        let loglam = lambda.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = e.uniform_f64() - 0.5;
            let v = e.uniform_f64();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor() as i64;
            if us >= 0.07 && v <= vr {
                return k;
            }
            if k < 0 || (us < 0.013 && v > us) {
                continue;
            }
            if v.ln() + invalpha.ln() - (a / (us * us) + b).ln() <= -lambda + k as f64 * loglam - libm::lgamma(k as f64 + 1.0) {
                return k;
            }
        }
    } else if lambda == 0.0 {
        0
    } else {
        let enlam = (-lambda).exp();
        let mut x = 0;
        let mut prod = 1.0;
        loop {
            prod *= e.uniform_f64();
            if prod > enlam {
                x += 1;
            } else {
                return x;
            }
        }
    }
}

/// The tail of Stirling's approximation of log(k!), tabulated for k < 10.
fn stirling_approx_tail(k: f64) -> f64 {
    const TAIL: [f64; 10] = [
        0.0810614667953272,
        0.0413406959554092,
        0.0276779256849983,
        0.02079067210376509,
        0.0166446911898211,
        0.0138761288230707,
        0.0118967099458917,
        0.0104112652619720,
        0.00925546218271273,
        0.00833056343336287,
    ];
    if k < 10.0 {
        return TAIL[k as usize];
    }
    let kp1sq = (k + 1.0) * (k + 1.0);
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / (k + 1.0)
}

/// Counts geometric waiting times until they pass `count` (small count·prob).
fn binomial_inversion<S: Sample>(count: S, prob: S, e: &mut Engine) -> S {
    let logprob = (-prob).ln_1p().wide();
    let mut geom_sum = 0.0;
    let mut num_geom = S::zero();
    loop {
        geom_sum += (e.uniform_f64().ln() / logprob).ceil();
        if geom_sum > count.wide() {
            return num_geom;
        }
        num_geom = num_geom + S::one();
    }
}

/// Hörmann's BTRS transformed rejection (large count·prob).
fn btrs<S: Sample>(count: S, prob: S, e: &mut Engine) -> S {
    let one = S::one();
    let stddev = (count * prob * (one - prob)).sqrt().wide();
    let b = 1.15 + 2.53 * stddev;
    let a = -0.0873 + 0.0248 * b + 0.01 * prob.wide();
    let c = (count * prob).wide() + 0.5;
    let v_r = 0.92 - 4.2 / b;
    let r = (prob / (one - prob)).wide();
    let alpha = (2.83 + 5.1 / b) * stddev;
    let m = ((count + one) * prob).floor().wide();
    let n = count.wide();
    loop {
        let u = e.uniform_f64() - 0.5;
        let mut v = e.uniform_f64();
        let us = 0.5 - u.abs();
        let k = S::of(((2.0 * a / us + b) * u + c).floor());
        if k < S::zero() || k > count {
            continue;
        }
        if us >= 0.07 && v <= v_r {
            return k;
        }
        let kw = k.wide();
        v = (v * alpha / (a / (us * us) + b)).ln();
        let upperbound = (m + 0.5) * ((m + 1.0) / (r * (n - m + 1.0))).ln()
            + (count + one).wide() * ((n - m + 1.0) / (count - k + one).wide()).ln()
            + (kw + 0.5) * (r * (count - k + one).wide() / (k + one).wide()).ln()
            + stirling_approx_tail(m)
            + stirling_approx_tail(n - m)
            - stirling_approx_tail(kw)
            - stirling_approx_tail((count - k).wide());
        if v <= upperbound {
            return k;
        }
    }
}

fn sample_binomial<S: Sample>(count: S, prob: S, e: &mut Engine) -> S {
    let (zero, one, ten, half) = (S::zero(), S::one(), S::of(10.0), S::of(0.5));
    if count <= zero || prob <= zero {
        zero
    } else if prob >= one {
        count
    } else if prob <= half {
        if count * prob >= ten { btrs(count, prob, e) } else { binomial_inversion(count, prob, e) }
    } else if prob > half {
        let q = one - prob;
        if count * q >= ten { count - btrs(count, q, e) } else { count - binomial_inversion(count, q, e) }
    } else {
        S::nan()
    }
}

fn float_only(op: &str, dtype: DType) -> Result<()> {
    match dtype {
        DType::F32 | DType::F64 => Ok(()),
        _ => Err(Error::NotImplemented(format!("\"{}\" not implemented for '{}'", op, type_label(dtype)))),
    }
}

/// Runs `draw` on each element of `inputs` (all of the first one's shape) in row-major order and
/// returns the results as a tensor of the first input's dtype.
fn serial(inputs: &[&Tensor], draw: &mut dyn FnMut(&[f64]) -> f64) -> Result<Tensor> {
    let shape = inputs[0].shape().to_vec();
    let values = inputs.iter().map(|t| t.to_vec::<f64>()).collect::<Result<Vec<_>>>()?;
    let mut args = vec![0.0; inputs.len()];
    let out: Vec<f64> = (0..inputs[0].numel())
        .map(|i| {
            args.iter_mut().zip(&values).for_each(|(a, v)| *a = v[i]);
            draw(&args)
        })
        .collect();
    match inputs[0].dtype {
        DType::F32 => Tensor::from_vec(out.into_iter().map(|v| v as f32).collect::<Vec<f32>>(), &shape),
        _ => Tensor::from_vec(out, &shape),
    }
}

/// `torch._standard_gamma(alpha)`: Gamma(alpha, 1) draws, at least the dtype's smallest normal.
pub fn standard_gamma(alpha: &Tensor, gen: &Generator) -> Result<Tensor> {
    float_only("gamma_cpu", alpha.dtype)?;
    let mut e = gen.lock();
    let single = alpha.dtype == DType::F32;
    serial(&[alpha], &mut |a| {
        if single {
            (sample_gamma(a[0] as f32, &mut e) as f32).max(f32::MIN_POSITIVE) as f64
        } else {
            sample_gamma(a[0], &mut e).max(f64::MIN_POSITIVE)
        }
    })
}

/// `torch._sample_dirichlet(alpha)`: Gamma draws in double, normalised along the last dim and
/// kept inside (0, 1) in the dtype.
pub fn sample_dirichlet(alpha: &Tensor, gen: &Generator) -> Result<Tensor> {
    float_only("dirichlet", alpha.dtype)?;
    if alpha.shape().is_empty() {
        return runtime("dirichlet: expected a tensor with at least one dimension");
    }
    let gammas = {
        let mut e = gen.lock();
        serial(&[&alpha.to_dtype(DType::F64)?], &mut |a| sample_gamma(a[0], &mut e).max(f64::MIN_POSITIVE))?
    };
    let k = *alpha.shape().last().expect("checked above");
    let mut values = gammas.to_vec::<f64>()?;
    for row in values.chunks_mut(k.max(1)) {
        let total: f64 = row.iter().sum();
        row.iter_mut().for_each(|g| *g /= total);
    }
    let shape = alpha.shape().to_vec();
    match alpha.dtype {
        DType::F32 => {
            let top = f32::from_bits(1.0f32.to_bits() - 1);
            Tensor::from_vec(values.into_iter().map(|v| (v as f32).clamp(f32::MIN_POSITIVE, top)).collect::<Vec<f32>>(), &shape)
        }
        _ => {
            let top = f64::from_bits(1.0f64.to_bits() - 1);
            Tensor::from_vec(values.into_iter().map(|v| v.clamp(f64::MIN_POSITIVE, top)).collect::<Vec<f64>>(), &shape)
        }
    }
}

/// `torch.poisson(rates)`.
pub fn poisson(rates: &Tensor, gen: &Generator) -> Result<Tensor> {
    float_only("poisson_cpu", rates.dtype)?;
    let values = rates.to_vec::<f64>()?;
    if values.iter().any(|&r| r < 0.0 || r.is_nan()) {
        return runtime("invalid Poisson rate, expected rate to be non-negative");
    }
    let mut e = gen.lock();
    serial(&[rates], &mut |r| sample_poisson(r[0], &mut e) as f64)
}

/// `torch.binomial(count, prob)`: `count` and `prob` must have the same shape and dtype.
pub fn binomial(count: &Tensor, prob: &Tensor, gen: &Generator) -> Result<Tensor> {
    float_only("binomial_cpu", count.dtype)?;
    if prob.dtype != count.dtype {
        return runtime(format!("expected scalar type {} but found {}", type_label(count.dtype), type_label(prob.dtype)));
    }
    let prob = prob.broadcast_to(count.shape())?;
    let mut e = gen.lock();
    let single = count.dtype == DType::F32;
    serial(&[count, &prob], &mut |a| {
        if single {
            sample_binomial(a[0] as f32, a[1] as f32, &mut e) as f64
        } else {
            sample_binomial(a[0], a[1], &mut e)
        }
    })
}
