//! float16 and bfloat16 rows to and from f32, rounding to nearest-even as PyTorch's `c10::Half`
//! and `c10::BFloat16` do. The 16-bit floats compute in f32 (`map`), so these conversions are
//! on every one of their elementwise ops: F16C's 8-wide instructions where the CPU has them
//! (half's slice conversions call them 8 elements per non-inlined call, ~5x slower), and
//! bfloat16's bit shifts in loops the compiler vectorises.
use crate::dtype::DType;
use half::{bf16, f16};
use std::mem::MaybeUninit;

/// Reads `dst.len()` 16-bit floats of `dtype`, `step` elements apart from `src`, as f32 (into
/// uninitialised buffers: zeroing them cost more than the conversion on short rows).
///
/// # Safety
/// Every position must hold an element of `dtype`.
pub unsafe fn widen(dtype: DType, src: usize, step: isize, dst: &mut [MaybeUninit<f32>]) {
    if step != 1 {
        for (i, d) in dst.iter_mut().enumerate() {
            let bits = *(src as *const u16).offset(i as isize * step);
            d.write(if dtype == DType::F16 { f16::from_bits(bits).to_f32() } else { bf16::from_bits(bits).to_f32() });
        }
        return;
    }
    let src = std::slice::from_raw_parts(src as *const u16, dst.len());
    if dtype == DType::BF16 {
        return super::simd::dispatch(|| dst.iter_mut().zip(src).for_each(|(d, &b)| *d = MaybeUninit::new(f32::from_bits((b as u32) << 16))));
    }
    #[cfg(target_arch = "x86_64")]
    if has_f16c() {
        return f16c::widen(src, dst);
    }
    for (d, &b) in dst.iter_mut().zip(src) {
        d.write(f16::from_bits(b).to_f32());
    }
}

/// Rounds `src` to 16-bit floats of `dtype`, written `step` elements apart from `dst`.
///
/// # Safety
/// Every position must be writable.
pub unsafe fn narrow(dtype: DType, src: &[f32], dst: usize, step: isize) {
    if step != 1 {
        for (i, &x) in src.iter().enumerate() {
            let bits = if dtype == DType::F16 { f16::from_f32(x).to_bits() } else { bf16_bits(x) };
            *(dst as *mut u16).offset(i as isize * step) = bits;
        }
        return;
    }
    let dst = std::slice::from_raw_parts_mut(dst as *mut u16, src.len());
    if dtype == DType::BF16 {
        return super::simd::dispatch(|| dst.iter_mut().zip(src).for_each(|(d, &x)| *d = bf16_bits(x)));
    }
    #[cfg(target_arch = "x86_64")]
    if has_f16c() {
        return f16c::narrow(src, dst);
    }
    for (d, &x) in dst.iter_mut().zip(src) {
        *d = f16::from_f32(x).to_bits();
    }
}

/// `x` rounded to bfloat16's bits, ties to even; NaN becomes PyTorch's 0x7FC0. Branch-free,
/// so that loops of it vectorise.
#[inline(always)]
fn bf16_bits(x: f32) -> u16 {
    let u = x.to_bits();
    let rounded = (u.wrapping_add(0x7FFF + ((u >> 16) & 1)) >> 16) as u16;
    if x.is_nan() {
        0x7FC0
    } else {
        rounded
    }
}

#[cfg(target_arch = "x86_64")]
fn has_f16c() -> bool {
    use std::sync::OnceLock;
    static F16C: OnceLock<bool> = OnceLock::new();
    *F16C.get_or_init(|| is_x86_feature_detected!("f16c") && is_x86_feature_detected!("avx"))
}

#[cfg(target_arch = "x86_64")]
mod f16c {
    use half::f16;
    use std::arch::x86_64::*;
    use std::mem::MaybeUninit;

    pub fn widen(src: &[u16], dst: &mut [MaybeUninit<f32>]) {
        // SAFETY: called only where the CPU has F16C and AVX.
        unsafe { widen_f16c(src, dst) }
    }

    pub fn narrow(src: &[f32], dst: &mut [u16]) {
        // SAFETY: as in `widen`.
        unsafe { narrow_f16c(src, dst) }
    }

    #[target_feature(enable = "avx,f16c")]
    unsafe fn widen_f16c(src: &[u16], dst: &mut [MaybeUninit<f32>]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 8 <= n {
            let halves = _mm_loadu_si128(src.as_ptr().add(i) as *const __m128i);
            _mm256_storeu_ps(dst.as_mut_ptr().add(i) as *mut f32, _mm256_cvtph_ps(halves));
            i += 8;
        }
        for j in i..n {
            dst[j].write(f16::from_bits(src[j]).to_f32());
        }
    }

    #[target_feature(enable = "avx,f16c")]
    unsafe fn narrow_f16c(src: &[f32], dst: &mut [u16]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 8 <= n {
            let floats = _mm256_loadu_ps(src.as_ptr().add(i));
            let halves = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(floats);
            _mm_storeu_si128(dst.as_mut_ptr().add(i) as *mut __m128i, halves);
            i += 8;
        }
        for j in i..n {
            dst[j] = f16::from_f32(src[j]).to_bits();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_nearest_even_like_half() {
        // Every bfloat16/float16 bit pattern widens exactly, and f32 values between them
        // (ties to either side included) narrow as half's scalar conversions do.
        let all: Vec<u16> = (0..=u16::MAX).collect();
        for dtype in [DType::F16, DType::BF16] {
            let mut buffer = vec![MaybeUninit::uninit(); all.len()];
            unsafe { widen(dtype, all.as_ptr() as usize, 1, &mut buffer) };
            let wide: Vec<f32> = buffer.iter().map(|w| unsafe { w.assume_init() }).collect();
            let mut probes = Vec::new();
            for (i, &w) in wide.iter().enumerate() {
                let expected = if dtype == DType::F16 { f16::from_bits(all[i]).to_f32() } else { bf16::from_bits(all[i]).to_f32() };
                assert!(w.to_bits() == expected.to_bits() || (w.is_nan() && expected.is_nan()));
                probes.extend([w, f32::from_bits(w.to_bits() + 1), f32::from_bits(w.to_bits() ^ 0x1000), f32::from_bits(w.to_bits() ^ 0x8000)]);
            }
            let mut narrowed = vec![0u16; probes.len()];
            unsafe { narrow(dtype, &probes, narrowed.as_mut_ptr() as usize, 1) };
            for (&x, &bits) in probes.iter().zip(&narrowed) {
                let expected = if dtype == DType::F16 { f16::from_f32(x).to_bits() } else { bf16::from_f32(x).to_bits() };
                if x.is_nan() {
                    assert!(if dtype == DType::F16 { f16::from_bits(bits).is_nan() } else { bits == 0x7FC0 });
                } else {
                    assert_eq!(bits, expected, "{dtype:?} {x:e}");
                }
            }
        }
    }
}
