//! Runtime CPU-feature dispatch: the same generic loop body is compiled once per instruction
//! set and the best one available on the running machine is called.

/// Element counts below this run on the calling thread: waking the pool costs ~10-20 µs, more
/// than a cheap elementwise op on this many elements takes.
pub const PARALLEL_GRAIN: usize = 1 << 17;

/// Whether the running CPU has AVX2 and FMA. Elementwise loops are memory-bound beyond
/// 256-bit vectors, so an AVX-512 variant would only add compile time and wheel size.
#[cfg(target_arch = "x86_64")]
pub fn has_avx2() -> bool {
    use std::sync::OnceLock;
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// Whether the running CPU has AVX-512 F/BW/DQ/VL, and `RUSTORCH_DISABLE_AVX512` is unset (the
/// tests run the AVX2 variants on an AVX-512 machine with it, and compare).
#[cfg(target_arch = "x86_64")]
pub fn has_avx512() -> bool {
    use std::sync::OnceLock;
    static AVX512: OnceLock<bool> = OnceLock::new();
    *AVX512.get_or_init(|| {
        std::env::var_os("RUSTORCH_DISABLE_AVX512").is_none()
            && has_avx2()
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
    })
}

/// Whether loops over `T` get an AVX2 variant: float32, float64 and bfloat16 (its float formulas
/// use FMA, a libm call per element without it: exp of 1M bf16 1.4 -> 31 ms). Loops over ints,
/// bool, f16 and complex, ~2/3 of all elementwise and reduction instances, keep only the
/// baseline build: ~1.3 MB less library, int32 add ~1.3x slower. (Elementwise maps have no
/// 16-bit float loops at all: those run the f32 loops on widened chunks, `map`.)
pub const fn vectorised<T: crate::dtype::Element>() -> bool {
    matches!(T::DTYPE, crate::dtype::DType::F32 | crate::dtype::DType::F64 | crate::dtype::DType::BF16)
}

/// `dispatch(body)` when `wide` (a constant: `vectorised::<T>()` of the loop's dtypes), else
/// the baseline build of `body` alone.
#[inline(always)]
pub fn dispatch_if<R>(wide: bool, body: impl FnOnce() -> R) -> R {
    if wide {
        dispatch(body)
    } else {
        body()
    }
}

/// `dispatch_if` with an AVX-512 variant too, where the CPU has AVX-512 F/BW/DQ/VL: for the
/// loops that are compute-bound on cache-resident data, the float unary maps (exp, tanh, GELU:
/// on Zen 4 exp of 1M floats 490 -> 332 µs, GELU 1.0 -> 0.6 ms). Every other loop gained
/// nothing from it but size (all of them: +0.9 MB of library).
#[inline(always)]
pub fn dispatch_wide_if<R>(wide: bool, body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
        unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if wide && has_avx512() {
            // SAFETY: only called when the CPU has these AVX-512 subsets.
            return unsafe { avx512(body) };
        }
    }
    dispatch_if(wide, body)
}

/// Runs `body` compiled for AVX2+FMA where the CPU has them (see `has_avx2`). `body` must be
/// `#[inline(always)]`-friendly (a closure) so it is re-compiled inside each variant.
#[inline(always)]
pub fn dispatch<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if has_avx2() {
            // SAFETY: only called when the CPU has AVX2 and FMA.
            unsafe { avx2(body) }
        } else {
            body()
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        body()
    }
}
