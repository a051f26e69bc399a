//! Complex tensors: views of their parts (`real`, `imag`, `view_as_real`), construction from
//! parts (`complex`, `polar`), and the complex kernels of the elementwise, reduction and matmul
//! families. Reductions and matmul work on the real parts with the real kernels; every other op
//! refuses complex dtypes with PyTorch's "not implemented" error.
use super::binary::BinOp;
use super::unary::UnaryOp;
use crate::backend::cpu::map;
use crate::complex::{Complex, Part};
use crate::dtype::{not_implemented_for, DType, Element};
use crate::error::{runtime, Error, Result};
use crate::layout::{broadcast_shapes, Layout};
use crate::tensor::Tensor;

/// Runs `$body` with `$F` bound to the part type (f32, f64) of a complex `$dtype`.
macro_rules! with_part {
    ($dtype:expr, $F:ident => $body:expr) => {
        match $dtype {
            DType::Complex64 => { type $F = f32; $body }
            DType::Complex128 => { type $F = f64; $body }
            other => return Err(not_implemented_for("complex kernel", other)),
        }
    };
}

/// The view of part `k` (0: real, 1: imaginary) of a complex tensor.
fn part(t: &Tensor, k: usize) -> Tensor {
    let layout = Layout {
        shape: t.layout.shape.clone(),
        strides: t.layout.strides.iter().map(|s| s * 2).collect(),
        offset: t.layout.offset * 2 + k,
    };
    Tensor::from_storage(t.storage.clone(), layout, t.dtype.to_real())
}

fn expect_complex(op: &str, t: &Tensor) -> Result<()> {
    if !t.dtype.is_complex() {
        return runtime(format!("{} is only supported for complex tensors, got {}", op, t.dtype.type_label()));
    }
    Ok(())
}

/// `view_as_real`: a complex tensor as a real one with a trailing dim of 2.
pub fn view_as_real(t: &Tensor) -> Result<Tensor> {
    expect_complex("view_as_real", t)?;
    let mut shape = t.layout.shape.clone();
    shape.push(2);
    let mut strides: crate::layout::Strides = t.layout.strides.iter().map(|s| s * 2).collect();
    strides.push(1);
    let layout = Layout { shape, strides, offset: t.layout.offset * 2 };
    Ok(Tensor::from_storage(t.storage.clone(), layout, t.dtype.to_real()))
}

/// `view_as_complex`: a float tensor whose last dim is (real, imaginary) pairs, as complex.
pub fn view_as_complex(t: &Tensor) -> Result<Tensor> {
    if !matches!(t.dtype, DType::F32 | DType::F64) {
        return runtime(format!("view_as_complex is only supported for float and double tensors, but got a tensor of scalar type: {}", t.dtype.type_label()));
    }
    let n = t.ndim();
    if n == 0 || t.shape()[n - 1] != 2 {
        return runtime("Tensor must have a last dimension of size 2");
    }
    if t.strides()[n - 1] != 1 {
        return runtime("Tensor must have a last dimension with stride 1");
    }
    if t.strides()[..n - 1].iter().any(|s| s % 2 != 0) {
        return runtime("Tensor must have a stride divisible by 2 for all but last dimension");
    }
    if t.layout.offset % 2 != 0 {
        return runtime("Tensor must have a storage_offset divisible by 2");
    }
    let layout = Layout {
        shape: t.shape()[..n - 1].into(),
        strides: t.strides()[..n - 1].iter().map(|s| s / 2).collect(),
        offset: t.layout.offset / 2,
    };
    Ok(Tensor::from_storage(t.storage.clone(), layout, t.dtype.to_complex()))
}

/// `Tensor.real`: a view of the real parts (a real tensor is its own real part).
pub fn real(t: &Tensor) -> Tensor {
    if t.dtype.is_complex() {
        part(t, 0)
    } else {
        t.clone()
    }
}

/// `Tensor.imag`: a view of the imaginary parts.
pub fn imag(t: &Tensor) -> Result<Tensor> {
    if !t.dtype.is_complex() {
        return runtime("imag is not implemented for tensors with non-complex dtypes.");
    }
    Ok(part(t, 1))
}

/// `torch.complex(real, imag)`: both float or both double, broadcast together.
pub fn from_parts(re: &Tensor, im: &Tensor) -> Result<Tensor> {
    if re.dtype != im.dtype {
        return runtime(format!("Expected object of scalar type {} but got scalar type {} for second argument", re.dtype.type_label(), im.dtype.type_label()));
    }
    if !matches!(re.dtype, DType::F32 | DType::F64) {
        return Err(Error::NotImplemented(format!("\"complex_cpu\" not implemented for '{}'", re.dtype.type_label())));
    }
    let shape = broadcast_shapes(re.shape(), im.shape())?;
    let out = Tensor::empty(&shape, re.dtype.to_complex())?;
    part(&out, 0).copy_(re)?;
    part(&out, 1).copy_(im)?;
    Ok(out)
}

/// `torch.polar(abs, angle)`: abs * (cos(angle) + i sin(angle)).
pub fn polar(abs: &Tensor, angle: &Tensor) -> Result<Tensor> {
    if abs.dtype != angle.dtype || !matches!(abs.dtype, DType::F32 | DType::F64) {
        return from_parts(abs, angle);
    }
    let shape = broadcast_shapes(abs.shape(), angle.shape())?;
    let out = Tensor::empty(&shape, abs.dtype.to_complex())?;
    let (r, a) = (abs.broadcast_to(&shape)?, angle.broadcast_to(&shape)?);
    with_part!(out.dtype, F => map::binary_into::<F, F, Complex<F>>(&out, &r, &a, |r: F, a: F| Complex::new(r * a.cos(), r * a.sin())));
    Ok(out)
}

