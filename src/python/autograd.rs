//! Autograd bindings: the Tensor attributes (`requires_grad`, `grad`, `grad_fn`, `backward`, …),
//! grad-mode switches, the engine entry point, and graph nodes as Python objects.
use super::tensor::{size_object, wrap, PyTensor};
use crate::autograd::engine::{self, Pass};
use crate::autograd::grad_mode;
use crate::autograd::graph::{self, AutogradMeta, Hook, Node, PostAccumulateHook};
use crate::error::Error;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType, PyWeakrefReference};
use std::cell::RefCell;
use std::sync::{Arc, Weak};

const NON_LEAF_GRAD_WARNING: &std::ffi::CStr = c"The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.";

thread_local! {
    /// A Python exception raised inside a hook or custom Function while the engine ran; it is
    /// re-raised as is instead of the engine's generic error.
    static PENDING_PY_ERR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Keeps `e` to re-raise after the engine returns, handing the engine an error to unwind with.
pub fn stash(e: PyErr) -> Error {
    let msg = e.to_string();
    PENDING_PY_ERR.with(|p| *p.borrow_mut() = Some(e));
    Error::Runtime(msg)
}

fn unstash(e: Error) -> PyErr {
    PENDING_PY_ERR.with(|p| p.borrow_mut().take()).unwrap_or_else(|| e.into())
}

/// Writes a possibly re-based handle back into the Python tensor after an in-place op.
pub fn commit(slf: &PyTensor, t: Tensor) {
    let changed = match (&slf.tensor().autograd, &t.autograd) {
        (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
        (None, None) => false,
        _ => true,
    };
    if changed {
        slf.replace(t);
    }
}

/// The result of a factory honouring `requires_grad=`.
pub fn factory_output(py: Python<'_>, mut t: Tensor, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    // Data that arrived in host memory (a NumPy array, a CPU tensor) moves to the factory's device.
    let device = crate::backend::alloc_device();
    if t.device() != device {
        t = t.copy_to(device, t.dtype)?;
    }
    if requires_grad {
        if !t.dtype.is_float() {
            return Err(PyRuntimeError::new_err("Only Tensors of floating point and complex dtype can require gradients"));
        }
        t.set_requires_grad(true);
    }
    wrap(py, t)
}

fn leaf_error(requires_grad: bool) -> PyErr {
    let mut msg = "you can only change requires_grad flags of leaf variables.".to_string();
    if !requires_grad {
        msg.push_str(" If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    }
    PyRuntimeError::new_err(msg)
}

#[pymethods]
impl PyTensor {
    #[getter(requires_grad)]
    fn get_requires_grad(&self) -> bool {
        self.tensor().requires_grad()
    }
    #[setter(requires_grad)]
    fn set_requires_grad_attr(&self, requires_grad: bool) -> PyResult<()> {
        let mut t = self.tensor();
        if !t.is_leaf() {
            return Err(leaf_error(requires_grad));
        }
        if requires_grad && !t.dtype.is_float() {
            return Err(PyRuntimeError::new_err("only Tensors of floating point and complex dtype can require gradients"));
        }
        t.set_requires_grad(requires_grad);
        commit(self, t);
        Ok(())
    }
    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_<'py>(slf: &Bound<'py, Self>, requires_grad: bool) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        if !t.is_leaf() {
            if !requires_grad {
                return Err(leaf_error(false));
            }
            return Ok(slf.clone());
        }
        if requires_grad && !t.dtype.is_float() {
            return Err(PyRuntimeError::new_err("only Tensors of floating point dtype can require gradients"));
        }
        t.set_requires_grad(requires_grad);
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    #[getter]
    fn is_leaf(&self) -> bool {
        self.tensor().is_leaf()
    }
    #[getter]
    fn output_nr(&self) -> usize {
        self.tensor().grad_fn().map_or(0, |e| e.input_nr)
    }

    #[getter(grad)]
    fn get_grad(&self, py: Python<'_>) -> PyResult<Option<Py<PyTensor>>> {
        let t = self.tensor();
        let Some(m) = &t.autograd else { return Ok(None) };
        if !t.is_leaf() && !m.retains_grad() {
            PyErr::warn(py, &py.get_type::<PyUserWarning>(), NON_LEAF_GRAD_WARNING, 1)?;
        }
        let g = m.grad.lock().unwrap().clone();
        g.map(|g| wrap(py, g)).transpose()
    }
    #[setter(grad)]
    fn set_grad(&self, grad: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let mut t = self.tensor();
        let new = match grad.filter(|g| !g.is_none()) {
            None => None,
            Some(g) => {
                let g = g.cast::<PyTensor>().map_err(|_| {
                    PyTypeError::new_err(format!("assigned grad expected to be a Tensor or None but got grad of type {}", g.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
                })?;
                let g = g.get().tensor();
                if g.dtype != t.dtype {
                    return Err(PyRuntimeError::new_err("assigned grad has data of a different type"));
                }
                if g.shape() != t.shape() {
                    return Err(PyRuntimeError::new_err("assigned grad has data of a different size"));
                }
                Some(g)
            }
        };
        *t.meta_mut().grad.lock().unwrap() = new;
        commit(self, t);
        Ok(())
    }

    #[getter]
    fn grad_fn(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.tensor().grad_fn().map(|e| node_object(py, &e.node)).transpose()
    }
    fn retain_grad(&self) -> PyResult<()> {
        let t = self.tensor();
        if !t.requires_grad() {
            return Err(PyRuntimeError::new_err("can't retain_grad on Tensor that has requires_grad=False"));
        }
        t.retain_grad();
        Ok(())
    }
    #[getter]
    fn retains_grad(&self) -> bool {
        self.tensor().autograd.as_ref().is_some_and(|m| m.retains_grad())
    }

    fn detach(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.tensor().detach())
    }
    fn detach_<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.get().replace(slf.get().tensor().detach());
        slf.clone()
    }
    #[getter(data)]
    fn get_data(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.tensor().detach())
    }
    /// `x.data = y`: x takes y's memory, shape and dtype, keeping its own autograd state.
    #[setter(data)]
    fn set_data(&self, data: PyRef<'_, PyTensor>) {
        let src = data.tensor();
        let mut t = Tensor::from_storage(src.storage.clone(), src.layout.clone(), src.dtype);
        t.autograd = self.tensor().autograd;
        self.replace(t);
    }

    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<RemovableHandle> {
        let t = self.tensor();
        if !t.requires_grad() {
            return Err(PyRuntimeError::new_err("cannot register a hook on a tensor that doesn't require gradient"));
        }
        let h: Hook = Arc::new(move |g: &Tensor| {
            Python::attach(|py| -> PyResult<Option<Tensor>> {
                let r = hook.call1(py, (wrap(py, g.clone())?,))?;
                if r.is_none(py) {
                    return Ok(None);
                }
                Ok(Some(r.bind(py).cast::<PyTensor>()?.get().tensor()))
            })
            .map_err(stash)
        });
        let id = graph::register_hook(&t, h).expect("requires grad");
        Ok(RemovableHandle { meta: Arc::downgrade(t.autograd.as_ref().expect("requires grad")), id })
    }

    /// The hook is called with the tensor itself after its `.grad` has been accumulated. It
    /// holds the Python tensor weakly: a strong reference would be a cycle through Rust that
    /// Python's collector cannot see.
    fn register_post_accumulate_grad_hook(slf: &Bound<'_, Self>, hook: Py<PyAny>) -> PyResult<RemovableHandle> {
        let t = slf.get().tensor();
        if !t.requires_grad() {
            return Err(PyRuntimeError::new_err("cannot register a hook on a tensor that doesn't require gradient"));
        }
        if !t.is_leaf() {
            return Err(PyRuntimeError::new_err("post accumulate grad hooks cannot be registered on non-leaf tensors"));
        }
        let tensor = PyWeakrefReference::new(slf)?.unbind();
        let h: PostAccumulateHook = Arc::new(move || {
            Python::attach(|py| -> PyResult<()> {
                let Some(t) = tensor.bind(py).upgrade() else { return Ok(()) };
                if !hook.call1(py, (t,))?.is_none(py) {
                    return Err(PyRuntimeError::new_err("Tensor post accumulate grad hooks should return None."));
                }
                Ok(())
            })
            .map_err(stash)
        });
        let meta = t.autograd.as_ref().expect("requires grad");
        let id = meta.add_post_accumulate_hook(h);
        Ok(RemovableHandle { meta: Arc::downgrade(meta), id })
    }

    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(slf: &Bound<'_, Self>, gradient: Option<&Bound<'_, PyAny>>, retain_graph: Option<bool>, create_graph: bool, inputs: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = slf.py();
        let grads = PyTuple::new(py, [gradient.map_or_else(|| py.None(), |g| g.clone().unbind())])?;
        let inputs = inputs.filter(|i| !i.is_none()).map(tensor_list).transpose()?;
        if inputs.as_ref().is_some_and(|i| i.is_empty()) {
            return Err(PyRuntimeError::new_err("'inputs' argument to backward() cannot be empty."));
        }
        run_backward(py, vec![slf.get().tensor()], &grads, retain_graph.unwrap_or(create_graph), create_graph, inputs, true, true)?;
        Ok(())
    }
}

/// Tensors from one tensor or a sequence of them.
fn tensor_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![t.get().tensor()]);
    }
    obj.try_iter()?.map(|o| Ok(o?.cast::<PyTensor>()?.get().tensor())).collect()
}

