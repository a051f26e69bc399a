//! Differentiable 1-d and 2-d convolution (ConvolutionBackward0). The backward runs the fused kernels
//! of `ops::conv`; under `create_graph` it is composed of differentiable im2col/col2im and
//! matmuls instead, so that gradients of gradients exist.
use super::linalg::matmul;
use super::reduce::sum;
use super::shape::{reshape, squeeze, transpose, unsqueeze};
use super::window::{fold, unfold};
use crate::autograd::grad_mode;
use crate::autograd::graph::{record, BackwardFn, Ctx, Grads, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::conv as plain;
use crate::ops::shape as plain_shape;
use crate::ops::window::Window;
use crate::tensor::Tensor;

/// A 2-d convolution, or a 1-d one (3-D input and weight) run as a 2-d one of height 1: one
/// ConvolutionBackward0 node either way, as in PyTorch.
pub fn conv2d(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>, w: &Window, groups: usize) -> Result<Tensor> {
    let one_d = x.ndim() == 3 && weight.ndim() == 3;
    let out = if one_d {
        let (x4, w4) = (plain_shape::unsqueeze(x, 2)?, plain_shape::unsqueeze(weight, 2)?);
        plain_shape::squeeze(&plain::conv2d(&x4, &w4, bias, w, groups)?, Some(&[2]))?
    } else {
        plain::conv2d(x, weight, bias, w, groups)?
    };
    let bias_slot = super::optional_input(bias, x.dtype)?;
    let (w, has_bias) = (*w, bias.is_some());
    Ok(record("ConvolutionBackward0", &[x, weight, &bias_slot], out, |s: &mut Saver| {
        // Both are kept, as PyTorch does: each gradient needs the other operand and the shapes.
        let (sx, sw) = (s.save(x), s.save(weight));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let needs = [c.needs(0), c.needs(1), has_bias && c.needs(2)];
            let lift = |t: Tensor| if one_d { unsqueeze(&t, 2) } else { Ok(t) };
            let lower = |t: Option<Tensor>| t.map(|t| if one_d { squeeze(&t, Some(&[2])) } else { Ok(t) }).transpose();
            let (x, weight, g) = (lift(c.unpack(&sx)?)?, lift(c.unpack(&sw)?)?, lift(g[0].clone())?);
            let [gx, gw, gb] = if grad_mode::is_enabled() {
                composed_backward(&x, &weight, &g, &w, groups, needs)?
            } else {
                plain::conv2d_backward(&x, &weight, &g, &w, groups, needs)?
            };
            Ok([lower(gx)?, lower(gw)?, gb].into_iter().collect::<Grads>())
        }) as BackwardFn
    }))
}

/// The same gradients from differentiable ops: d(x) = col2im(wᵀ g), d(w) = Σₙ g im2col(x)ᵀ,
/// d(bias) = Σ g over batch and positions.
fn composed_backward(x: &Tensor, weight: &Tensor, g: &Tensor, w: &Window, groups: usize, needs: [bool; 3]) -> Result<[Option<Tensor>; 3]> {
    let (n, c, o) = (x.shape()[0] as i64, x.shape()[1] as i64, weight.shape()[0] as i64);
    let groups = groups as i64;
    let (og, l) = (o / groups, (g.shape()[2] * g.shape()[3]) as i64);
    let kg = c / groups * (w.kernel[0] * w.kernel[1]) as i64;
    let g4 = reshape(g, &[n, groups, og, l])?;
    let gx = if needs[0] {
        let kernels = transpose(&reshape(weight, &[groups, og, kg])?, 1, 2)?;
        let cols = reshape(&matmul(&kernels, &g4)?, &[n, groups * kg, l])?;
        Some(fold(&cols, [x.shape()[2], x.shape()[3]], w)?)
    } else {
        None
    };
    let gw = if needs[1] {
        let cols = reshape(&unfold(x, w, Scalar::Float(0.0))?, &[n, groups, kg, l])?;
        let per_image = matmul(&g4, &transpose(&cols, 2, 3)?)?;
        let shape: Vec<i64> = weight.shape().iter().map(|&v| v as i64).collect();
        Some(reshape(&sum(&per_image, Some(&[0]), false, None)?, &shape)?)
    } else {
        None
    };
    let gb = needs[2].then(|| sum(g, Some(&[0, 2, 3]), false, None)).transpose()?;
    Ok([gx, gw, gb])
}
