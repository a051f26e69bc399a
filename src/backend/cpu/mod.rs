//! CPU kernels: strided iteration, SIMD dispatch and rayon parallelism.
pub mod simd;
pub mod strided;
pub mod map;
pub mod widen;
pub mod threads;
pub mod fold;
pub mod lanes;
pub mod vmath;
