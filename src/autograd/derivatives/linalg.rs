//! Differentiable matrix products (same functions as `crate::ops::linalg`).
use super::binary::{binary, mul};
use super::grads;
use super::shape::{matrix_t, matrix_transpose, reshape, squeeze, sum_to, transpose, unsqueeze};
use crate::autograd::graph::{any_requires_grad, record, BackwardFn, Ctx, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::binary::{BinOp, Other};
use crate::ops::linalg as plain;
use crate::tensor::Tensor;

pub use plain::Scale;

/// `g * s`, skipping the multiplication by 1.
fn scaled(g: Tensor, s: Scalar) -> Result<Tensor> {
    if s == Scalar::Int(1) {
        Ok(g)
    } else {
        binary(BinOp::Mul, &g, &Other::Scalar(s))
    }
}

/// A product's gradient formula for one operand: `grad_a(g, b, a_column_major)` or
/// `grad_b(a, g, b_column_major)`; the flag says how the differentiated operand is laid out.
type ProductGrad = fn(&Tensor, &Tensor, bool) -> Result<Tensor>;

/// A 2-D matrix stored column by column (a transposed contiguous one, like `weight.t()`).
fn column_major(t: &Tensor) -> bool {
    t.ndim() == 2 && t.strides()[0] == 1 && t.strides()[1] == t.shape()[0] as isize
}

/// A product `out = f(a, b)` with gradients `grad_a` and `grad_b`; each operand is saved only
/// when the other needs a gradient.
fn product(name: &'static str, a: &Tensor, b: &Tensor, out: Tensor, grad_a: ProductGrad, grad_b: ProductGrad) -> Tensor {
    let (a_column_major, b_column_major) = (column_major(a), column_major(b));
    record(name, &[a, b], out, |s: &mut Saver| {
        let sa = s.needs(1).then(|| s.save(a));
        let sb = s.needs(0).then(|| s.save(b));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || grad_a(&g[0], &c.unpack(sb.as_ref().unwrap())?, a_column_major))?,
                c.grad(1, || grad_b(&c.unpack(sa.as_ref().unwrap())?, &g[0], b_column_major))?,
            ])
        }) as BackwardFn
    })
}

/// `mm`'s d(a) = g bᵀ. For a column-major `a` it is computed as (b gᵀ)ᵀ, so it comes out
/// column-major too and a transposed weight's gradient needs no transposing copy (as PyTorch's
/// mm_mat1_backward).
fn mm_grad_a(g: &Tensor, b: &Tensor, a_column_major: bool) -> Result<Tensor> {
    if a_column_major {
        matrix_t(&mm(b, &matrix_t(g)?)?)
    } else {
        mm(g, &matrix_t(b)?)
    }
}

/// `mm`'s d(b) = aᵀ g, column-major for a column-major `b` (PyTorch's mm_mat2_backward).
fn mm_grad_b(a: &Tensor, g: &Tensor, b_column_major: bool) -> Result<Tensor> {
    if b_column_major {
        matrix_t(&mm(&matrix_t(g)?, a)?)
    } else {
        mm(&matrix_t(a)?, g)
    }
}

/// `mm` (MmBackward0): d(a) = g bᵀ, d(b) = aᵀ g.
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = plain::mm(a, b)?;
    Ok(product("MmBackward0", a, b, out, mm_grad_a, mm_grad_b))
}

/// `mv` (MvBackward0): d(a) = g ⊗ v, d(v) = aᵀ g.
pub fn mv(a: &Tensor, v: &Tensor) -> Result<Tensor> {
    let out = plain::mv(a, v)?;
    Ok(product("MvBackward0", a, v, out, |g, v, _| outer(g, v), |a, g, _| mv(&matrix_t(a)?, g)))
}

/// `dot` (DotBackward0).
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = plain::dot(a, b)?;
    Ok(product("DotBackward0", a, b, out, |g, b, _| mul(g, b), |a, g, _| mul(g, a)))
}

/// `bmm` (BmmBackward0).
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = plain::bmm(a, b)?;
    Ok(product("BmmBackward0", a, b, out, |g, b, _| bmm(g, &transpose(b, 1, 2)?), |a, g, _| bmm(&transpose(a, 1, 2)?, g)))
}

/// `outer`: as in PyTorch, a column times a row (MulBackward0).
pub fn outer(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if !any_requires_grad(&[a, b]) || a.ndim() != 1 || b.ndim() != 1 {
        return plain::outer(a, b);
    }
    mul(&reshape(a, &[-1, 1])?, b)
}

/// `inner`: products over the last dims, as a matrix product of the flattened operands.
pub fn inner(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let differentiable = any_requires_grad(&[a, b]) && a.ndim() > 0 && b.ndim() > 0 && a.shape().last() == b.shape().last();
    if !differentiable {
        return plain::inner(a, b);
    }
    let k = a.shape()[a.ndim() - 1] as i64;
    let flat = mm(&reshape(a, &[-1, k])?, &matrix_t(&reshape(b, &[-1, k])?)?)?;
    let shape: Vec<i64> = a.shape()[..a.ndim() - 1].iter().chain(&b.shape()[..b.ndim() - 1]).map(|&d| d as i64).collect();
    reshape(&flat, &shape)
}

/// `matmul` / `@`, decomposed as PyTorch does: dot, mv, mm, a row vector times a matrix
/// (SqueezeBackward1), and batched products (UnsafeViewBackward0).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if !any_requires_grad(&[a, b]) {
        return plain::matmul(a, b);
    }
    match (a.ndim(), b.ndim()) {
        (1, 1) => dot(a, b),
        (2, 1) => mv(a, b),
        (2, 2) => mm(a, b),
        (1, 2) => squeeze(&mm(&unsqueeze(a, 0)?, b)?, Some(&[0])),
        (da, 1 | 2) if da >= 3 => folded_matmul(a, b),
        _ => batched_matmul(a, b),
    }
}

