//! The `cuda` device at the Python boundary: parsing `device=` arguments, the allocation scope
//! of factory functions, `torch.cuda`'s queries, and the host-staged fallback call.
use super::tensor::PyTensor;
use crate::backend::wgpu::{self as gpu, memory::STATS};
use crate::backend::{on_device, DeviceScope};
use crate::error::Error;
use crate::storage::Device;
use pyo3::exceptions::PyAssertionError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::atomic::{AtomicBool, Ordering};

/// `torch.set_default_device`: where factory functions allocate without `device=`.
static DEFAULT_CUDA: AtomicBool = AtomicBool::new(false);

pub fn default_device() -> Device {
    if DEFAULT_CUDA.load(Ordering::Relaxed) {
        Device::Cuda
    } else {
        Device::Cpu
    }
}

/// A `device=` argument (`"cuda:0"`, `torch.device`, an int index) as a `Device`; asking for
/// `cuda` without a usable adapter fails as PyTorch's CPU-only builds do.
pub fn parse_device(d: &Bound<'_, PyAny>) -> PyResult<Device> {
    let s = if let Ok(i) = d.extract::<i64>() { format!("cuda:{}", i) } else { d.str()?.to_string() };
    if s == "cpu" || s.starts_with("cpu:") {
        return Ok(Device::Cpu);
    }
    if let Some(rest) = s.strip_prefix("cuda") {
        if !d.py().detach(gpu::is_available) {
            // As PyTorch's CPU-only builds (torch.cuda._lazy_init).
            return Err(PyAssertionError::new_err("Torch not compiled with CUDA enabled"));
        }
        install_fallback(d.py())?;
        return match rest {
            "" | ":0" => Ok(Device::Cuda),
            _ => Err(Error::Runtime("CUDA error: invalid device ordinal".into()).into()),
        };
    }
    Err(Error::Runtime(format!("Expected one of cpu, cuda device type at start of device string: {}", s)).into())
}

/// Routes the ops without a GPU kernel through `_fallback_call` (rustorch._fallback), once: the
/// first time a `cuda` device is asked for, so CPU-only programs never pay for it.
fn install_fallback(py: Python<'_>) -> PyResult<()> {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if !INSTALLED.swap(true, Ordering::Relaxed) {
        py.import("rustorch._fallback")?.call_method0("install")?;
    }
    Ok(())
}

/// The device a factory function allocates on: `device=` when given, else the default device.
pub fn factory_device(d: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    match d.filter(|d| !d.is_none()) {
        Some(d) => parse_device(d),
        None => Ok(default_device()),
    }
}

/// Allocation scope for a factory function's `device=` (or `inherit` when it is None).
pub fn factory_scope(d: Option<&Bound<'_, PyAny>>, inherit: Option<Device>) -> PyResult<DeviceScope> {
    let device = match (d.filter(|d| !d.is_none()), inherit) {
        (None, Some(dev)) => dev,
        _ => factory_device(d)?,
    };
    Ok(on_device(device))
}

#[pyfunction]
fn _set_default_device(d: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let dev = match d {
        Some(d) if !d.is_none() => parse_device(d)?,
        _ => Device::Cpu,
    };
    DEFAULT_CUDA.store(dev == Device::Cuda, Ordering::Relaxed);
    Ok(())
}

#[pyfunction]
fn _get_default_device_is_cuda() -> bool {
    DEFAULT_CUDA.load(Ordering::Relaxed)
}

#[pyfunction]
fn _cuda_is_available(py: Python<'_>) -> bool {
    py.detach(gpu::is_available)
}

#[pyfunction]
fn _cuda_is_initialized() -> bool {
    gpu::is_initialized()
}

/// Opens the GPU, or raises the reason none is usable.
#[pyfunction]
fn _cuda_init(py: Python<'_>) -> PyResult<()> {
    py.detach(gpu::context).map(|_| ()).map_err(|_| PyAssertionError::new_err("Torch not compiled with CUDA enabled"))
}

#[pyfunction]
fn _cuda_synchronize(py: Python<'_>) -> PyResult<()> {
    py.detach(|| gpu::context()?.synchronize())?;
    Ok(())
}

/// The backend, adapter and driver (`rustorch.backends.wgpu`, `get_device_properties`).
#[pyfunction]
fn _cuda_adapter_info<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let g = gpu::context()?;
    let d = PyDict::new(py);
    for (k, v) in g.describe() {
        d.set_item(k, v)?;
    }
    Ok(d)
}

