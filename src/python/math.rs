//! Arithmetic, comparison and unary-math methods of `Tensor`, including every Python operator
//! with its reflected and in-place forms.
use super::args;
use super::tensor::{wrap, PyTensor};
use crate::dtype::Scalar;
use super::autograd::commit;
use crate::autograd::derivatives::binary::{add_scaled, add_scaled_, binary, binary_};
use crate::autograd::derivatives::unary::{unary, unary_};
use crate::ops::binary::{BinOp, Other};
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

/// Result of a binary dunder: NotImplemented for foreign operands, so Python tries the other side.
fn dunder(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinOp, reflected: bool) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let Some(o) = args::other(other) else {
        return Ok(py.NotImplemented());
    };
    let me = slf.get().tensor();
    let r = if reflected {
        let lhs = match o {
            Other::Tensor(t) => t,
            Other::Scalar(s) => scalar_like(s, &me)?,
        };
        binary(op, &lhs, &Other::Tensor(me))?
    } else {
        binary(op, &me, &o)?
    };
    Ok(wrap(py, r)?.into_any())
}

/// A Python number on the left of an operator becomes a 0-dim tensor that promotes as a scalar.
fn scalar_like(s: Scalar, _like: &Tensor) -> PyResult<Tensor> {
    let dtype = s.natural_dtype(crate::default_dtype::get());
    Ok(Tensor::scalar(s, dtype)?)
}

fn inplace<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, op: BinOp) -> PyResult<Bound<'py, PyTensor>> {
    let mut t = slf.get().tensor();
    binary_(op, &mut t, &args::other_or_err(other)?)?;
    commit(slf.get(), t);
    Ok(slf.clone())
}

macro_rules! binary_methods {
    ($($name:ident, $rname:ident, $iname:ident => $op:expr;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    dunder(slf, other, $op, false)
                }
                fn $rname(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    dunder(slf, other, $op, true)
                }
                fn $iname(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                    inplace(slf, other, $op).map(|_| ())
                }
            )*
        }
    };
}

binary_methods! {
    __add__, __radd__, __iadd__ => BinOp::Add;
    __sub__, __rsub__, __isub__ => BinOp::Sub;
    __mul__, __rmul__, __imul__ => BinOp::Mul;
    __truediv__, __rtruediv__, __itruediv__ => BinOp::Div;
    __floordiv__, __rfloordiv__, __ifloordiv__ => BinOp::FloorDiv;
    __mod__, __rmod__, __imod__ => BinOp::Rem;
    __and__, __rand__, __iand__ => BinOp::BitAnd;
    __or__, __ror__, __ior__ => BinOp::BitOr;
    __xor__, __rxor__, __ixor__ => BinOp::BitXor;
}

/// Methods `x.op(other)` and in-place `x.op_(other)` that share a kernel with an operator.
macro_rules! named_binary_methods {
    ($($name:ident, $iname:ident => $op:expr;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
                    wrap(py, binary($op, &self.tensor(), &args::other_or_err(other)?)?)
                }
                fn $iname<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    inplace(slf, other, $op)
                }
            )*
        }
    };
}

named_binary_methods! {
    mul, mul_ => BinOp::Mul;
    multiply, multiply_ => BinOp::Mul;
    remainder, remainder_ => BinOp::Rem;
    floor_divide, floor_divide_ => BinOp::FloorDiv;
    pow, pow_ => BinOp::Pow;
    maximum, maximum_ => BinOp::Maximum;
    minimum, minimum_ => BinOp::Minimum;
    atan2, atan2_ => BinOp::Atan2;
    bitwise_and, bitwise_and_ => BinOp::BitAnd;
    bitwise_or, bitwise_or_ => BinOp::BitOr;
    bitwise_xor, bitwise_xor_ => BinOp::BitXor;
    eq, eq_ => BinOp::Eq;
    ne, ne_ => BinOp::Ne;
    lt, lt_ => BinOp::Lt;
    le, le_ => BinOp::Le;
    gt, gt_ => BinOp::Gt;
    ge, ge_ => BinOp::Ge;
}

fn div_op(rounding_mode: Option<&str>) -> PyResult<BinOp> {
    match rounding_mode {
        None => Ok(BinOp::Div),
        Some("floor") => Ok(BinOp::FloorDiv),
        Some("trunc") => Ok(BinOp::TruncDiv),
        Some(other) => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{}'",
            other
        ))),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (other, *, alpha=None))]
    fn add(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, add_scaled(&self.tensor(), &args::other_or_err(other)?, alpha_arg(alpha), false)?)
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        add_scaled_(&mut t, &args::other_or_err(other)?, alpha_arg(alpha), false)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, add_scaled(&self.tensor(), &args::other_or_err(other)?, alpha_arg(alpha), true)?)
    }
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        add_scaled_(&mut t, &args::other_or_err(other)?, alpha_arg(alpha), true)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>) -> PyResult<Py<PyTensor>> {
        wrap(py, binary(div_op(rounding_mode)?, &self.tensor(), &args::other_or_err(other)?)?)
    }
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, rounding_mode: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        binary_(div_op(rounding_mode)?, &mut t, &args::other_or_err(other)?)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>) -> PyResult<Py<PyTensor>> {
        self.div(py, other, rounding_mode)
    }
    fn true_divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        self.div(py, other, None)
    }

    fn __richcmp__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let op = match op {
            CompareOp::Eq => BinOp::Eq,
            CompareOp::Ne => BinOp::Ne,
            CompareOp::Lt => BinOp::Lt,
            CompareOp::Le => BinOp::Le,
            CompareOp::Gt => BinOp::Gt,
            CompareOp::Ge => BinOp::Ge,
        };
        dunder(slf, other, op, false)
    }
    /// Tensors hash by identity, as in PyTorch (they are usable as dict keys).
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn __pow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        dunder(slf, other, BinOp::Pow, false)
    }
    fn __rpow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        dunder(slf, other, BinOp::Pow, true)
    }
    fn __ipow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, _modulo: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        inplace(slf, other, BinOp::Pow).map(|_| ())
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, unary(UnaryOp::Neg, &self.tensor())?)
    }
    fn __pos__(slf: &Bound<'_, Self>) -> Py<PyTensor> {
        slf.clone().unbind()
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, unary(UnaryOp::Abs, &self.tensor())?)
    }
}

fn alpha_arg(alpha: Option<&Bound<'_, PyAny>>) -> Scalar {
    alpha.and_then(args::scalar).unwrap_or(Scalar::Int(1))
}

/// Every op of the unary table becomes `x.op()` and `x.op_()`; `rustorch.op` is `Tensor.op`.
macro_rules! unary_pymethods {
    ($( $variant:ident, $name:ident, $iname:ident, $rule:ident, |$x:ident| $formula:expr; )*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
                    wrap(py, unary(UnaryOp::$variant, &self.tensor())?)
                }
                fn $iname<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    let mut t = slf.get().tensor();
                    unary_(UnaryOp::$variant, &mut t)?;
                    commit(slf.get(), t);
                    Ok(slf.clone())
                }
            )*
        }
    };
}
crate::for_each_unary_op!(unary_pymethods);

#[pyfunction]
fn _unary_op_names() -> Vec<&'static str> {
    UnaryOp::ALL.iter().map(|o| o.name()).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_unary_op_names, m)?)?;
    Ok(())
}
