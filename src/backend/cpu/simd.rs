//! Runtime CPU-feature dispatch: the same generic loop body is compiled once per instruction
//! set and the best one available on the running machine is called.

/// Element counts below this run on the calling thread: a rayon hand-off costs more.
pub const PARALLEL_GRAIN: usize = 1 << 15;

#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Scalar,
    Avx2,
    Avx512,
}

#[cfg(target_arch = "x86_64")]
pub fn level() -> Level {
    use std::sync::OnceLock;
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        if is_x86_feature_detected!("avx512f") {
            Level::Avx512
        } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            Level::Avx2
        } else {
            Level::Scalar
        }
    })
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
        #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
        unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: each variant is only called when `level()` found its features.
        match level() {
            Level::Avx512 => unsafe { avx512(body) },
            Level::Avx2 => unsafe { avx2(body) },
            Level::Scalar => body(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        body()
    }
}
