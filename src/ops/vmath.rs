//! Element math the compiler can vectorize. std's `f32::exp`/`ln` call libm once per element,
//! which blocks SIMD; these are branch-free (selects only), so a contiguous loop over them
//! becomes vector code. exp and log use Cody-Waite range reduction and the Cephes
//! polynomials (within ~1 ulp); inf, nan, overflow, underflow and subnormals are exact.
//! The special functions PyTorch has and std lacks (erf, erfc, erfinv) come from libm.

/// Math on the widened float type (`f32` for f32/f16/bf16 tensors, `f64` for f64).
pub trait VMath: Copy {
    fn vexp(self) -> Self;
    fn vln(self) -> Self;
    fn erf(self) -> Self;
    /// erf as PyTorch's vectorised kernels compute it inside GELU: for f32 Abramowitz and
    /// Stegun's 7.1.26 (absolute error < 1e-6 in f32, branch-free, so it vectorises), libm's
    /// for f64.
    fn erf_vectorised(self) -> Self;
    fn erfc(self) -> Self;
    fn erfinv(self) -> Self;
    /// ln(1 + x): for f32 from the vectorised ln by Goldberg's correction (within ~4 ulp);
    /// libm's for f64.
    fn vln_1p(self) -> Self;
    /// tanh: for f32 branch-free (an odd polynomial below 0.625, from exp above: Cephes'
    /// tanhf, within ~2 ulp) so that it vectorises; libm's for f64.
    fn vtanh(self) -> Self;
}

/// 1.5 * 2^23: adding it rounds an f32 below 2^22 to an integer kept in the low mantissa bits.
const SHIFT_F32: f32 = 12582912.0;
/// 1.5 * 2^52, the same for f64.
const SHIFT_F64: f64 = 6755399441055744.0;

/// 2^k for an integer-valued `k` with k + 127 in 1..255, built from bits with float adds and
/// a shift only (no float-to-int conversion, which does not vectorize everywhere).
#[inline(always)]
fn pow2_f32(k: f32) -> f32 {
    // 127 + SHIFT is exact in f32, so one add places k + 127 in the low mantissa bits.
    f32::from_bits((k + (127.0 + SHIFT_F32)).to_bits() << 23)
}

#[inline(always)]
fn pow2_f64(k: f64) -> f64 {
    f64::from_bits((k + 1023.0 + SHIFT_F64).to_bits() << 52)
}

#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693359375;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Outside this range the result is inf or 0 anyway; NaN passes both tests unchanged.
    let xc = if x > 89.0 { 89.0 } else if x < -104.0 { -104.0 } else { x };
    let n = xc.mul_add(std::f32::consts::LOG2_E, SHIFT_F32) - SHIFT_F32;
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, xc));
    let mut p = 1.987_569_1e-4f32;
    p = p.mul_add(r, 1.398_199_9e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 5.000_000_1e-1);
    let y = (p * r).mul_add(r, r) + 1.0;
    // 2^n in two halves: each stays a normal float even when the result is subnormal or
    // overflows, so the final product rounds once. A NaN input is NaN all the way through.
    let n1 = n.mul_add(0.5, SHIFT_F32) - SHIFT_F32;
    y * pow2_f32(n1) * pow2_f32(n - n1)
}

#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_457_519_531_25e-1;
    const LN2_LO: f64 = 1.428_606_820_309_417_232_12e-6;
    let xc = if x > 710.0 { 710.0 } else if x < -746.0 { -746.0 } else { x };
    let n = (xc * std::f64::consts::LOG2_E + SHIFT_F64) - SHIFT_F64;
    let r = xc - n * LN2_HI - n * LN2_LO;
    let rr = r * r;
    let px = r * ((1.261_771_930_748_105_908_78e-4 * rr + 3.029_944_077_074_419_613e-2) * rr + 9.999_999_999_999_999_999_1e-1);
    let qx = ((3.001_985_051_386_644_550_42e-6 * rr + 2.524_483_403_496_841_041_92e-3) * rr
        + 2.272_655_482_081_550_287_66e-1)
        * rr
        + 2.0;
    let y = 1.0 + 2.0 * (px / (qx - px));
    let n1 = (n * 0.5 + SHIFT_F64) - SHIFT_F64;
    let res = y * pow2_f64(n1) * pow2_f64(n - n1);
    if x.is_nan() {
        x
    } else {
        res
    }
}

