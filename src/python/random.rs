//! `rustorch.Generator`, the default generator, the random factories (`rand`, `randn`,
//! `randint`, `randperm`, `normal`, `bernoulli`, `multinomial`, `*_like`) and the in-place
//! samplers (`uniform_`, `normal_`, `random_`, …).
use super::args;
use super::creation::{factory_dtype, finish, number, preserves_format, size_arg};
use super::tensor::{check_device, wrap, PyTensor};
use crate::dtype::{DType, Scalar};
use crate::ops::creation::empty_like;
use crate::ops::random as ops;
use crate::random::{default_generator, Generator, DEFAULT_SEED};
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyTuple};
use std::sync::Arc;

#[pyclass(name = "Generator", module = "rustorch", frozen)]
pub struct PyGenerator {
    inner: Arc<Generator>,
}

/// A seed as PyTorch takes it: any int in [-2^63, 2^64), negative ones wrapping to uint64.
fn seed_value(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    if !seed.is_instance_of::<PyInt>() || seed.is_instance_of::<PyBool>() {
        return Err(PyRuntimeError::new_err(format!("manual_seed expected a long, but got {}", seed.get_type().name()?)));
    }
    seed.extract::<u64>()
        .or_else(|_| seed.extract::<i64>().map(|s| s as u64))
        .map_err(|_| PyValueError::new_err("Overflow when unpacking long long"))
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn py_new(device: Option<&Bound<'_, PyAny>>) -> PyResult<PyGenerator> {
        device.map_or(Ok(crate::storage::Device::Cpu), check_device)?;
        Ok(PyGenerator { inner: Arc::new(Generator::new(DEFAULT_SEED)) })
    }

    fn manual_seed<'py>(slf: &Bound<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.manual_seed(seed_value(seed)?);
        Ok(slf.clone())
    }
    fn seed(&self) -> u64 {
        self.inner.seed()
    }
    fn initial_seed(&self) -> u64 {
        self.inner.initial_seed()
    }
    /// The state as a uint8 tensor (`torch.ByteTensor`) in PyTorch's layout, for `set_state`.
    fn get_state(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let state = self.inner.get_state();
        let len = state.len();
        wrap(py, Tensor::from_vec(state, &[len])?)
    }
    fn set_state<'py>(slf: &Bound<'py, Self>, new_state: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let Ok(state) = new_state.cast::<PyTensor>() else {
            return Err(PyTypeError::new_err(format!("expected a torch.ByteTensor, but got {}", new_state.get_type().name()?)));
        };
        let state = state.get().tensor();
        if state.dtype != DType::U8 {
            return Err(PyTypeError::new_err("RNG state must be a torch.ByteTensor"));
        }
        slf.get().inner.set_state(&state.to_vec::<u8>()?)?;
        Ok(slf.clone())
    }
    #[getter]
    fn device<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("rustorch._device")?.getattr("CPU")
    }
}

/// The generator an op draws from: `generator=` or the default one of the device the op
/// allocates on (so callers resolve it inside their device scope).
pub(super) fn generator(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Arc<Generator>> {
    match obj.filter(|o| !o.is_none()) {
        Some(o) => match o.cast::<PyGenerator>() {
            Ok(g) => Ok(g.get().inner.clone()),
            Err(_) => Err(PyTypeError::new_err(format!("expected a torch.Generator, but got {}", o.get_type().name()?))),
        },
        None => Ok(crate::random::default_generator_on(crate::backend::alloc_device()).clone()),
    }
}

/// Outputs from this many elements are sampled without the GIL.
const DETACH_FROM: usize = 1 << 14;

/// Runs a sampler without the GIL when the output is large.
pub(super) fn sampling<R: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> R + Send) -> R {
    if numel >= DETACH_FROM {
        py.detach(f)
    } else {
        f()
    }
}

/// The allocation scope of a sampling function: `device=`, else the default device.
fn check_opt_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<crate::backend::DeviceScope> {
    super::device::factory_scope(device, None)
}

