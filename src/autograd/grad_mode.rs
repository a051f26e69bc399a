//! Grad mode: a per-thread switch that decides whether ops record history (`no_grad`,
//! `enable_grad`, `set_grad_enabled`), plus inference mode, which implies no grad.
use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static INFERENCE_MODE: Cell<bool> = const { Cell::new(false) };
}

pub fn is_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Sets grad mode and returns the previous setting.
pub fn set_enabled(enabled: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(enabled))
}

pub fn is_inference_mode() -> bool {
    INFERENCE_MODE.with(|g| g.get())
}

pub fn set_inference_mode(enabled: bool) -> bool {
    INFERENCE_MODE.with(|g| g.replace(enabled))
}

/// Sets grad mode for its lifetime and restores the previous setting on drop (also on errors).
pub struct GradModeGuard {
    previous: bool,
}

impl GradModeGuard {
    pub fn new(enabled: bool) -> GradModeGuard {
        GradModeGuard { previous: set_enabled(enabled) }
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_enabled(self.previous);
    }
}