#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    // Subnormals are scaled into the normal range first (2^23), and the exponent corrected.
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8388608.0 } else { x };
    let bits = xs.to_bits();
    // The biased exponent as a float, via the small-integer bit trick.
    let biased = f32::from_bits(0x4B00_0000 | ((bits >> 23) & 0xff)) - 8388608.0;
    // Mantissa in [0.5, 1), as Cephes' frexp gives it.
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    let e = biased - 126.0 - if sub { 23.0 } else { 0.0 } - if small { 1.0 } else { 0.0 };
    let f = if small { m + m - 1.0 } else { m - 1.0 };
    let z = f * f;
    let mut p = 7.037_683_6e-2f32;
    p = p.mul_add(f, -1.151_461e-1);
    p = p.mul_add(f, 1.167_699_9e-1);
    p = p.mul_add(f, -1.242_014_1e-1);
    p = p.mul_add(f, 1.424_932_3e-1);
    p = p.mul_add(f, -1.666_805_8e-1);
    p = p.mul_add(f, 2.000_071_4e-1);
    p = p.mul_add(f, -2.499_999_4e-1);
    p = p.mul_add(f, 3.333_333e-1);
    let mut y = p * f * z;
    y += e * -2.121_944_4e-4;
    y += -0.5 * z;
    let r = f + y + e * 0.693_359_375;
    special_ln(x, r, f32::INFINITY, f32::NAN)
}

#[inline(always)]
pub fn ln_f64(x: f64) -> f64 {
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 4503599627370496.0 } else { x };
    let bits = xs.to_bits();
    let biased = f64::from_bits(0x4330_0000_0000_0000 | ((bits >> 52) & 0x7ff)) - 4503599627370496.0;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3fe0_0000_0000_0000);
    let small = m < std::f64::consts::FRAC_1_SQRT_2;
    let e = biased - 1022.0 - if sub { 52.0 } else { 0.0 } - if small { 1.0 } else { 0.0 };
    let f = if small { m + m - 1.0 } else { m - 1.0 };
    let z = f * f;
    let p = ((((1.018_756_638_045_809_317_96e-4 * f + 4.974_949_949_767_470_014_25e-1) * f
        + 4.705_791_198_788_817_258_54)
        * f
        + 1.449_892_253_416_109_308_46e1)
        * f
        + 1.793_686_785_078_198_163_13e1)
        * f
        + 7.708_387_337_558_853_916_66;
    let q = ((((f + 1.128_735_871_891_674_505_90e1) * f + 4.522_791_458_375_322_211_05e1) * f
        + 8.298_752_669_127_766_032_11e1)
        * f
        + 7.115_447_506_185_638_944_66e1)
        * f
        + 2.312_516_201_267_653_405_83e1;
    let mut y = f * (z * p / q);
    y -= e * 2.121_944_400_546_905_827_679e-4;
    y -= 0.5 * z;
    let r = f + y + e * 0.693_359_375;
    special_ln(x, r, f64::INFINITY, f64::NAN)
}

/// The IEEE results of log at its special inputs, selected without branches.
#[inline(always)]
fn special_ln<F: PartialOrd + Copy + std::ops::Neg<Output = F> + Default>(x: F, r: F, inf: F, nan: F) -> F {
    let zero = F::default();
    let r = if x == inf { inf } else { r };
    let r = if x == zero { -inf } else { r };
    // NaN inputs fail `x >= 0` too, and give NaN.
    if x >= zero {
        r
    } else {
        nan
    }
}

