//! Scalar special functions behind `torch.special` (digamma, Hurwitz zeta, polygamma, modified
//! Bessel functions, the normal distribution's quantile and log-CDF, erfcx, sinc, entr). Each is
//! computed in f64 (f32 inputs are widened) with the classical series / asymptotic expansions
//! that Cephes, which PyTorch's kernels follow, uses; lgamma and the Bessel J functions come
//! from `libm`.
use std::f64::consts::{FRAC_1_SQRT_2, PI, SQRT_2};

/// ψ(x), the logarithmic derivative of Γ: -inf at 0 (as PyTorch), NaN at the negative integers.
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY.copysign(-x);
    }
    if x < 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // Reflection: ψ(1 - x) - ψ(x) = π cot(πx).
        return digamma(1.0 - x) - PI / (PI * x).tan();
    }
    let (mut x, mut shift) = (x, 0.0);
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    // ln x - 1/2x - Σ B₂ₖ / (2k x²ᵏ)
    let z = 1.0 / (x * x);
    let tail = z * (1.0 / 12.0 - z * (1.0 / 120.0 - z * (1.0 / 252.0 - z * (1.0 / 240.0 - z * (1.0 / 132.0)))));
    shift + x.ln() - 0.5 / x - tail
}

/// Euler–Maclaurin coefficients (2k)! / B₂ₖ of the Hurwitz zeta tail (Cephes' `zeta.c`).
const ZETA_A: [f64; 12] = [
    12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
    1.8152105401943546773e17, -7.1661652561756670113e18,
];

/// The Hurwitz zeta function ζ(s, q) = Σₖ (k + q)^-s, with PyTorch's edge values.
pub fn zeta(s: f64, q: f64) -> f64 {
    if s.is_nan() || q.is_nan() {
        return f64::NAN;
    }
    if s == 1.0 {
        return f64::INFINITY;
    }
    if s < 1.0 {
        return f64::NAN;
    }
    if q <= 0.0 {
        if q == q.floor() {
            return f64::INFINITY;
        }
        if s != s.floor() {
            return f64::NAN;
        }
    }
    let mut sum = q.powf(-s);
    let (mut a, mut b, mut i) = (q, 0.0, 0);
    while i < 9 || a <= 9.0 {
        i += 1;
        a += 1.0;
        b = a.powf(-s);
        sum += b;
        if (b / sum).abs() < f64::EPSILON {
            return sum;
        }
    }
    let w = a;
    sum += b * w / (s - 1.0) - 0.5 * b;
    let (mut factor, mut k) = (1.0, 0.0);
    for coeff in ZETA_A {
        factor *= s + k;
        b /= w;
        let t = factor * b / coeff;
        sum += t;
        if (t / sum).abs() < f64::EPSILON {
            break;
        }
        k += 1.0;
        factor *= s + k;
        b /= w;
        k += 1.0;
    }
    sum
}

/// ψ⁽ⁿ⁾(x) = (-1)ⁿ⁺¹ n! ζ(n + 1, x) for n ≥ 1; ψ for n = 0.
pub fn polygamma(n: u32, x: f64) -> f64 {
    if n == 0 {
        return digamma(x);
    }
    let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
    sign * libm::lgamma(n as f64 + 1.0).exp() * zeta(n as f64 + 1.0, x)
}

/// Below this |x| the power series of I₀/I₁ is used, above it the asymptotic expansion.
const BESSEL_SERIES_LIMIT: f64 = 30.0;

/// Iᵥ(x) (ν = 0 or 1, x ≥ 0) by its power series Σ (x/2)^(2k+ν) / (k! (k+ν)!), all terms positive.
fn bessel_i_series(nu: f64, x: f64) -> f64 {
    let y = 0.25 * x * x;
    let mut term = if nu == 0.0 { 1.0 } else { 0.5 * x };
    let mut sum = term;
    let mut k = 1.0;
    while term > sum * 1e-17 {
        term *= y / (k * (k + nu));
        sum += term;
        k += 1.0;
    }
    sum
}

