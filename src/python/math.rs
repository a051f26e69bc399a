//! Arithmetic, comparison and unary-math methods of `Tensor`, including every Python operator
//! with its reflected and in-place forms.
use super::args;
use super::tensor::{wrap, PyTensor};
use crate::dtype::Scalar;
use super::autograd::commit;
use crate::autograd::derivatives::binary::{add_scaled, add_scaled_, binary, binary_, binary_scalar_lhs};
use crate::autograd::derivatives::ternary;
use crate::autograd::derivatives::unary::{self, unary, unary_, Predicate};
use crate::ops::binary::{BinOp, Other};
use crate::ops::compare;
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

/// Result of a binary dunder: NotImplemented for foreign operands, so Python tries the other side.
fn dunder(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinOp, reflected: bool) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let Some(o) = args::other(other) else {
        if let Some(err) = args::int_too_big(other) {
            return Err(err);
        }
        return Ok(py.NotImplemented());
    };
    let me = slf.get().tensor();
    let r = match (reflected, o) {
        (false, o) => binary(op, &me, &o)?,
        (true, Other::Scalar(s)) => binary_scalar_lhs(op, s, &me)?,
        (true, Other::Tensor(t)) => binary(op, &t, &Other::Tensor(me))?,
    };
    Ok(wrap(py, r)?.into_any())
}

/// The ops whose schema takes `Tensor other` only (no Scalar overload): a Python number is a
/// TypeError in PyTorch's argument parser, as `torch.maximum(t, 0.5)` shows.
fn check_tensor_only(op: BinOp, name: &str, other: &Bound<'_, PyAny>) -> PyResult<()> {
    let tensor_only = matches!(
        op,
        BinOp::Maximum | BinOp::Minimum | BinOp::Fmax | BinOp::Fmin | BinOp::Atan2 | BinOp::Hypot
            | BinOp::LogicalAnd | BinOp::LogicalOr | BinOp::LogicalXor
    );
    if tensor_only && !other.is_instance_of::<PyTensor>() {
        let name = name.trim_end_matches('_');
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{}(): argument 'other' (position 1) must be Tensor, not {}",
            name,
            other.get_type().name()?
        )));
    }
    Ok(())
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
    __lshift__, __rlshift__, __ilshift__ => BinOp::Shl;
    __rshift__, __rrshift__, __irshift__ => BinOp::Shr;
}

/// Methods `x.op(other)` and in-place `x.op_(other)` that share a kernel with an operator
/// (maximum/minimum/fmax/fmin have no in-place method in PyTorch).
macro_rules! named_binary_methods {
    ($($name:ident $(, $iname:ident)? => $op:expr;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
                    check_tensor_only($op, stringify!($name), other)?;
                    wrap(py, binary($op, &self.tensor(), &args::other_or_err(other)?)?)
                }
                $(fn $iname<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    check_tensor_only($op, stringify!($iname), other)?;
                    inplace(slf, other, $op)
                })?
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
    float_power, float_power_ => BinOp::FloatPower;
    maximum => BinOp::Maximum;
    minimum => BinOp::Minimum;
    fmax => BinOp::Fmax;
    fmin => BinOp::Fmin;
    fmod, fmod_ => BinOp::Fmod;
    atan2, atan2_ => BinOp::Atan2;
    hypot, hypot_ => BinOp::Hypot;
    copysign, copysign_ => BinOp::Copysign;
    bitwise_and, bitwise_and_ => BinOp::BitAnd;
    bitwise_or, bitwise_or_ => BinOp::BitOr;
    bitwise_xor, bitwise_xor_ => BinOp::BitXor;
    bitwise_left_shift, bitwise_left_shift_ => BinOp::Shl;
    bitwise_right_shift, bitwise_right_shift_ => BinOp::Shr;
    logical_and, logical_and_ => BinOp::LogicalAnd;
    logical_or, logical_or_ => BinOp::LogicalOr;
    logical_xor, logical_xor_ => BinOp::LogicalXor;
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
    fn true_divide_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        inplace(slf, other, BinOp::Div)
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
    fn __pos__(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        unary::check_positive(&slf.get().tensor())?;
        Ok(slf.clone().unbind())
    }
    fn positive(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        Self::__pos__(slf)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, unary::bitwise_not(&self.tensor(), false)?)
    }
    fn bitwise_not(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, unary::bitwise_not(&self.tensor(), false)?)
    }
    fn bitwise_not_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        unary::bitwise_not(&slf.get().tensor(), true)?;
        Ok(slf.clone())
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
    ($( $variant:ident, $name:ident, $iname:ident, $rule:ident, $wgsl:literal, |$x:ident| $formula:expr $(, |$v:ident| $iformula:expr)?; )*) => {
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

/// Bool-valued elementwise tests: `x.isnan()` and friends.
macro_rules! predicate_methods {
    ($($name:ident => $p:expr;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
                    wrap(py, unary::predicate($p, &self.tensor())?)
                }
            )*
        }
    };
}
predicate_methods! {
    isnan => Predicate::IsNan;
    isinf => Predicate::IsInf;
    isposinf => Predicate::IsPosInf;
    isneginf => Predicate::IsNegInf;
    isfinite => Predicate::IsFinite;
    signbit => Predicate::SignBit;
    logical_not => Predicate::LogicalNot;
}