/// Shared by `rand` and `randn`.
#[allow(clippy::too_many_arguments)]
fn sampled(
    py: Python<'_>,
    fname: &str,
    dims: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    generator_arg: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    sample: fn(&[usize], DType, &Generator) -> crate::error::Result<Tensor>,
) -> PyResult<Py<PyTensor>> {
    let _on = check_opt_device(device)?;
    let shape = size_arg(fname, dims, size)?;
    let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
    let gen = generator(generator_arg)?;
    let t = sampling(py, shape.iter().product(), || sample(&shape, dtype, &gen))?;
    finish(py, t, out, requires_grad)
}

#[pyfunction]
#[pyo3(name = "rand", signature = (*dims, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn rand_(py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    sampled(py, "rand", dims, size, generator, out, dtype, device, requires_grad, ops::rand)
}

#[pyfunction]
#[pyo3(signature = (*dims, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn randn(py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    sampled(py, "randn", dims, size, generator, out, dtype, device, requires_grad, ops::randn)
}

fn int_arg(fname: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    obj.extract::<i64>().map_err(|_| PyTypeError::new_err(format!("{}(): argument '{}' must be int, not {}", fname, name, obj.get_type().name().map(|n| n.to_string()).unwrap_or_default())))
}

/// `randint(high, size)` / `randint(low, high, size)` (int64 unless `dtype=`).
#[pyfunction]
#[pyo3(signature = (*bounds, size=None, low=None, high=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn randint(py: Python<'_>, bounds: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, low: Option<&Bound<'_, PyAny>>, high: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let mut items: Vec<Bound<'_, PyAny>> = bounds.iter().collect();
    let size = match size {
        Some(s) => s.clone(),
        None => items.pop().ok_or_else(|| PyTypeError::new_err("randint() missing 1 required positional arguments: \"size\""))?,
    };
    let (low, high) = match (items.as_slice(), low, high) {
        ([h], None, None) => (0, int_arg("randint", "high", h)?),
        ([l, h], None, None) => (int_arg("randint", "low", l)?, int_arg("randint", "high", h)?),
        ([], l, Some(h)) => (l.map_or(Ok(0), |l| int_arg("randint", "low", l))?, int_arg("randint", "high", h)?),
        ([l], None, Some(h)) => (int_arg("randint", "low", l)?, int_arg("randint", "high", h)?),
        _ => return Err(PyTypeError::new_err("randint() received an invalid combination of arguments - expected (int high, tuple of ints size) or (int low, int high, tuple of ints size)")),
    };
    let shape = args::sizes(&PyTuple::new(py, [size])?)?;
    let dtype = factory_dtype(dtype, out, DType::I64)?;
    let gen = self::generator(generator)?;
    let t = sampling(py, shape.iter().product(), || ops::randint(low, high, &shape, dtype, &gen))?;
    finish(py, t, out, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn randperm(py: Python<'_>, n: i64, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let dtype = factory_dtype(dtype, out, DType::I64)?;
    let gen = self::generator(generator)?;
    let t = sampling(py, n.max(0) as usize, || ops::randperm(n, dtype, &gen))?;
    finish(py, t, out, requires_grad)
}

/// `normal(mean, std)` with tensor and/or float arguments, or `normal(mean, std, size)`.
#[pyfunction]
#[pyo3(signature = (mean, std=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn normal(py: Python<'_>, mean: &Bound<'_, PyAny>, std: Option<&Bound<'_, PyAny>>, size: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let as_tensor = |o: &Bound<'_, PyAny>| o.cast::<PyTensor>().ok().map(|t| t.get().tensor());
    let std = std.filter(|s| !s.is_none());
    let operand_device = as_tensor(mean).or_else(|| std.and_then(as_tensor)).map(|t| t.device());
    let _on = super::device::factory_scope(device, operand_device)?;
    let gen = self::generator(generator)?;
    let t = match (as_tensor(mean), std.and_then(as_tensor)) {
        (Some(m), Some(s)) => ops::normal_tensors(&m, &s, &gen)?,
        (Some(m), None) => ops::normal_tensor_mean(&m, std.map_or(Ok(Scalar::Float(1.0)), |s| number("normal", s))?.to_f64(), &gen)?,
        (None, Some(s)) => ops::normal_tensor_std(number("normal", mean)?.to_f64(), &s, &gen)?,
        (None, None) => {
            let (Some(std), Some(size)) = (std, size.filter(|s| !s.is_none())) else {
                return Err(PyTypeError::new_err("normal() received an invalid combination of arguments - expected (Tensor mean, Tensor std), (Tensor mean, float std), (float mean, Tensor std) or (float mean, float std, tuple of ints size)"));
            };
            let shape = args::sizes(&PyTuple::new(py, [size])?)?;
            let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
            let (m, s) = (number("normal", mean)?.to_f64(), number("normal", std)?.to_f64());
            sampling(py, shape.iter().product(), || ops::normal(m, s, &shape, dtype, &gen))?
        }
    };
    finish(py, t, out, requires_grad)
}

