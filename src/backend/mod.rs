//! Compute backends. Ops reach kernels through the storage's device: CPU kernels in `cpu`, the
//! GPU (wgpu, PyTorch's `cuda` device) in `wgpu`. This module holds the device-dispatching entry
//! points shared by every op (copy/cast, fill) and the allocation device of the running op.
pub mod cpu;
pub mod wgpu;

use crate::dtype::Scalar;
use crate::error::Result;
use crate::storage::Device;
use crate::tensor::Tensor;
use std::cell::Cell;

thread_local! {
    static ALLOC_DEVICE: Cell<Device> = const { Cell::new(Device::Cpu) };
}

/// Where the running op allocates its results: the device of its operands (set by the op's
/// caller: the Python bindings, the autograd engine), the CPU outside any op.
pub fn alloc_device() -> Device {
    ALLOC_DEVICE.with(|d| d.get())
}

/// While alive, new tensors are allocated on the given device; the previous one is restored on
/// drop, so scopes nest (an op calling back into Python, a backward node running ops).
pub struct DeviceScope {
    previous: Device,
}

pub fn on_device(device: Device) -> DeviceScope {
    DeviceScope { previous: ALLOC_DEVICE.with(|d| d.replace(device)) }
}

impl Drop for DeviceScope {
    fn drop(&mut self) {
        ALLOC_DEVICE.with(|d| d.set(self.previous));
    }
}

/// `out[...] = src[...]` with casting, across devices (same shapes; `src` already broadcast).
pub fn copy_cast(out: &Tensor, src: &Tensor) -> Result<()> {
    if out.device() == Device::Cpu && src.device() == Device::Cpu {
        cpu::map::copy_cast(out, src);
        return Ok(());
    }
    wgpu::kernels::copy_cast(out, src)?;
    // A host-staged copy may have found a GPU error while reading.
    wgpu::faults::check()
}

/// Every element of the view `out` set to `value`.
pub fn fill(out: &Tensor, value: Scalar) -> Result<()> {
    if out.device() == Device::Cpu {
        crate::with_any_dtype!(out.dtype, T => cpu::map::fill::<T>(out, <T as crate::dtype::Element>::from_scalar(value)));
        return Ok(());
    }
    wgpu::kernels::fill(out, value)
}