/// Complex elementwise ops that keep the dtype: neg, exp, log, sqrt, reciprocal, square; the
/// others raise PyTorch's "not implemented" error.
pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(a.shape(), a.dtype)?;
    with_part!(a.dtype, F => {
        let f: fn(Complex<F>) -> Complex<F> = match op {
            UnaryOp::Neg => Complex::neg,
            UnaryOp::Exp => Complex::exp,
            UnaryOp::Log => Complex::ln,
            UnaryOp::Sqrt => Complex::sqrt,
            UnaryOp::Reciprocal => |z| Complex::new(1.0, 0.0).div(z),
            UnaryOp::Square => |z| z.mul(z),
            _ => return Err(not_implemented_for(&format!("{}_cpu", op.name()), a.dtype)),
        };
        map::unary_into::<Complex<F>, Complex<F>>(&out, a, f)
    });
    Ok(out)
}

/// `conj`: a new tensor with negated imaginary parts (PyTorch returns a lazy view; the values
/// are the same, and `is_conj()` is False here).
pub fn conj(a: &Tensor) -> Result<Tensor> {
    if !a.dtype.is_complex() {
        return Ok(a.clone());
    }
    let out = Tensor::empty(a.shape(), a.dtype)?;
    with_part!(a.dtype, F => map::unary_into::<Complex<F>, Complex<F>>(&out, a, Complex::conj));
    Ok(out)
}

/// `abs` and `angle` of a complex tensor: real results of the part precision.
pub fn abs_or_angle(a: &Tensor, angle: bool) -> Result<Tensor> {
    let out = Tensor::empty(a.shape(), a.dtype.to_real())?;
    with_part!(a.dtype, F => {
        if angle {
            map::unary_into::<Complex<F>, F>(&out, a, Complex::angle)
        } else {
            map::unary_into::<Complex<F>, F>(&out, a, Complex::abs)
        }
    });
    Ok(out)
}

/// `out = op(a, b)` for complex `a`, `b` of out's shape (already in the compute dtype).
pub fn binary_into(op: BinOp, out: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
    with_part!(a.dtype, F => binary_typed::<F>(op, out, a, b))
}

fn binary_typed<F: Part>(op: BinOp, out: &Tensor, a: &Tensor, b: &Tensor) -> Result<()>
where
    Complex<F>: Element,
{
    type Z<F> = Complex<F>;
    let arith: fn(Z<F>, Z<F>) -> Z<F> = match op {
        BinOp::Add => Z::add,
        BinOp::Sub => Z::sub,
        BinOp::Mul => Z::mul,
        BinOp::Div => Z::div,
        BinOp::Pow => Z::pow,
        BinOp::Eq => {
            map::binary_into::<Z<F>, Z<F>, bool>(out, a, b, |x, y| x == y);
            return Ok(());
        }
        BinOp::Ne => {
            map::binary_into::<Z<F>, Z<F>, bool>(out, a, b, |x, y| x != y);
            return Ok(());
        }
        _ => return Err(not_implemented_for(&format!("{}_cpu", binary_kernel_name(op)), a.dtype)),
    };
    map::binary_into::<Z<F>, Z<F>, Z<F>>(out, a, b, arith);
    Ok(())
}

fn binary_kernel_name(op: BinOp) -> String {
    format!("{:?}", op).to_lowercase()
}

/// `sum`/`mean` of a complex tensor: the reductions of its real and imaginary parts.
pub fn reduce_parts(t: &Tensor, reduce: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let (re, im) = (reduce(&part(t, 0))?, reduce(&part(t, 1))?);
    from_parts(&re, &im)
}

/// `matmul` of complex tensors through four real products:
/// (A + iB)(C + iD) = (AC - BD) + i(AD + BC).
pub fn matmul(a: &Tensor, b: &Tensor, real_matmul: impl Fn(&Tensor, &Tensor) -> Result<Tensor>) -> Result<Tensor> {
    if a.dtype != b.dtype {
        return runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            a.dtype.name(),
            b.dtype.name()
        ));
    }
    let (ar, ai, br, bi) = (part(a, 0), part(a, 1), part(b, 0), part(b, 1));
    let re = super::binary::binary(BinOp::Sub, &real_matmul(&ar, &br)?, &super::binary::Other::Tensor(real_matmul(&ai, &bi)?))?;
    let im = super::binary::binary(BinOp::Add, &real_matmul(&ar, &bi)?, &super::binary::Other::Tensor(real_matmul(&ai, &br)?))?;
    from_parts(&re, &im)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_views_and_complex_rebuilds_them() {
        let re = Tensor::from_vec(vec![1.0f32, 3.0], &[2]).unwrap();
        let im = Tensor::from_vec(vec![2.0f32, -1.0], &[2]).unwrap();
        let z = from_parts(&re, &im).unwrap();
        assert_eq!(z.dtype, DType::Complex64);
        assert_eq!(imag(&z).unwrap().to_vec::<f32>().unwrap(), vec![2.0, -1.0]);
        assert_eq!(view_as_real(&z).unwrap().shape(), &[2, 2]);
        let back = view_as_complex(&view_as_real(&z).unwrap()).unwrap();
        assert_eq!(back.to_vec::<Complex<f32>>().unwrap(), vec![Complex::new(1.0, 2.0), Complex::new(3.0, -1.0)]);
    }
}