/// `bernoulli(input)` draws with probabilities `input`; `bernoulli(input, p)` with scalar p.
#[pyfunction]
#[pyo3(signature = (input, p=None, *, generator=None, out=None))]
fn bernoulli(py: Python<'_>, input: &Bound<'_, PyTensor>, p: Option<f64>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let t = input.get().tensor();
    let gen = self::generator(generator)?;
    let result = sampling(py, t.numel(), || match p {
        Some(p) => Tensor::empty(t.shape(), t.dtype).and_then(|o| ops::bernoulli_scalar_(&o, p, &gen).map(|_| o)),
        None => ops::bernoulli(&t, &gen),
    })?;
    finish(py, result, out, false)
}

#[pyfunction]
#[pyo3(signature = (input, num_samples, replacement=false, *, generator=None, out=None))]
fn multinomial(py: Python<'_>, input: &Bound<'_, PyTensor>, num_samples: i64, replacement: bool, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let t = input.get().tensor();
    let gen = self::generator(generator)?;
    let result = sampling(py, t.numel(), || ops::multinomial(&t, num_samples, replacement, &gen))?;
    finish(py, result, out, false)
}

/// Shared by `rand_like`, `randn_like` and `randint_like`: an empty tensor like `input`,
/// filled by `fill`.
#[allow(clippy::too_many_arguments)]
fn random_like(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
    generator_arg: Option<&Bound<'_, PyAny>>,
    fill: impl FnOnce(&Tensor, &Generator) -> crate::error::Result<()> + Send,
) -> PyResult<Py<PyTensor>> {
    let t = input.get().tensor();
    let _on = super::device::factory_scope(device, Some(t.device()))?;
    let dtype = args::opt_dtype(dtype)?.unwrap_or(t.dtype);
    let out = empty_like(&t, dtype, preserves_format(memory_format)?)?;
    let gen = generator(generator_arg)?;
    sampling(py, out.numel(), || fill(&out, &gen))?;
    finish(py, out, None, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn rand_like(py: Python<'_>, input: &Bound<'_, PyTensor>, generator: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    random_like(py, input, dtype, device, requires_grad, memory_format, generator, |t, g| ops::uniform_(t, 0.0, 1.0, g))
}

#[pyfunction]
#[pyo3(signature = (input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn randn_like(py: Python<'_>, input: &Bound<'_, PyTensor>, generator: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    random_like(py, input, dtype, device, requires_grad, memory_format, generator, |t, g| ops::normal_(t, 0.0, 1.0, g))
}

/// `randint_like(input, high)` / `randint_like(input, low, high)`.
#[pyfunction]
#[pyo3(signature = (input, low=None, high=None, *, generator=None, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn randint_like(py: Python<'_>, input: &Bound<'_, PyTensor>, low: Option<i64>, high: Option<i64>, generator: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let (low, high) = match (low, high) {
        (Some(h), None) => (0, h),
        (l, Some(h)) => (l.unwrap_or(0), h),
        (None, None) => return Err(PyTypeError::new_err("randint_like() missing 1 required positional arguments: \"high\"")),
    };
    random_like(py, input, dtype, device, requires_grad, memory_format, generator, move |t, g| ops::random_(t, low, Some(high), g))
}

