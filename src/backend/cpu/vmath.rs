//! Branch-free math that the compiler vectorises (call inside `simd::dispatch`): a polynomial
//! `exp` for f32 and multi-lane folds over slices. Sequential float folds cannot be vectorised
//! without reassociation, so these keep independent partial results per lane.

const LANES: usize = 16;

/// Folds `x` with `step` into `LANES` independent accumulators, then combines them.
#[inline(always)]
pub fn lane_fold<T: Copy>(x: &[T], init: T, step: impl Fn(T, T) -> T) -> T {
    let mut acc = [init; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] = step(acc[i], c[i]);
        }
    }
    for (i, &v) in tail.iter().enumerate() {
        acc[i] = step(acc[i], v);
    }
    acc.iter().fold(init, |a, &b| step(a, b))
}

/// Element types with a vectorisable `exp`.
pub trait FastExp: Copy {
    fn fast_exp(self) -> Self;
}

impl FastExp for f64 {
    #[inline(always)]
    fn fast_exp(self) -> f64 {
        self.exp()
    }
}

impl FastExp for f32 {
    /// Cephes' `expf`: range reduction by ln 2 and a degree-6 polynomial (about 1 ulp), with
    /// 2^n built from exponent bits in two halves so subnormal results come out right.
    /// Overflow gives inf, underflow 0, NaN stays NaN; no branches, so loops vectorise.
    #[inline(always)]
    fn fast_exp(self) -> f32 {
        const LOG2E: f32 = std::f32::consts::LOG2_E;
        const LN2_HI: f32 = 0.693_359_4;
        const LN2_LO: f32 = -2.121_944_4e-4;
        // Selects rather than `clamp`, and unchecked float->int conversion, so the loop
        // vectorises; NaN compares false and lands on a finite value here.
        let x = if self > -104.0 { self } else { -104.0 };
        let x = if x < 88.72 { x } else { 88.72 };
        let n = (x * LOG2E + 0.5).floor();
        let r = x - n * LN2_HI - n * LN2_LO;
        let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1) * r
            + 5.000_000_1e-1;
        let e = p * r * r + r + 1.0;
        let half = (n * 0.5).floor();
        // SAFETY: n and half are integral values in [-150, 128].
        let (n, half) = unsafe { (n.to_int_unchecked::<i32>(), half.to_int_unchecked::<i32>()) };
        let pow2 = |k: i32| f32::from_bits(((k + 127) << 23) as u32);
        let scaled = e * pow2(half) * pow2(n - half);
        let out = if self < -104.0 {
            0.0
        } else if self > 88.722_84 {
            f32::INFINITY
        } else {
            scaled
        };
        if self.is_nan() {
            self
        } else {
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_accurate_and_handles_the_ends() {
        let mut x = -100.0f32;
        while x < 89.0 {
            let (got, want) = (x.fast_exp(), (x as f64).exp() as f32);
            let tol = want.abs() * 4.0 * f32::EPSILON + 1e-44;
            assert!(got == want || (got - want).abs() <= tol, "exp({}) = {} vs {}", x, got, want);
            x += 0.037;
        }
        assert_eq!(f32::NEG_INFINITY.fast_exp(), 0.0);
        assert_eq!(f32::INFINITY.fast_exp(), f32::INFINITY);
        assert!(f32::NAN.fast_exp().is_nan());
        assert_eq!(0.0f32.fast_exp(), 1.0);
    }

    #[test]
    fn lane_fold_matches_a_plain_sum() {
        let v: Vec<f64> = (0..37).map(|i| i as f64).collect();
        assert_eq!(lane_fold(&v, 0.0, |a, b| a + b), 666.0);
    }
}