/// Memory and traffic counters: allocated/peak/cached bytes, buffers created, submits, copies.
#[pyfunction]
fn _cuda_stats<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("allocated", STATS.allocated.load(Ordering::Relaxed))?;
    d.set_item("peak", STATS.peak.load(Ordering::Relaxed))?;
    d.set_item("cached", if gpu::is_initialized() { gpu::context()?.pool.cached_bytes() } else { 0 })?;
    d.set_item("buffers_created", STATS.buffers_created.load(Ordering::Relaxed))?;
    d.set_item("submits", STATS.submits.load(Ordering::Relaxed))?;
    d.set_item("uploads", STATS.uploads.load(Ordering::Relaxed))?;
    d.set_item("downloads", STATS.downloads.load(Ordering::Relaxed))?;
    d.set_item("dispatches", STATS.dispatches.load(Ordering::Relaxed))?;
    d.set_item("host_fallbacks", STATS.host_fallbacks.load(Ordering::Relaxed))?;
    Ok(d)
}

#[pyfunction]
fn _cuda_reset_peak() {
    STATS.peak.store(STATS.allocated.load(Ordering::Relaxed), Ordering::Relaxed);
}

#[pyfunction]
fn _cuda_empty_cache() -> PyResult<()> {
    if gpu::is_initialized() {
        gpu::context()?.pool.clear();
    }
    Ok(())
}

/// Devices of the tensors among the arguments (one level into lists and tuples); 0-dim CPU
/// tensors are left out, since PyTorch lets them join a GPU op as scalars.
fn collect_devices(obj: &Bound<'_, PyAny>, seen: &mut Vec<Device>) {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.get().tensor();
        let d = t.device();
        if !(d == Device::Cpu && t.ndim() == 0) && !seen.contains(&d) {
            seen.push(d);
        }
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        if let Ok(items) = obj.try_iter() {
            for item in items.flatten() {
                if item.is_instance_of::<PyTensor>() {
                    collect_devices(&item, seen);
                }
            }
        }
    }
}

/// The host-staged fallback: runs `fn(*args, **kwargs)` (an op with no GPU kernel yet) with
/// results allocated on its operands' device. The CPU kernel reaches a `cuda` operand's bytes
/// through its storage's host block (`Storage::as_ptr`), which the device keeps in step.
/// `mixed_ok` ops (indexing with CPU indices, copies) may combine devices, as in PyTorch.
#[pyfunction]
#[pyo3(signature = (f, mixed_ok, args, kwargs=None))]
fn _fallback_call<'py>(f: &Bound<'py, PyAny>, mixed_ok: bool, args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
    let mut devices = Vec::new();
    for a in args.iter() {
        collect_devices(&a, &mut devices);
    }
    if let Some(kw) = kwargs {
        for (_, v) in kw.iter() {
            collect_devices(&v, &mut devices);
        }
    }
    if devices.len() > 1 && !mixed_ok {
        // PyTorch's TensorIterator takes the GPU as the common device: "cuda:0 and cpu".
        devices.sort_by_key(|d| *d == Device::Cpu);
        return Err(Error::Runtime(format!(
            "Expected all tensors to be on the same device, but found at least two devices, {} and {}!",
            devices[0].label(),
            devices[1].label()
        ))
        .into());
    }
    let device = if devices.contains(&Device::Cuda) { Device::Cuda } else { Device::Cpu };
    let _on = on_device(device);
    let result = f.call(args, kwargs)?;
    if device == Device::Cuda {
        // A GPU error met inside the op's CPU kernel (a failed read-back) is raised here.
        gpu::faults::check()?;
    }
    Ok(result)
}

/// Test hook: `"wgsl"` compiles a broken kernel, `"lose_device"` destroys the device.
#[pyfunction]
fn _cuda_test_fault(what: &str) -> PyResult<()> {
    gpu::context()?.inject_fault(what)?;
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_set_default_device, m)?)?;
    m.add_function(wrap_pyfunction!(_get_default_device_is_cuda, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_is_available, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_is_initialized, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_init, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_adapter_info, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_stats, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_reset_peak, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_empty_cache, m)?)?;
    m.add_function(wrap_pyfunction!(_fallback_call, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_test_fault, m)?)?;
    m.add("OutOfMemoryError", m.py().get_type::<super::errors::OutOfMemoryError>())?;
    Ok(())
}