/// The shared body of `backward` and `autograd.grad`.
#[allow(clippy::too_many_arguments)]
fn run_backward(py: Python<'_>, outputs: Vec<Tensor>, grads: &Bound<'_, PyTuple>, keep_graph: bool, create_graph: bool, inputs: Option<Vec<Tensor>>, accumulate: bool, allow_unused: bool) -> PyResult<Vec<Option<Tensor>>> {
    if grads.len() != outputs.len() {
        return Err(PyRuntimeError::new_err(format!("got {} tensors and {} gradients", outputs.len(), grads.len())));
    }
    let mut roots = Vec::with_capacity(outputs.len());
    for (i, (out, g)) in outputs.iter().zip(grads.iter()).enumerate() {
        let Some(edge) = out.gradient_edge() else {
            return Err(PyRuntimeError::new_err(format!("element {} of tensors does not require grad and does not have a grad_fn", i)));
        };
        let grad = if g.is_none() {
            if out.numel() != 1 {
                return Err(PyRuntimeError::new_err("grad can be implicitly created only for scalar outputs"));
            }
            Tensor::full(out.shape(), crate::dtype::Scalar::Int(1), out.dtype)?
        } else {
            let g = g.cast::<PyTensor>()?.get().tensor();
            if g.shape() != out.shape() {
                return Err(PyRuntimeError::new_err(format!(
                    "Mismatch in shape: grad_output[{i}] has a shape of {} and output[{i}] has a shape of {}.",
                    size_object(py, g.shape())?.repr()?,
                    size_object(py, out.shape())?.repr()?
                )));
            }
            if g.dtype != out.dtype {
                g.to_dtype(out.dtype)?
            } else {
                g
            }
        };
        roots.push((edge, grad));
    }
    if let Some(inputs) = &inputs {
        if inputs.iter().any(|t| !t.requires_grad()) {
            return Err(PyRuntimeError::new_err("One of the differentiated Tensors does not require grad"));
        }
    }
    let pass = Pass { roots, keep_graph, create_graph, inputs, accumulate };
    PENDING_PY_ERR.with(|p| p.borrow_mut().take());
    let result = py.detach(move || engine::run(pass)).map_err(unstash)?;
    if !allow_unused {
        if let Some(i) = result.iter().position(|g| g.is_none()) {
            return Err(PyRuntimeError::new_err(format!(
                "The differentiated Tensor at index {} appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
                i
            )));
        }
    }
    Ok(result)
}

