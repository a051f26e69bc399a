//! PyTorch's `normal_` fill for contiguous tensors of at least 16 elements (`normal_fill` in
//! ATen's cpu/DistributionTemplates.h): uniforms are drawn for the whole tensor, then each block
//! of 16 becomes 16 normals by Box-Muller (radius from the first 8, angle from the last 8); a
//! ragged tail recomputes the last 16 elements from 16 fresh uniforms.
//!
//! Single precision (and the float math of half/bfloat16) follows PyTorch's x86-64 build, whose
//! 16-element step is AVX2 code with the Cephes-style `log256_ps`/`sincos256_ps` of
//! avx_mathfun.h, compiled with FMA contraction. The lane functions below replay that compiled
//! instruction sequence operation by operation (every fused multiply-add where the compiler
//! fused one), so the results are bit-identical. Double precision uses the C library's
//! log/sin/cos, as ATen's scalar path does.
use crate::backend::cpu::simd::dispatch;
use crate::dtype::Element;
use crate::random::Engine;

/// The constants are C `float` initialisers written as double literals: round through f64.
const SQRTHF: f32 = 0.707106781186547524f64 as f32;
const LOG_P: [f32; 9] = [
    7.0376836292E-2f64 as f32,
    -1.1514610310E-1f64 as f32,
    1.1676998740E-1f64 as f32,
    -1.2420140846E-1f64 as f32,
    1.4249322787E-1f64 as f32,
    -1.6668057665E-1f64 as f32,
    2.0000714765E-1f64 as f32,
    -2.4999993993E-1f64 as f32,
    3.3333331174E-1f64 as f32,
];
const LOG_Q1: f32 = -2.12194440e-4f64 as f32;
const LOG_Q2: f32 = 0.693359375;
const FOUR_OVER_PI: f32 = 1.27323954473516f64 as f32;
const MINUS_DP: [f32; 3] = [-0.78515625, -2.4187564849853515625e-4f64 as f32, -3.77489497744594108e-8f64 as f32];
const SIN_P: [f32; 3] = [-1.9515295891E-4f64 as f32, 8.3321608736E-3f64 as f32, -1.6666654611E-1f64 as f32];
const COS_P: [f32; 3] = [2.443315711809948E-005f64 as f32, -1.388731625493765E-003f64 as f32, 4.166664568298827E-002f64 as f32];
/// `_mm256_set1_ps(2.0f * c10::pi<double>)`.
const TWO_PI_F32: f32 = (2.0 * std::f64::consts::PI) as f32;

/// `log256_ps` for one lane, for x in (0, 1] (the only inputs Box-Muller gives it).
#[inline(always)]
fn log_lane(x: f32) -> f32 {
    let x = x.max(f32::MIN_POSITIVE);
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 0x7f) as f32 + 1.0;
    // The mantissa, scaled into [0.5, 1).
    let m = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
    let below = m < SQRTHF;
    let mut x = m - 1.0;
    if below {
        e -= 1.0;
        x += m;
    }
    let z = x * x;
    let mut y = LOG_P[0].mul_add(x, LOG_P[1]);
    for &p in &LOG_P[2..] {
        y = y.mul_add(x, p);
    }
    y = (x * y).mul_add(z, e * LOG_Q1);
    y = (-z).mul_add(0.5, y);
    e.mul_add(LOG_Q2, x + y)
}

/// `sincos256_ps` for one lane, for x >= 0 (angles 2*pi*u).
#[inline(always)]
fn sincos_lane(x: f32) -> (f32, f32) {
    let sign_in = x.to_bits() & 0x8000_0000;
    let x = f32::from_bits(x.to_bits() & 0x7fff_ffff);
    // The octant, rounded up to even (cvttps truncates).
    let j = (((x * FOUR_OVER_PI) as i32).wrapping_add(1)) & !1;
    let jf = j as f32;
    let sign_sin = sign_in ^ (((j & 4) as u32) << 29);
    let sign_cos = ((!(j.wrapping_sub(2)) & 4) as u32) << 29;
    let sin_poly_here = j & 2 == 0;
    // Extended-precision reduction x - j*pi/4.
    let x = jf.mul_add(MINUS_DP[2], jf.mul_add(MINUS_DP[1], jf.mul_add(MINUS_DP[0], x)));
    let z = x * x;
    let half_z = z * 0.5;
    let c = COS_P[0].mul_add(z, COS_P[1]).mul_add(z, COS_P[2]);
    let c = z.mul_add(z * c, -half_z) + 1.0;
    let s = SIN_P[0].mul_add(z, SIN_P[1]).mul_add(z, SIN_P[2]);
    let s = x.mul_add(z * s, x);
    // The vector code selects by masking and adding +0 (which turns -0 into +0).
    let (sin, cos) = if sin_poly_here { (0.0 + s, c + 0.0) } else { (c + 0.0, 0.0 + s) };
    (f32::from_bits(sin.to_bits() ^ sign_sin), f32::from_bits(cos.to_bits() ^ sign_cos))
}

