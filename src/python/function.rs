//! Custom autograd Functions (`torch.autograd.Function.apply`): the outputs of a Python
//! `forward` get a node whose backward calls the Function's Python `backward`.
use super::autograd::{next_functions, stash};
use super::tensor::{wrap, PyTensor};
use crate::autograd::grad_mode;
use crate::autograd::graph::{attach, BackwardFn, Ctx, Grads, Node, SavedTensor, TensorMeta, ERR_BACKWARD_TWICE};
use crate::dtype::DType;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use smallvec::SmallVec;
use std::sync::{Arc, Mutex, Weak};

/// The tensors a Function saved with `ctx.save_for_backward` (None entries stay None).
struct Saved {
    tensors: Mutex<Vec<Option<SavedTensor>>>,
}

/// `ctx._handle`: the ctx's weak link to its node and saved tensors (the node owns the ctx).
#[pyclass(module = "rustorch.autograd.function", frozen)]
pub struct FunctionHandle {
    node: Weak<Node>,
    saved: Weak<Saved>,
}

#[pymethods]
impl FunctionHandle {
    fn saved_tensors(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        let (Some(node), Some(saved)) = (self.node.upgrade(), self.saved.upgrade()) else {
            return Err(PyRuntimeError::new_err(ERR_BACKWARD_TWICE));
        };
        let items = saved
            .tensors
            .lock()
            .unwrap()
            .iter()
            .map(|s| match s {
                Some(s) => Ok(wrap(py, s.unpack(&node)?)?.into_any()),
                None => Ok(py.None()),
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(py, items)?.unbind())
    }
    #[getter]
    fn next_functions(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        match self.node.upgrade() {
            Some(n) => next_functions(py, &n),
            None => Ok(PyTuple::empty(py).unbind()),
        }
    }
}

fn as_tensor(obj: &Bound<'_, PyAny>) -> Option<Tensor> {
    obj.cast::<PyTensor>().ok().map(|t| t.get().tensor())
}

fn contains(items: &Bound<'_, PyTuple>, obj: &Bound<'_, PyAny>) -> bool {
    items.iter().any(|i| i.is(obj))
}

/// Records the call `ctx`'s Function made: `inputs` are the `apply` arguments, `outputs` what
/// `forward` returned. Returns the outputs, now carrying the node as their grad_fn.
#[pyfunction]
fn _function_apply<'py>(
    ctx: Bound<'py, PyAny>,
    inputs: Bound<'py, PyTuple>,
    outputs: Bound<'py, PyTuple>,
    to_save: Bound<'py, PyTuple>,
    non_differentiable: Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = ctx.py();
    let input_tensors: Vec<Option<Tensor>> = inputs.iter().map(|a| as_tensor(&a)).collect();
    let records = grad_mode::is_enabled() && input_tensors.iter().flatten().any(|t| t.requires_grad());
    if !records {
        return Ok(outputs);
    }
    let placeholder = TensorMeta { shape: SmallVec::new(), dtype: DType::F32 };
    let meta_of = |t: &Option<Tensor>| t.as_ref().map_or_else(|| placeholder.clone(), TensorMeta::of);
    let next = input_tensors.iter().map(|t| t.as_ref().and_then(|t| t.gradient_edge())).collect();
    let output_tensors: Vec<Option<Tensor>> = outputs.iter().map(|o| as_tensor(&o)).collect();

    let saved_items = to_save
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.is_none() {
                return Ok(None);
            }
            let Some(t) = as_tensor(&s) else {
                return Err(PyTypeError::new_err(format!("save_for_backward can only save variables, but argument {} is of type {}", i, s.get_type().name()?)));
            };
            Ok(Some(match outputs.iter().position(|o| o.is(&s)) {
                Some(nr) => SavedTensor::output(&t, nr),
                None => SavedTensor::input(&t),
            }))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let releasable = !saved_items.is_empty();
    let saved = Arc::new(Saved { tensors: Mutex::new(saved_items) });

    let keep_saved = saved.clone();
    let backward: BackwardFn = Box::new(move |c: &Ctx, grads: &[Tensor]| {
        let _owns = &keep_saved;
        Python::attach(|py| -> PyResult<Grads> {
            let ctx = c.node.python.lock().unwrap().as_ref().and_then(|p| p.downcast_ref::<Py<PyAny>>()).map(|p| p.clone_ref(py)).expect("Function node keeps its ctx");
            let args = grads.iter().map(|g| wrap(py, g.clone())).collect::<PyResult<Vec<_>>>()?;
            let r = ctx.bind(py).call_method1("_call_backward", PyTuple::new(py, args)?)?;
            let items: Vec<Bound<'_, PyAny>> = match r.cast::<PyTuple>() {
                Ok(t) => t.iter().collect(),
                Err(_) => vec![r],
            };
            items
                .iter()
                .map(|g| {
                    if g.is_none() {
                        return Ok(None);
                    }
                    as_tensor(g).map(Some).ok_or_else(|| PyTypeError::new_err(format!("expected Tensor or None as a gradient, but got {}", g.get_type().name().map(|n| n.to_string()).unwrap_or_default())))
                })
                .collect()
        })
        .map_err(stash)
    });
    let name: String = ctx.get_type().name()?.to_string();
    let node = Node::function(
        name,
        next,
        input_tensors.iter().map(meta_of).collect(),
        output_tensors.iter().map(meta_of).collect(),
        backward,
        releasable,
    );
    *node.python.lock().unwrap() = Some(Box::new(ctx.clone().unbind()));
    ctx.setattr("_handle", FunctionHandle { node: Arc::downgrade(&node), saved: Arc::downgrade(&saved) })?;

    let results = outputs
        .iter()
        .enumerate()
        .map(|(i, o)| -> PyResult<Py<PyAny>> {
            let Some(t) = as_tensor(&o) else { return Ok(o.unbind()) };
            if contains(&non_differentiable, &o) || !t.dtype.is_float() {
                return Ok(o.unbind());
            }
            if contains(&inputs, &o) {
                // An input returned as is: the output is a new tensor sharing its memory.
                return Ok(wrap(py, attach(t.detach(), node.clone(), i))?.into_any());
            }
            o.cast::<PyTensor>()?.get().replace(attach(t, node.clone(), i));
            Ok(o.unbind())
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, results)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FunctionHandle>()?;
    m.add_function(wrap_pyfunction!(_function_apply, m)?)?;
    Ok(())
}