/// `torch.autograd.backward` (accumulate=True) and `torch.autograd.grad` (accumulate=False).
#[pyfunction]
#[pyo3(signature = (outputs, grad_outputs, keep_graph, create_graph, inputs=None, allow_unused=false, accumulate=true))]
#[allow(clippy::too_many_arguments)]
fn _run_backward(py: Python<'_>, outputs: &Bound<'_, PyAny>, grad_outputs: &Bound<'_, PyTuple>, keep_graph: bool, create_graph: bool, inputs: Option<&Bound<'_, PyAny>>, allow_unused: bool, accumulate: bool) -> PyResult<Py<PyTuple>> {
    let outputs = tensor_list(outputs)?;
    let inputs = inputs.map(tensor_list).transpose()?;
    let result = run_backward(py, outputs, grad_outputs, keep_graph, create_graph, inputs, accumulate, allow_unused)?;
    let items = result.into_iter().map(|g| g.map(|g| wrap(py, g)).transpose()).collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.unbind())
}

/// The handle `register_hook` returns.
#[pyclass(module = "rustorch.utils.hooks", frozen)]
pub struct RemovableHandle {
    meta: Weak<AutogradMeta>,
    id: u64,
}

#[pymethods]
impl RemovableHandle {
    fn remove(&self) {
        if let Some(m) = self.meta.upgrade() {
            m.remove_hook(self.id);
        }
    }
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __exit__(&self, _a: Option<&Bound<'_, PyAny>>, _b: Option<&Bound<'_, PyAny>>, _c: Option<&Bound<'_, PyAny>>) {
        self.remove();
    }
}

