//! Compute backends. Ops reach kernels through the storage's device; CPU is the first backend.
pub mod cpu;