/// A clamp bound: a number, a tensor, or None.
fn bound(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Other>> {
    match obj {
        Some(o) if !o.is_none() => args::other_or_err(o).map(Some),
        _ => Ok(None),
    }
}

fn tensor_arg(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    match args::other_or_err(obj)? {
        Other::Tensor(t) => Ok(t),
        Other::Scalar(s) => Ok(Tensor::scalar(s, s.natural_dtype(crate::default_dtype::get()))?),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (min=None, max=None))]
    fn clamp(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, ternary::clamp(&self.tensor(), bound(min)?.as_ref(), bound(max)?.as_ref())?)
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        ternary::clamp_(&mut t, bound(min)?.as_ref(), bound(max)?.as_ref())?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        self.clamp(py, min, max)
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        Self::clamp_(slf, min, max)
    }
    fn clamp_min(&self, py: Python<'_>, min: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        wrap(py, ternary::clamp_min(&self.tensor(), &args::other_or_err(min)?)?)
    }
    fn clamp_min_<'py>(slf: &Bound<'py, Self>, min: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        ternary::clamp_(&mut t, Some(&args::other_or_err(min)?), None)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn clamp_max(&self, py: Python<'_>, max: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        wrap(py, ternary::clamp_max(&self.tensor(), &args::other_or_err(max)?)?)
    }
    fn clamp_max_<'py>(slf: &Bound<'py, Self>, max: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        ternary::clamp_(&mut t, None, Some(&args::other_or_err(max)?))?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }

    /// `x.where(condition, y)` is `where(condition, x, y)`.
    #[pyo3(name = "where")]
    fn where_method(&self, py: Python<'_>, condition: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let x = Other::Tensor(self.tensor());
        wrap(py, crate::autograd::derivatives::ternary::where_(&tensor_arg(condition)?, &x, &args::other_or_err(y)?)?)
    }

    #[pyo3(signature = (decimals=0))]
    fn round(&self, py: Python<'_>, decimals: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, unary::round(&self.tensor(), decimals, false)?)
    }
    #[pyo3(signature = (decimals=0))]
    fn round_<'py>(slf: &Bound<'py, Self>, decimals: i64) -> PyResult<Bound<'py, Self>> {
        unary::round(&slf.get().tensor(), decimals, true)?;
        Ok(slf.clone())
    }
    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num(&self, py: Python<'_>, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Py<PyTensor>> {
        wrap(py, unary::nan_to_num(&self.tensor(), nan, posinf, neginf, false)?)
    }
    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num_<'py>(slf: &Bound<'py, Self>, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, Self>> {
        unary::nan_to_num(&slf.get().tensor(), nan, posinf, neginf, true)?;
        Ok(slf.clone())
    }
    #[pyo3(signature = (eps=None))]
    fn logit(&self, py: Python<'_>, eps: Option<f64>) -> PyResult<Py<PyTensor>> {
        wrap(py, unary::logit(&self.tensor(), eps, false)?)
    }
    #[pyo3(signature = (eps=None))]
    fn logit_<'py>(slf: &Bound<'py, Self>, eps: Option<f64>) -> PyResult<Bound<'py, Self>> {
        unary::logit(&slf.get().tensor(), eps, true)?;
        Ok(slf.clone())
    }
    fn logical_not_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        unary::logical_not_(&slf.get().tensor())?;
        Ok(slf.clone())
    }
    fn isreal(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, Tensor::full(self.tensor().shape(), Scalar::Bool(true), crate::dtype::DType::Bool)?)
    }

    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn isclose(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<Py<PyTensor>> {
        wrap(py, compare::isclose(&self.tensor(), &tensor_arg(other)?, rtol, atol, equal_nan)?)
    }
    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn allclose(&self, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<bool> {
        Ok(compare::allclose(&self.tensor(), &tensor_arg(other)?, rtol, atol, equal_nan)?)
    }
    fn equal(&self, other: PyRef<'_, PyTensor>) -> PyResult<bool> {
        Ok(compare::equal(&self.tensor(), &other.tensor())?)
    }
}

/// `torch.where(condition, input, other)`; with the condition alone it is `nonzero(as_tuple=True)`.
#[pyfunction]
#[pyo3(name = "where", signature = (condition, input=None, other=None))]
fn where_fn(py: Python<'_>, condition: &Bound<'_, PyAny>, input: Option<&Bound<'_, PyAny>>, other: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    match (input, other) {
        (Some(x), Some(y)) => {
            let r = crate::autograd::derivatives::ternary::where_(&tensor_arg(condition)?, &args::other_or_err(x)?, &args::other_or_err(y)?)?;
            Ok(wrap(py, r)?.into_any())
        }
        (None, None) => {
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("as_tuple", true)?;
            Ok(condition.call_method("nonzero", (), Some(&kwargs))?.unbind())
        }
        _ => Err(pyo3::exceptions::PyTypeError::new_err("where() takes 1 or 3 arguments: (condition, input, other)")),
    }
}