/// A graph node as a Python object. Each node name gets its own subclass (`AddBackward0`), as
/// in PyTorch, so `type(t.grad_fn).__name__` is the node's name.
#[pyclass(name = "Node", module = "rustorch.autograd.graph", subclass, frozen, weakref)]
pub struct PyNode {
    node: std::sync::OnceLock<Arc<Node>>,
}

impl PyNode {
    fn node(&self) -> PyResult<&Arc<Node>> {
        self.node.get().ok_or_else(|| PyTypeError::new_err("Node objects are created by autograd"))
    }
}

#[pymethods]
impl PyNode {
    #[new]
    fn py_new() -> PyNode {
        PyNode { node: std::sync::OnceLock::new() }
    }
    fn name(&self) -> PyResult<String> {
        Ok(self.node()?.name.to_string())
    }
    #[getter]
    fn next_functions(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        next_functions(py, self.node()?)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(format!("<{} object at {:#x}>", slf.get_type().name()?, slf.as_ptr() as usize))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match (self.node.get(), other.cast::<PyNode>().ok().and_then(|o| o.get().node.get().cloned())) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, &b),
            _ => false,
        }
    }
    fn __hash__(&self) -> isize {
        self.node.get().map_or(0, |n| Arc::as_ptr(n) as isize)
    }
}

pub fn next_functions(py: Python<'_>, node: &Arc<Node>) -> PyResult<Py<PyTuple>> {
    let items = node
        .next
        .iter()
        .map(|e| -> PyResult<Bound<'_, PyTuple>> {
            match e {
                Some(e) => PyTuple::new(py, [node_object(py, &e.node)?, e.input_nr.into_pyobject(py)?.into_any().unbind()]),
                None => PyTuple::new(py, [py.None(), 0usize.into_pyobject(py)?.into_any().unbind()]),
            }
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.unbind())
}

static NODE_CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// A node's Python object, kept weakly so the node does not keep it alive (nor it the node).
struct CachedObject(Py<PyWeakrefReference>);

/// The Python object for a node: a custom Function's ctx, else an instance of the node's class
/// (the same object while it lives, so `t.grad_fn is t.grad_fn`).
pub fn node_object(py: Python<'_>, node: &Arc<Node>) -> PyResult<Py<PyAny>> {
    if let Some(any) = node.python.lock().unwrap().as_ref() {
        if let Some(ctx) = any.downcast_ref::<Py<PyAny>>() {
            return Ok(ctx.clone_ref(py));
        }
        if let Some(obj) = any.downcast_ref::<CachedObject>().and_then(|c| c.0.bind(py).upgrade()) {
            return Ok(obj.unbind());
        }
    }
    let classes = NODE_CLASSES.get_or_init(py, || PyDict::new(py).unbind()).bind(py);
    let short = node.name.rsplit("::").next().unwrap_or(&node.name).to_string();
    let cls = match classes.get_item(&short)? {
        Some(c) => c,
        None => {
            let ns = PyDict::new(py);
            ns.set_item("__module__", "torch.autograd.graph")?;
            let c = py.get_type::<PyType>().call1((&short, (py.get_type::<PyNode>(),), ns))?;
            classes.set_item(&short, &c)?;
            c
        }
    };
    let obj = cls.call0()?;
    let _ = obj.cast::<PyNode>()?.get().node.set(node.clone());
    *node.python.lock().unwrap() = Some(Box::new(CachedObject(PyWeakrefReference::new(&obj)?.unbind())));
    Ok(obj.unbind())
}

#[pyfunction]
fn _set_grad_enabled(enabled: bool) -> bool {
    grad_mode::set_enabled(enabled)
}
#[pyfunction]
fn is_grad_enabled() -> bool {
    grad_mode::is_enabled()
}
#[pyfunction]
fn _set_inference_mode(enabled: bool) -> bool {
    grad_mode::set_inference_mode(enabled)
}
#[pyfunction]
fn is_inference_mode_enabled() -> bool {
    grad_mode::is_inference_mode()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNode>()?;
    m.add_class::<RemovableHandle>()?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_inference_mode, m)?)?;
    m.add_function(wrap_pyfunction!(is_inference_mode_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_run_backward, m)?)?;
    super::function::register(m)?;
    Ok(())
}