/// In-place samplers; each returns the tensor itself.
#[pymethods]
impl PyTensor {
    #[pyo3(signature = (r#from=0.0, to=1.0, *, generator=None))]
    fn uniform_<'py>(slf: &Bound<'py, Self>, r#from: f64, to: f64, generator: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        in_place(slf, generator, |t, g| ops::uniform_(t, r#from, to, g))
    }

    #[pyo3(signature = (mean=0.0, std=1.0, *, generator=None))]
    fn normal_<'py>(slf: &Bound<'py, Self>, mean: f64, std: f64, generator: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        in_place(slf, generator, |t, g| ops::normal_(t, mean, std, g))
    }

    #[pyo3(signature = (lambd=1.0, *, generator=None))]
    fn exponential_<'py>(slf: &Bound<'py, Self>, lambd: f64, generator: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        in_place(slf, generator, |t, g| ops::exponential_(t, lambd, g))
    }

    /// `random_()`, `random_(to)`, `random_(from, to)` (`to=None`: up to the dtype's limit).
    #[pyo3(signature = (*bounds, generator=None))]
    fn random_<'py>(slf: &Bound<'py, Self>, bounds: &Bound<'py, PyTuple>, generator: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (from, to) = match bounds.len() {
            // Not random_(0, None): PyTorch's unbounded kernel draws differently.
            0 => return in_place(slf, generator, ops::random_default_),
            1 => (0, Some(int_arg("random_", "to", &bounds.get_item(0)?)?)),
            2 => {
                let to = bounds.get_item(1)?;
                (int_arg("random_", "from", &bounds.get_item(0)?)?, if to.is_none() { None } else { Some(int_arg("random_", "to", &to)?) })
            }
            n => return Err(PyTypeError::new_err(format!("random_() takes at most 2 arguments ({} given)", n))),
        };
        in_place(slf, generator, |t, g| ops::random_(t, from, to, g))
    }

    /// `bernoulli_(p)` with a float or a tensor of probabilities.
    #[pyo3(signature = (p=None, *, generator=None))]
    fn bernoulli_<'py>(slf: &Bound<'py, Self>, p: Option<&Bound<'py, PyAny>>, generator: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        match p.and_then(|p| p.cast::<PyTensor>().ok()).map(|p| p.get().tensor()) {
            Some(probs) => in_place(slf, generator, |t, g| ops::bernoulli_tensor_(t, &probs, g)),
            None => {
                let p = p.map_or(Ok(0.5), |p| p.extract::<f64>())?;
                in_place(slf, generator, |t, g| ops::bernoulli_scalar_(t, p, g))
            }
        }
    }

    #[pyo3(name = "bernoulli", signature = (p=None, *, generator=None))]
    fn bernoulli_method(slf: &Bound<'_, Self>, p: Option<f64>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        bernoulli(slf.py(), slf, p, generator, None)
    }

    #[pyo3(name = "multinomial", signature = (num_samples, replacement=false, *, generator=None))]
    fn multinomial_method(slf: &Bound<'_, Self>, num_samples: i64, replacement: bool, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        multinomial(slf.py(), slf, num_samples, replacement, generator, None)
    }
}

fn in_place<'py>(
    slf: &Bound<'py, PyTensor>,
    generator_arg: Option<&Bound<'py, PyAny>>,
    fill: impl FnOnce(&Tensor, &Generator) -> crate::error::Result<()> + Send,
) -> PyResult<Bound<'py, PyTensor>> {
    let t = slf.get().tensor();
    let gen = generator(generator_arg)?;
    sampling(slf.py(), t.numel(), || fill(&t, &gen))?;
    Ok(slf.clone())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGenerator>()?;
    m.add("default_generator", Py::new(m.py(), PyGenerator { inner: default_generator().clone() })?)?;
    m.add("_cuda_default_generator", Py::new(m.py(), PyGenerator { inner: crate::random::cuda_generator().clone() })?)?;
    m.add_function(wrap_pyfunction!(rand_, m)?)?;
    m.add_function(wrap_pyfunction!(randn, m)?)?;
    m.add_function(wrap_pyfunction!(randint, m)?)?;
    m.add_function(wrap_pyfunction!(randperm, m)?)?;
    m.add_function(wrap_pyfunction!(normal, m)?)?;
    m.add_function(wrap_pyfunction!(bernoulli, m)?)?;
    m.add_function(wrap_pyfunction!(multinomial, m)?)?;
    m.add_function(wrap_pyfunction!(rand_like, m)?)?;
    m.add_function(wrap_pyfunction!(randn_like, m)?)?;
    m.add_function(wrap_pyfunction!(randint_like, m)?)?;
    Ok(())
}