/// Inverse error function: Giles' single-precision approximation ("Approximating the erfinv
/// function", GPU Computing Gems), refined by Newton steps on erf for double precision.
fn erfinv_f64(y: f64) -> f64 {
    if y.is_nan() || !(-1.0..=1.0).contains(&y) {
        return f64::NAN;
    }
    if y.abs() == 1.0 {
        return y * f64::INFINITY;
    }
    let w = -((1.0 - y) * (1.0 + y)).ln();
    let mut x = if w < 5.0 {
        let w = w - 2.5;
        let mut p = 2.810_226_36e-08;
        for c in [3.432_739_39e-07, -3.523_387_7e-06, -4.391_506_54e-06, 0.000_218_580_87, -0.001_253_725_03, -0.004_177_681_64, 0.246_640_727, 1.501_409_41] {
            p = p * w + c;
        }
        p * y
    } else {
        let w = w.sqrt() - 3.0;
        let mut p = -0.000_200_214_257;
        for c in [0.000_100_950_558, 0.001_349_343_22, -0.003_673_428_44, 0.005_739_507_73, -0.007_622_461_3, 0.009_438_870_47, 1.001_674_06, 2.832_976_82] {
            p = p * w + c;
        }
        p * y
    };
    // Newton on erf(x) - y; d/dx erf = 2/sqrt(pi) exp(-x^2).
    for _ in 0..2 {
        let err = libm::erf(x) - y;
        x -= err / (std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp());
    }
    x
}

impl VMath for f32 {
    #[inline(always)]
    fn vexp(self) -> f32 {
        exp_f32(self)
    }
    #[inline(always)]
    fn vln(self) -> f32 {
        ln_f32(self)
    }
    fn erf(self) -> f32 {
        libm::erff(self)
    }
    #[inline(always)]
    fn erf_vectorised(self) -> f32 {
        const P: f32 = 0.327_591_1;
        const A: [f32; 5] = [0.254_829_6, -0.284_496_74, 1.421_413_8, -1.453_152_1, 1.061_405_4];
        let ax = self.abs();
        let t = 1.0 / P.mul_add(ax, 1.0);
        let poly = A[4].mul_add(t, A[3]).mul_add(t, A[2]).mul_add(t, A[1]).mul_add(t, A[0]);
        let magnitude = (-(poly * t) * exp_f32(-(ax * ax))) + 1.0;
        magnitude.copysign(self)
    }
    fn erfc(self) -> f32 {
        libm::erfcf(self)
    }
    fn erfinv(self) -> f32 {
        erfinv_f64(self as f64) as f32
    }
    #[inline(always)]
    fn vln_1p(self) -> f32 {
        let u = 1.0 + self;
        let rounding = u - 1.0;
        // ln(u) · x / (u - 1) cancels the error of rounding 1 + x; tiny x is its own log1p.
        let corrected = ln_f32(u) * (self / rounding);
        if rounding == 0.0 {
            self
        } else if u == f32::INFINITY {
            u
        } else {
            corrected
        }
    }
    #[inline(always)]
    fn vtanh(self) -> f32 {
        const P: [f32; 5] = [-5.704_988_7e-3, 2.063_908_9e-2, -5.373_971_6e-2, 1.333_144_2e-1, -3.333_328_2e-1];
        let ax = self.abs();
        let s = self * self;
        let poly = P[0].mul_add(s, P[1]).mul_add(s, P[2]).mul_add(s, P[3]).mul_add(s, P[4]);
        let small = (poly * s).mul_add(self, self).copysign(self); // keeps tanh(-0) = -0
        // 1 - 2 / (e^2|x| + 1): exact 1 once e^2|x| overflows; NaN stays NaN.
        let large = (1.0 - 2.0 / (exp_f32(2.0 * ax) + 1.0)).copysign(self);
        if ax < 0.625 {
            small
        } else {
            large
        }
    }
}