/// `NormalFill16<float>` (the AVX2 specialisation).
#[inline(always)]
fn fill16_f32(d: &mut [f32], mean: f32, std: f32) {
    for j in 0..8 {
        let radius = (-2.0 * log_lane(1.0 - d[j])).sqrt();
        let (sin, cos) = sincos_lane(TWO_PI_F32 * d[j + 8]);
        d[j] = (radius * cos).mul_add(std, mean);
        d[j + 8] = (radius * sin).mul_add(std, mean);
    }
}

/// `NormalFill16<double>` (scalar, C library transcendentals, explicit fma).
#[inline(always)]
fn fill16_f64(d: &mut [f64], mean: f64, std: f64) {
    for j in 0..8 {
        let radius = (-2.0 * (1.0 - d[j]).ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * d[j + 8];
        d[j] = (radius * theta.cos()).mul_add(std, mean);
        d[j + 8] = (radius * theta.sin()).mul_add(std, mean);
    }
}

/// Normal samples into `data` (at least 16 elements), in the order PyTorch draws them.
pub fn normal_fill_f64(data: &mut [f64], mean: f64, std: f64, e: &mut Engine) {
    let n = data.len();
    data.iter_mut().for_each(|x| *x = e.uniform_f64());
    data.chunks_exact_mut(16).for_each(|b| fill16_f64(b, mean, std));
    if n % 16 != 0 {
        let tail = &mut data[n - 16..];
        tail.iter_mut().for_each(|x| *x = e.uniform_f64());
        fill16_f64(tail, mean, std);
    }
}

pub fn normal_fill_f32(data: &mut [f32], mean: f32, std: f32, e: &mut Engine) {
    let n = data.len();
    data.iter_mut().for_each(|x| *x = e.uniform_f32());
    dispatch(|| data.chunks_exact_mut(16).for_each(|b| fill16_f32(b, mean, std)));
    if n % 16 != 0 {
        let tail = &mut data[n - 16..];
        tail.iter_mut().for_each(|x| *x = e.uniform_f32());
        dispatch(|| fill16_f32(tail, mean, std));
    }
}

/// Half and bfloat16: each block is drawn and transformed in float, then rounded; the ragged
/// tail again recomputes the last 16 elements (so the uniforms for the leftover elements of
/// the last full block are never drawn, unlike the float path).
pub fn normal_fill_reduced<T: Element>(data: &mut [T], mean: f32, std: f32, e: &mut Engine) {
    let n = data.len();
    let block = |out: &mut [T], e: &mut Engine| {
        let mut buf = [0f32; 16];
        buf.iter_mut().for_each(|x| *x = e.uniform_f32());
        dispatch(|| fill16_f32(&mut buf, mean, std));
        out.iter_mut().zip(buf).for_each(|(o, v)| *o = T::from_f64(v as f64));
    };
    data.chunks_exact_mut(16).for_each(|b| block(b, e));
    if n % 16 != 0 {
        block(&mut data[n - 16..], e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cephes_lanes_are_accurate() {
        for k in 1..2000 {
            let x = k as f32 / 2000.0;
            assert!((log_lane(x) as f64 - (x as f64).ln()).abs() < 2e-7 * (1.0 + (x as f64).ln().abs()));
            let t = x * TWO_PI_F32;
            let (s, c) = sincos_lane(t);
            assert!((s as f64 - (t as f64).sin()).abs() < 3e-7 && (c as f64 - (t as f64).cos()).abs() < 3e-7);
        }
    }
}