/// e^-x Iᵥ(x) for large x ≥ 0: e^-x Iᵥ(x) ~ (2πx)^-½ Σ (-1)ᵏ Πⱼ(4ν² - (2j-1)²) / (k! (8x)ᵏ).
fn bessel_ie_asymptotic(nu: f64, x: f64) -> f64 {
    let mu = 4.0 * nu * nu;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for k in 1..200 {
        let odd = (2 * k - 1) as f64;
        let next = -term * (mu - odd * odd) / (k as f64 * 8.0 * x);
        if next.abs() >= term.abs() {
            break;
        }
        term = next;
        sum += term;
        if term.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    sum / (2.0 * PI * x).sqrt()
}

/// e^-|x| I₀(x).
pub fn i0e(x: f64) -> f64 {
    let a = x.abs();
    if a.is_infinite() {
        return 0.0;
    }
    if a <= BESSEL_SERIES_LIMIT {
        bessel_i_series(0.0, a) * (-a).exp()
    } else {
        bessel_ie_asymptotic(0.0, a)
    }
}

/// I₀(x), the modified Bessel function of the first kind of order 0.
pub fn i0(x: f64) -> f64 {
    let a = x.abs();
    if a <= BESSEL_SERIES_LIMIT {
        bessel_i_series(0.0, a)
    } else {
        bessel_ie_asymptotic(0.0, a) * a.exp()
    }
}

/// e^-|x| I₁(x) (odd in x).
pub fn i1e(x: f64) -> f64 {
    let a = x.abs();
    if a.is_infinite() {
        return 0.0f64.copysign(x);
    }
    let v = if a <= BESSEL_SERIES_LIMIT { bessel_i_series(1.0, a) * (-a).exp() } else { bessel_ie_asymptotic(1.0, a) };
    v.copysign(x)
}

/// I₁(x), the modified Bessel function of the first kind of order 1 (odd in x).
pub fn i1(x: f64) -> f64 {
    let a = x.abs();
    let v = if a <= BESSEL_SERIES_LIMIT { bessel_i_series(1.0, a) } else { bessel_ie_asymptotic(1.0, a) * a.exp() };
    v.copysign(x)
}

/// Φ(x), the standard normal CDF.
pub fn ndtr(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// Φ⁻¹(p) for p ≤ ½: Acklam's rational approximation, then one Halley step on Φ(x) - p
/// (which is accurate in the tail because erfc is).
fn ndtri_lower(p: f64) -> f64 {
    const A: [f64; 6] = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    const B: [f64; 5] = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    const C: [f64; 6] = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    const D: [f64; 4] = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    let horner = |c: &[f64], v: f64| c.iter().fold(0.0, |acc, &k| acc * v + k);
    let x = if p < 0.02425 {
        let q = (-2.0 * p.ln()).sqrt();
        horner(&C, q) / (horner(&D, q) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        horner(&A, r) * q / (horner(&B, r) * r + 1.0)
    };
    let e = ndtr(x) - p;
    let u = e * (2.0 * PI).sqrt() * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

/// Φ⁻¹(p): ±inf at 1 and 0, NaN outside [0, 1].
pub fn ndtri(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p > 0.5 {
        -ndtri_lower(1.0 - p)
    } else {
        ndtri_lower(p)
    }
}

/// erfcx(x) = e^(x²) erfc(x), without the overflow/underflow of that product.
pub fn erfcx(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < 0.0 {
        // erfc(-x) = 2 - erfc(x); e^(x²) overflows below about -26.6.
        return if x < -26.7 { f64::INFINITY } else { 2.0 * (x * x).exp() - erfcx(-x) };
    }
    if x < 2.0 {
        return (x * x).exp() * libm::erfc(x);
    }
    if x.is_infinite() {
        return 0.0;
    }
    // Continued fraction erfcx(x) = π^-½ / (x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated
    // bottom-up; 60 levels converge to double precision for x ≥ 2.
    let mut f = x;
    for k in (1..=60).rev() {
        f = x + 0.5 * k as f64 / f;
    }
    1.0 / (PI.sqrt() * f)
}

/// ln Φ(x), accurate far into the lower tail (through erfcx) and near 0 for large x.
pub fn log_ndtr(x: f64) -> f64 {
    if x > -1.0 {
        (-0.5 * libm::erfc(x * FRAC_1_SQRT_2)).ln_1p()
    } else {
        (0.5 * erfcx(-x / SQRT_2)).ln() - 0.5 * x * x
    }
}

/// sin(πx) / (πx), 1 at 0.
pub fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    let px = PI * x;
    px.sin() / px
}

/// -x ln x, 0 at 0 and -inf for negative x.
pub fn entr(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        -x * x.ln()
    } else if x == 0.0 {
        0.0
    } else {
        f64::NEG_INFINITY
    }
}

/// ln|Γ(x)|.
pub fn lgamma(x: f64) -> f64 {
    libm::lgamma(x)
}

pub fn bessel_j0(x: f64) -> f64 {
    libm::j0(x)
}

pub fn bessel_j1(x: f64) -> f64 {
    libm::j1(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-13 * b.abs().max(1.0)
    }

    #[test]
    fn identities() {
        // ψ(1) = -γ; ζ(2, 1) = π²/6; I₀ agrees across the series/asymptotic switch.
        assert!(close(digamma(1.0), -0.5772156649015329));
        assert!(close(zeta(2.0, 1.0), PI * PI / 6.0));
        assert!(close(i0e(BESSEL_SERIES_LIMIT), bessel_ie_asymptotic(0.0, BESSEL_SERIES_LIMIT)));
        assert!(close(i1e(BESSEL_SERIES_LIMIT), bessel_ie_asymptotic(1.0, BESSEL_SERIES_LIMIT)));
        assert!(close(ndtr(ndtri(1e-300)), 1e-300) && close(ndtri(0.975), 1.959963984540054));
        assert!(close(erfcx(2.0), (4.0f64).exp() * libm::erfc(2.0)));
    }
}
