//! Differentiable fused recurrent cells: one node per LSTM or GRU step's pointwise part, named as
//! PyTorch's fused cells (ThnnFusedLstmCellBackward0, ThnnFusedGruCellBackward0). On the CPU the
//! forward and backward run the fused kernels of `ops::rnn`; on the GPU, and under
//! `create_graph`, the same formulas run as differentiable ops (which have GPU kernels).
use super::binary::{add, binary_scalar_lhs, mul, sub};
use super::grads;
use super::rearrange::cat;
use super::shape::chunk;
use super::unary::unary;
use crate::autograd::grad_mode::{self, GradModeGuard};
use crate::autograd::graph::{record_multi, BackwardFn, Ctx, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::binary::BinOp;
use crate::ops::rnn as plain;
use crate::ops::unary::UnaryOp;
use crate::storage::Device;
use crate::tensor::Tensor;

fn sigmoid(x: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::Sigmoid, x)
}

fn tanh(x: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::Tanh, x)
}

/// `1 - x`.
fn one_minus(x: &Tensor) -> Result<Tensor> {
    binary_scalar_lhs(BinOp::Sub, Scalar::Float(1.0), x)
}

/// `x (1 - x)`: the sigmoid's derivative in terms of its value.
fn sigmoid_slope(x: &Tensor) -> Result<Tensor> {
    mul(x, &one_minus(x)?)
}

/// The LSTM gates activated from their pre-activations: [input, forget, cell, output].
fn lstm_gates(gates: &Tensor) -> Result<[Tensor; 4]> {
    let c = chunk(gates, 4, 1)?;
    Ok([sigmoid(&c[0])?, sigmoid(&c[1])?, tanh(&c[2])?, sigmoid(&c[3])?])
}

/// One LSTM step's pointwise part: (h', c') from the summed gate pre-activations and `c`.
pub fn lstm_cell(gates: &Tensor, c: &Tensor) -> Result<(Tensor, Tensor)> {
    let on_gpu = gates.device() == Device::Cuda;
    let (h_new, c_new, act) = if on_gpu {
        let _no_grad = GradModeGuard::new(false);
        let [i, f, g, o] = lstm_gates(gates)?;
        let c_new = add(&mul(&f, c)?, &mul(&i, &g)?)?;
        (mul(&o, &tanh(&c_new)?)?, c_new, None)
    } else {
        let (h, c_new, act) = plain::lstm_cell(gates, c)?;
        (h, c_new, Some(act))
    };
    let outs = record_multi("ThnnFusedLstmCellBackward0", &[gates, c], vec![h_new, c_new], |s: &mut Saver| {
        let (sg, sc) = (s.save(gates), s.save(c));
        Box::new(move |ctx: &Ctx, g: &[Tensor]| {
            let (gates, c) = (ctx.unpack(&sg)?, ctx.unpack(&sc)?);
            let (d_gates, d_c) = match &act {
                Some(act) if !grad_mode::is_enabled() => plain::lstm_cell_backward(&g[0], &g[1], act, &c)?,
                _ => composed_lstm_backward(&g[0], &g[1], &gates, &c)?,
            };
            grads([ctx.needs(0).then_some(d_gates), ctx.needs(1).then_some(d_c)])
        }) as BackwardFn
    });
    let mut outs = outs.into_iter();
    Ok((outs.next().expect("h'"), outs.next().expect("c'")))
}

/// `ops::rnn::lstm_cell_backward`'s formulas from differentiable ops of the step's inputs.
fn composed_lstm_backward(grad_h: &Tensor, grad_c: &Tensor, gates: &Tensor, c: &Tensor) -> Result<(Tensor, Tensor)> {
    let [i, f, g, o] = lstm_gates(gates)?;
    let tanh_c = tanh(&add(&mul(&f, c)?, &mul(&i, &g)?)?)?;
    let d_cell = add(grad_c, &mul(&mul(grad_h, &o)?, &one_minus(&mul(&tanh_c, &tanh_c)?)?)?)?;
    let pre = [
        mul(&mul(&d_cell, &g)?, &sigmoid_slope(&i)?)?,
        mul(&mul(&d_cell, c)?, &sigmoid_slope(&f)?)?,
        mul(&mul(&d_cell, &i)?, &one_minus(&mul(&g, &g)?)?)?,
        mul(&mul(grad_h, &tanh_c)?, &sigmoid_slope(&o)?)?,
    ];
    Ok((cat(&pre, 1)?, mul(&d_cell, &f)?))
}

/// The GRU step's activations from its two gate projections: (r, z, n, the hidden n part).
fn gru_gates(input_gates: &Tensor, hidden_gates: &Tensor) -> Result<[Tensor; 4]> {
    let (x, h) = (chunk(input_gates, 3, 1)?, chunk(hidden_gates, 3, 1)?);
    let r = sigmoid(&add(&x[0], &h[0])?)?;
    let z = sigmoid(&add(&x[1], &h[1])?)?;
    let n = tanh(&add(&x[2], &mul(&r, &h[2])?)?)?;
    Ok([r, z, n, h[2].clone()])
}

/// One GRU step's pointwise part: h' from the input and hidden gate projections and `h`.
pub fn gru_cell(input_gates: &Tensor, hidden_gates: &Tensor, h: &Tensor) -> Result<Tensor> {
    let on_gpu = input_gates.device() == Device::Cuda;
    let (h_new, act) = if on_gpu {
        let _no_grad = GradModeGuard::new(false);
        let [_, z, n, _] = gru_gates(input_gates, hidden_gates)?;
        (add(&n, &mul(&z, &sub(h, &n)?)?)?, None)
    } else {
        let (h_new, act) = plain::gru_cell(input_gates, hidden_gates, h)?;
        (h_new, Some(act))
    };
    let outs = record_multi("ThnnFusedGruCellBackward0", &[input_gates, hidden_gates, h], vec![h_new], |s: &mut Saver| {
        let (sx, sh, sstate) = (s.save(input_gates), s.save(hidden_gates), s.save(h));
        Box::new(move |ctx: &Ctx, g: &[Tensor]| {
            let (xg, hg, h) = (ctx.unpack(&sx)?, ctx.unpack(&sh)?, ctx.unpack(&sstate)?);
            let (dx, dhg, dh) = match &act {
                Some(act) if !grad_mode::is_enabled() => plain::gru_cell_backward(&g[0], act, &h)?,
                _ => composed_gru_backward(&g[0], &xg, &hg, &h)?,
            };
            grads([ctx.needs(0).then_some(dx), ctx.needs(1).then_some(dhg), ctx.needs(2).then_some(dh)])
        }) as BackwardFn
    });
    Ok(outs.into_iter().next().expect("one output"))
}

/// `ops::rnn::gru_cell_backward`'s formulas from differentiable ops of the step's inputs.
fn composed_gru_backward(grad_h: &Tensor, input_gates: &Tensor, hidden_gates: &Tensor, h: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let [r, z, n, hn] = gru_gates(input_gates, hidden_gates)?;
    let dn = mul(&mul(grad_h, &one_minus(&z)?)?, &one_minus(&mul(&n, &n)?)?)?;
    let dz = mul(&mul(grad_h, &sub(h, &n)?)?, &sigmoid_slope(&z)?)?;
    let dr = mul(&mul(&dn, &hn)?, &sigmoid_slope(&r)?)?;
    let dx = cat(&[dr.clone(), dz.clone(), dn.clone()], 1)?;
    let dhg = cat(&[dr, dz, mul(&dn, &r)?], 1)?;
    Ok((dx, dhg, mul(grad_h, &z)?))
}
