//! The process-wide default floating dtype (`torch.set_default_dtype`).
use crate::dtype::DType;
use std::sync::atomic::{AtomicU8, Ordering};

static DEFAULT: AtomicU8 = AtomicU8::new(DType::F32 as u8);

pub fn get() -> DType {
    crate::dtype::ALL_DTYPES[DEFAULT.load(Ordering::Relaxed) as usize]
}

pub fn set(dtype: DType) {
    DEFAULT.store(dtype as u8, Ordering::Relaxed);
}
