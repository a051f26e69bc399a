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

/// Runs `body` compiled for the widest instruction set this CPU has. `body` must be
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