/// A batch of matrices times one matrix or vector, folded as PyTorch does: the batch dims of
/// `a` become rows (ViewBackward0), one mm or mv, and the result is viewed back
/// (UnsafeViewBackward0).
fn folded_matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let lead = &a.shape()[..a.ndim() - 1];
    let k = a.shape()[a.ndim() - 1] as i64;
    let rows = reshape(a, &[lead.iter().product::<usize>() as i64, k])?;
    let flat = if b.ndim() == 2 { mm(&rows, b)? } else { mv(&rows, b)? };
    let shape: Vec<i64> = lead.iter().map(|&d| d as i64).chain((b.ndim() == 2).then(|| b.shape()[1] as i64)).collect();
    super::shape::unsafe_view(&flat, &shape)
}

/// Batched (broadcast) products: each operand's gradient is the product with the other's
/// transpose, summed over the batch dims it was broadcast along.
fn batched_matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = plain::matmul(a, b)?;
    let (da, db) = (a.ndim(), b.ndim());
    let (shape_a, shape_b) = (a.shape_dims(), b.shape_dims());
    Ok(record("UnsafeViewBackward0", &[a, b], out, move |s: &mut Saver| {
        let sa = s.needs(1).then(|| s.save(a));
        let sb = s.needs(0).then(|| s.save(b));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            // Vectors take part as a 1-row (a) or 1-column (b) matrix.
            let as_matrix = |t: Tensor, vector_dim: i64, is_vector: bool| if is_vector { unsqueeze(&t, vector_dim) } else { Ok(t) };
            let g = as_matrix(as_matrix(g[0].clone(), -2, da == 1)?, -1, db == 1)?;
            let back = |grad: Tensor, shape: &[usize], vector_dim: i64, is_vector: bool| -> Result<Tensor> {
                let shape2: Vec<usize> = if is_vector { if vector_dim == 0 { vec![1, shape[0]] } else { vec![shape[0], 1] } } else { shape.to_vec() };
                let summed = sum_to(&grad, &shape2)?;
                reshape(&summed, &shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
            };
            grads([
                c.grad(0, || {
                    let b2 = as_matrix(c.unpack(sb.as_ref().unwrap())?, -1, db == 1)?;
                    back(matmul(&g, &matrix_transpose(&b2)?)?, &shape_a, 0, da == 1)
                })?,
                c.grad(1, || {
                    let a2 = as_matrix(c.unpack(sa.as_ref().unwrap())?, 0, da == 1)?;
                    back(matmul(&matrix_transpose(&a2)?, &g)?, &shape_b, 1, db == 1)
                })?,
            ])
        }) as BackwardFn
    }))
}

/// An `add*` product: `beta * input + alpha * product(a, b)`.
#[allow(clippy::too_many_arguments)]
fn fused(
    name: &'static str,
    input: &Tensor,
    a: &Tensor,
    b: &Tensor,
    scale: Scale,
    out: Tensor,
    grad_a: ProductGrad,
    grad_b: ProductGrad,
) -> Tensor {
    let input_shape = input.shape_dims();
    let (a_column_major, b_column_major) = (column_major(a), column_major(b));
    record(name, &[input, a, b], out, |s: &mut Saver| {
        let sa = s.needs(2).then(|| s.save(a));
        let sb = s.needs(1).then(|| s.save(b));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || sum_to(&scaled(g[0].clone(), scale.beta)?, &input_shape))?,
                c.grad(1, || scaled(grad_a(&g[0], &c.unpack(sb.as_ref().unwrap())?, a_column_major)?, scale.alpha))?,
                c.grad(2, || scaled(grad_b(&c.unpack(sa.as_ref().unwrap())?, &g[0], b_column_major)?, scale.alpha))?,
            ])
        }) as BackwardFn
    })
}

pub fn addmm(input: &Tensor, a: &Tensor, b: &Tensor, scale: Scale) -> Result<Tensor> {
    let out = plain::addmm(input, a, b, scale)?;
    Ok(fused("AddmmBackward0", input, a, b, scale, out, mm_grad_a, mm_grad_b))
}

pub fn addmv(input: &Tensor, a: &Tensor, v: &Tensor, scale: Scale) -> Result<Tensor> {
    let out = plain::addmv(input, a, v, scale)?;
    Ok(fused("AddmvBackward0", input, a, v, scale, out, |g, v, _| outer(g, v), |a, g, _| mv(&matrix_t(a)?, g)))
}

pub fn baddbmm(input: &Tensor, a: &Tensor, b: &Tensor, scale: Scale) -> Result<Tensor> {
    let out = plain::baddbmm(input, a, b, scale)?;
    Ok(fused("BaddbmmBackward0", input, a, b, scale, out, |g, b, _| bmm(g, &transpose(b, 1, 2)?), |a, g, _| bmm(&transpose(a, 1, 2)?, g)))
}

/// `addbmm`: the batch of products is summed, so each batch entry sees the same gradient.
pub fn addbmm(input: &Tensor, a: &Tensor, b: &Tensor, scale: Scale) -> Result<Tensor> {
    let out = plain::addbmm(input, a, b, scale)?;
    Ok(fused(
        "AddbmmBackward0",
        input,
        a,
        b,
        scale,
        out,
        |g, b, _| bmm(&super::shape::expand_to(g, &[b.shape()[0], g.shape()[0], g.shape()[1]])?, &transpose(b, 1, 2)?),
        |a, g, _| bmm(&transpose(a, 1, 2)?, &super::shape::expand_to(g, &[a.shape()[0], g.shape()[0], g.shape()[1]])?),
    ))
}
