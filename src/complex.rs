//! The complex element types (complex64 = `Complex<f32>`, complex128 = `Complex<f64>`), laid
//! out as NumPy and PyTorch store them (real part first), and their arithmetic.
use crate::dtype::{DType, Element, Scalar};
use num_traits::Float;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Complex<F> {
    pub re: F,
    pub im: F,
}

/// Lexicographic, only so that complex types satisfy `Element`'s bound: every kernel that
/// orders values (sort, max, comparisons) refuses complex dtypes before it dispatches.
impl<F: PartialOrd> PartialOrd for Complex<F> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        match self.re.partial_cmp(&other.re) {
            Some(std::cmp::Ordering::Equal) => self.im.partial_cmp(&other.im),
            o => o,
        }
    }
}

/// The part type of a complex element: f32 or f64.
pub trait Part: Float + Element + Default + Send + Sync + std::fmt::Debug + 'static {
    fn of(v: f64) -> Self;
    fn wide(self) -> f64;
}
impl Part for f32 {
    fn of(v: f64) -> f32 {
        v as f32
    }
    fn wide(self) -> f64 {
        self as f64
    }
}
impl Part for f64 {
    fn of(v: f64) -> f64 {
        v
    }
    fn wide(self) -> f64 {
        self
    }
}

impl<F: Part> Complex<F> {
    pub fn new(re: F, im: F) -> Self {
        Complex { re, im }
    }
    pub fn conj(self) -> Self {
        Complex::new(self.re, -self.im)
    }
    pub fn neg(self) -> Self {
        Complex::new(-self.re, -self.im)
    }
    pub fn add(self, o: Self) -> Self {
        Complex::new(self.re + o.re, self.im + o.im)
    }
    pub fn sub(self, o: Self) -> Self {
        Complex::new(self.re - o.re, self.im - o.im)
    }
    pub fn mul(self, o: Self) -> Self {
        Complex::new(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)
    }
    pub fn scale(self, k: F) -> Self {
        Complex::new(self.re * k, self.im * k)
    }
    /// Smith's algorithm (scaled by the larger part of the divisor, so that large or small
    /// divisors neither overflow nor underflow); dividing by zero gives inf/nan parts, as NumPy
    /// and PyTorch do.
    pub fn div(self, o: Self) -> Self {
        let (a, b, c, d) = (self.re, self.im, o.re, o.im);
        if c.abs() >= d.abs() {
            if c == F::zero() && d == F::zero() {
                return Complex::new(a / c.abs(), b / d.abs());
            }
            let rat = d / c;
            let scl = F::one() / (c + d * rat);
            Complex::new((a + b * rat) * scl, (b - a * rat) * scl)
        } else {
            let rat = c / d;
            let scl = F::one() / (d + c * rat);
            Complex::new((a * rat + b) * scl, (b * rat - a) * scl)
        }
    }
    pub fn abs(self) -> F {
        self.re.hypot(self.im)
    }
    pub fn angle(self) -> F {
        self.im.atan2(self.re)
    }
    pub fn exp(self) -> Self {
        let r = self.re.exp();
        Complex::new(r * self.im.cos(), r * self.im.sin())
    }
    pub fn ln(self) -> Self {
        Complex::new(self.abs().ln(), self.angle())
    }
    /// The principal root, computed without cancellation (the C99 `csqrt` method).
    pub fn sqrt(self) -> Self {
        let (x, y) = (self.re, self.im);
        if x == F::zero() && y == F::zero() {
            return Complex::new(F::zero(), y);
        }
        if y.is_infinite() {
            return Complex::new(F::infinity(), y);
        }
        let two = F::one() + F::one();
        let sum = x.abs() + self.abs();
        // Halving a subnormal sum could round it to 0: take sqrt(sum) / sqrt(2) there instead.
        let t = if sum < F::min_positive_value() { sum.sqrt() * F::of(std::f64::consts::FRAC_1_SQRT_2) } else { (sum / two).sqrt() };
        if x >= F::zero() {
            Complex::new(t, y / (two * t))
        } else {
            Complex::new(y.abs() / (two * t), t.copysign(y))
        }
    }
    /// `self ** o` as exp(o * log(self)), with 0 ** o = 0 for Re(o) > 0 and z ** 0 = 1.
    pub fn pow(self, o: Self) -> Self {
        if o.re == F::zero() && o.im == F::zero() {
            return Complex::new(F::one(), F::zero());
        }
        if self.re == F::zero() && self.im == F::zero() && o.im == F::zero() && o.re > F::zero() {
            return Complex::new(F::zero(), F::zero());
        }
        if o.im == F::zero() && o.re == F::one() + F::one() {
            return self.mul(self);
        }
        o.mul(self.ln()).exp()
    }
}

macro_rules! complex_element {
    ($f:ty, $dt:expr) => {
        impl Element for Complex<$f> {
            const DTYPE: DType = $dt;
            const ZERO: Self = Complex { re: 0.0, im: 0.0 };
            const ONE: Self = Complex { re: 1.0, im: 0.0 };
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self.re as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self.re as i64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                Complex { re: v as $f, im: 0.0 }
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                Complex { re: v as $f, im: 0.0 }
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self.re != 0.0 || self.im != 0.0
            }
            #[inline(always)]
            fn to_complex(self) -> (f64, f64) {
                (self.re as f64, self.im as f64)
            }
            #[inline(always)]
            fn from_complex(re: f64, im: f64) -> Self {
                Complex { re: re as $f, im: im as $f }
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Complex(self.re as f64, self.im as f64)
            }
        }
    };
}
complex_element!(f32, DType::Complex64);
complex_element!(f64, DType::Complex128);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_matches_the_textbook_formula_and_handles_zero() {
        let q = Complex::new(1.0f64, 2.0).div(Complex::new(3.0, -4.0));
        // (1+2i)(3+4i)/25 = (-5+10i)/25
        assert!((q.re + 0.2).abs() < 1e-15 && (q.im - 0.4).abs() < 1e-15);
        let z = Complex::new(1.0f64, 2.0).div(Complex::new(0.0, 0.0));
        assert!(z.re.is_infinite() && z.im.is_infinite());
    }

    #[test]
    fn sqrt_squares_back() {
        for &(re, im) in &[(-4.0f64, 0.0), (3.0, 4.0), (-3.0, -4.0), (1e-300, 1e-300)] {
            let z = Complex::new(re, im);
            let r = z.sqrt().mul(z.sqrt());
            assert!((r.re - re).abs() <= 1e-12 * z.abs() && (r.im - im).abs() <= 1e-12 * z.abs());
        }
        assert_eq!(Complex::new(-4.0f64, 0.0).sqrt(), Complex::new(0.0, 2.0));
        // The smallest subnormal: NumPy's 2.646978e-23 * (1 + i), not a division by 0.
        let tiny = Complex::new(0.0f32, 1.401298464324817e-45).sqrt();
        assert!((tiny.re / 2.646978e-23 - 1.0).abs() < 1e-5 && (tiny.im / 2.646978e-23 - 1.0).abs() < 1e-5);
    }

    #[test]
    fn casts_keep_both_parts_between_complex_types() {
        let z = Complex::new(1.5f32, -2.0);
        let w: Complex<f64> = z.cast();
        assert_eq!(w, Complex::new(1.5, -2.0));
        assert_eq!(z.cast::<f32>(), 1.5);
        assert!(Complex::new(0.0f32, 1.0).cast::<bool>());
    }
}