/// `torch.pow` / `torch.float_power`, whose first argument may be a number (`pow(2, t)`).
fn function_binary(py: Python<'_>, op: BinOp, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let r = match (args::other_or_err(input)?, args::other_or_err(other)?) {
        (Other::Tensor(t), o) => binary(op, &t, &o)?,
        (Other::Scalar(s), Other::Tensor(t)) => binary_scalar_lhs(op, s, &t)?,
        (Other::Scalar(_), Other::Scalar(_)) => {
            return Err(pyo3::exceptions::PyTypeError::new_err("pow() received an invalid combination of arguments: at least one argument must be a Tensor"))
        }
    };
    wrap(py, r)
}

#[pyfunction]
fn pow(py: Python<'_>, input: &Bound<'_, PyAny>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    function_binary(py, BinOp::Pow, input, exponent)
}

#[pyfunction]
fn float_power(py: Python<'_>, input: &Bound<'_, PyAny>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    function_binary(py, BinOp::FloatPower, input, exponent)
}

#[pyfunction]
fn _unary_op_names() -> Vec<&'static str> {
    UnaryOp::ALL.iter().map(|o| o.name()).collect()
}

/// The unary ops whose table row carries a GPU kernel (f32).
#[pyfunction]
fn _gpu_unary_op_names() -> Vec<&'static str> {
    UnaryOp::ALL.iter().filter(|o| o.wgsl().is_some()).map(|o| o.name()).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_unary_op_names, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_unary_op_names, m)?)?;
    m.add_function(wrap_pyfunction!(where_fn, m)?)?;
    m.add_function(wrap_pyfunction!(pow, m)?)?;
    m.add_function(wrap_pyfunction!(float_power, m)?)?;
    Ok(())
}