impl VMath for f64 {
    #[inline(always)]
    fn vexp(self) -> f64 {
        exp_f64(self)
    }
    #[inline(always)]
    fn vln(self) -> f64 {
        ln_f64(self)
    }
    fn erf(self) -> f64 {
        libm::erf(self)
    }
    fn erf_vectorised(self) -> f64 {
        libm::erf(self)
    }
    fn erfc(self) -> f64 {
        libm::erfc(self)
    }
    fn erfinv(self) -> f64 {
        erfinv_f64(self)
    }
    fn vln_1p(self) -> f64 {
        self.ln_1p()
    }
    fn vtanh(self) -> f64 {
        self.tanh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps32(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn exp_and_ln_f32_within_two_ulp_of_f64_reference() {
        let mut x = -103.0f32;
        while x < 88.7 {
            let want = (x as f64).exp() as f32;
            assert!(ulps32(exp_f32(x), want) <= 2, "exp({x}) = {} want {want}", exp_f32(x));
            x += 0.0137;
        }
        // Walk the positive finite floats by bit pattern: subnormals included, ~200k samples.
        for bits in (1u32..0x7f80_0000).step_by(10_007) {
            let x = f32::from_bits(bits);
            let want = (x as f64).ln() as f32;
            assert!(ulps32(ln_f32(x), want) <= 2, "ln({x}) = {} want {want}", ln_f32(x));
        }
    }

    #[test]
    fn tanh_log1p_and_erf_f32_within_their_bounds() {
        // Every 1009th positive float (subnormals to overflow), and their negations.
        for bits in (0u32..0x7f80_0000).step_by(1009) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                let want = (x as f64).tanh() as f32;
                assert!(ulps32(x.vtanh(), want) <= 2, "tanh({x}) = {} want {want}", x.vtanh());
                let erf = x.erf_vectorised();
                // The formula's 1.5e-7, plus f32 rounding of 1 - (~1) near 0 and of exp.
                assert!((erf as f64 - libm::erf(x as f64)).abs() < 1e-6 && erf.abs() <= 1.0, "erf({x}) = {erf}");
            }
        }
        assert!(f32::NAN.vtanh().is_nan() && f32::NAN.erf_vectorised().is_nan());
        // log1p over (-1, inf): every 1009th float above zero, and the same below down to -1.
        for bits in (0u32..0x7f80_0000).step_by(1009) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)].into_iter().filter(|&x| x > -1.0) {
                let want = (x as f64).ln_1p() as f32;
                assert!(ulps32(x.vln_1p(), want) <= 4, "log1p({x}) = {} want {want}", x.vln_1p());
            }
        }
        assert_eq!(((-1.0f32).vln_1p(), f32::INFINITY.vln_1p()), (f32::NEG_INFINITY, f32::INFINITY));
        assert!((-2.0f32).vln_1p().is_nan() && f32::NAN.vln_1p().is_nan() && (-0.0f32).vln_1p().is_sign_negative());
        assert_eq!((f32::INFINITY.vtanh(), f32::NEG_INFINITY.vtanh()), (1.0, -1.0));
        assert_eq!((f32::INFINITY.erf_vectorised(), f32::NEG_INFINITY.erf_vectorised()), (1.0, -1.0));
    }

    #[test]
    fn special_values() {
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(89.0), f32::INFINITY);
        assert_eq!(exp_f64(1000.0), f64::INFINITY);
        assert_eq!(exp_f64(-1000.0), 0.0);
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(ln_f32(0.0), f32::NEG_INFINITY);
        assert!(ln_f32(-1.0).is_nan());
        assert_eq!(ln_f64(1.0), 0.0);
        assert_eq!(ln_f64(f64::INFINITY), f64::INFINITY);
        assert!((erfinv_f64(0.5) - 0.476_936_276_204_469_9).abs() < 1e-15);
    }
}
