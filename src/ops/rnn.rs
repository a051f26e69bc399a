//! Fused recurrent cells, as PyTorch's `_thnn_fused_lstm_cell` / `_thnn_fused_gru_cell`: the
//! pointwise part of one LSTM or GRU step (gate nonlinearities and state update) in one pass over
//! the batch, after the two gate matmuls. Each forward keeps its activated gates (PyTorch's
//! "workspace") for the backward kernel beside it. Elements are computed in f64.
use super::loss::{elems, elems_mut, get, put};
use crate::error::{runtime, Result};
use crate::tensor::Tensor;
use crate::with_float_dtype;

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Checks that `gates` is `[batch, chunks * hidden]` and each state `[batch, hidden]` of its
/// dtype; returns (batch, hidden).
fn cell_shape(op: &str, gates: &Tensor, chunks: usize, states: &[&Tensor]) -> Result<(usize, usize)> {
    let s = gates.shape();
    if s.len() != 2 || s[1] % chunks != 0 {
        return runtime(format!("{}: expected gates of shape [batch, {} * hidden_size], got {:?}", op, chunks, s));
    }
    let (batch, hidden) = (s[0], s[1] / chunks);
    for st in states {
        if st.shape() != [batch, hidden] {
            return runtime(format!("{}: expected a state of shape [{}, {}], got {:?}", op, batch, hidden, st.shape()));
        }
        if st.dtype != gates.dtype {
            return runtime(format!("{}: expected a state of dtype {}, got {}", op, gates.dtype.name(), st.dtype.name()));
        }
    }
    if !gates.dtype.is_float() {
        return runtime(format!("{}: expected floating-point gates, got {}", op, gates.dtype.name()));
    }
    Ok((batch, hidden))
}

/// One LSTM step from the summed gate pre-activations `gates` ([B, 4H]: input, forget, cell,
/// output) and the cell state `c`: (h', c', the activated gates).
pub fn lstm_cell(gates: &Tensor, c: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let (batch, hidden) = cell_shape("lstm_cell", gates, 4, &[c])?;
    let (gates, c) = (gates.contiguous()?, c.contiguous()?);
    let dtype = gates.dtype;
    let (h_new, c_new, act) = (Tensor::empty(&[batch, hidden], dtype)?, Tensor::empty(&[batch, hidden], dtype)?, Tensor::empty(gates.shape(), dtype)?);
    with_float_dtype!(dtype, T => {
        // SAFETY: every operand is contiguous of dtype T; the outputs are fresh.
        let (g, c) = unsafe { (elems::<T>(&gates), elems::<T>(&c)) };
        let (h_out, c_out, a) = unsafe { (elems_mut::<T>(&h_new), elems_mut::<T>(&c_new), elems_mut::<T>(&act)) };
        for b in 0..batch {
            let row = b * 4 * hidden;
            for j in 0..hidden {
                let at = |k: usize| get(g[row + k * hidden + j]);
                let (i, f, gg, o) = (sigmoid(at(0)), sigmoid(at(1)), at(2).tanh(), sigmoid(at(3)));
                let cy = f * get(c[b * hidden + j]) + i * gg;
                c_out[b * hidden + j] = put(cy);
                h_out[b * hidden + j] = put(o * cy.tanh());
                for (k, v) in [i, f, gg, o].into_iter().enumerate() {
                    a[row + k * hidden + j] = put(v);
                }
            }
        }
    });
    Ok((h_new, c_new, act))
}

/// The LSTM step's gradients: (d gates, d c) from the gradients of h' and c', the activated
/// gates and `c`.
pub fn lstm_cell_backward(grad_h: &Tensor, grad_c: &Tensor, act: &Tensor, c: &Tensor) -> Result<(Tensor, Tensor)> {
    let (batch, hidden) = (c.shape()[0], c.shape()[1]);
    let dtype = act.dtype;
    let (gh, gc) = (grad_h.to_dtype(dtype)?.contiguous()?, grad_c.to_dtype(dtype)?.contiguous()?);
    let (act, c) = (act.contiguous()?, c.contiguous()?);
    let (d_gates, d_c) = (Tensor::empty(act.shape(), dtype)?, Tensor::empty(&[batch, hidden], dtype)?);
    with_float_dtype!(dtype, T => {
        // SAFETY: as in `lstm_cell`.
        let (a, c, gh, gc) = unsafe { (elems::<T>(&act), elems::<T>(&c), elems::<T>(&gh), elems::<T>(&gc)) };
        let (dg, dc) = unsafe { (elems_mut::<T>(&d_gates), elems_mut::<T>(&d_c)) };
        for b in 0..batch {
            let row = b * 4 * hidden;
            for j in 0..hidden {
                let s = b * hidden + j;
                let at = |k: usize| get(a[row + k * hidden + j]);
                let (i, f, g, o) = (at(0), at(1), at(2), at(3));
                let (dh, tc) = (get(gh[s]), (f * get(c[s]) + i * g).tanh());
                let d_cell = get(gc[s]) + dh * o * (1.0 - tc * tc);
                let pre = [d_cell * g * i * (1.0 - i), d_cell * get(c[s]) * f * (1.0 - f), d_cell * i * (1.0 - g * g), dh * tc * o * (1.0 - o)];
                for (k, v) in pre.into_iter().enumerate() {
                    dg[row + k * hidden + j] = put(v);
                }
                dc[s] = put(d_cell * f);
            }
        }
    });
    Ok((d_gates, d_c))
}

/// One GRU step from the input and hidden gate projections ([B, 3H] each: reset, update, new)
/// and the state `h`: (h', the activated gates r, z, n and the hidden projection's n part,
/// as [B, 4H]).
pub fn gru_cell(input_gates: &Tensor, hidden_gates: &Tensor, h: &Tensor) -> Result<(Tensor, Tensor)> {
    let (batch, hidden) = cell_shape("gru_cell", input_gates, 3, &[h])?;
    if hidden_gates.shape() != input_gates.shape() || hidden_gates.dtype != input_gates.dtype {
        return runtime(format!("gru_cell: expected hidden gates like the input gates {:?}, got {:?}", input_gates.shape(), hidden_gates.shape()));
    }
    let (xg, hg, h) = (input_gates.contiguous()?, hidden_gates.contiguous()?, h.contiguous()?);
    let dtype = xg.dtype;
    let (h_new, act) = (Tensor::empty(&[batch, hidden], dtype)?, Tensor::empty(&[batch, 4 * hidden], dtype)?);
    with_float_dtype!(dtype, T => {
        // SAFETY: as in `lstm_cell`.
        let (xg, hg, hx) = unsafe { (elems::<T>(&xg), elems::<T>(&hg), elems::<T>(&h)) };
        let (out, a) = unsafe { (elems_mut::<T>(&h_new), elems_mut::<T>(&act)) };
        for b in 0..batch {
            for j in 0..hidden {
                let at = |t: &[T], k: usize| get(t[b * 3 * hidden + k * hidden + j]);
                let r = sigmoid(at(xg, 0) + at(hg, 0));
                let z = sigmoid(at(xg, 1) + at(hg, 1));
                let hn = at(hg, 2);
                let n = (at(xg, 2) + r * hn).tanh();
                let s = b * hidden + j;
                out[s] = put(n + z * (get(hx[s]) - n));
                for (k, v) in [r, z, n, hn].into_iter().enumerate() {
                    a[b * 4 * hidden + k * hidden + j] = put(v);
                }
            }
        }
    });
    Ok((h_new, act))
}

/// The GRU step's gradients: (d input gates, d hidden gates, d h) from the gradient of h'.
pub fn gru_cell_backward(grad_h: &Tensor, act: &Tensor, h: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let (batch, hidden) = (h.shape()[0], h.shape()[1]);
    let dtype = act.dtype;
    let (gh, act, h) = (grad_h.to_dtype(dtype)?.contiguous()?, act.contiguous()?, h.contiguous()?);
    let (dx, dhg, dh) = (Tensor::empty(&[batch, 3 * hidden], dtype)?, Tensor::empty(&[batch, 3 * hidden], dtype)?, Tensor::empty(&[batch, hidden], dtype)?);
    with_float_dtype!(dtype, T => {
        // SAFETY: as in `lstm_cell`.
        let (gh, a, hx) = unsafe { (elems::<T>(&gh), elems::<T>(&act), elems::<T>(&h)) };
        let (dx_out, dhg_out, dh_out) = unsafe { (elems_mut::<T>(&dx), elems_mut::<T>(&dhg), elems_mut::<T>(&dh)) };
        for b in 0..batch {
            for j in 0..hidden {
                let s = b * hidden + j;
                let at = |k: usize| get(a[b * 4 * hidden + k * hidden + j]);
                let (r, z, n, hn) = (at(0), at(1), at(2), at(3));
                let g = get(gh[s]);
                let dn = g * (1.0 - z) * (1.0 - n * n);
                let dz = g * (get(hx[s]) - n) * z * (1.0 - z);
                let dr = dn * hn * r * (1.0 - r);
                let gate = |k: usize| b * 3 * hidden + k * hidden + j;
                for (k, (x, hh)) in [(dr, dr), (dz, dz), (dn, dn * r)].into_iter().enumerate() {
                    dx_out[gate(k)] = put(x);
                    dhg_out[gate(k)] = put(hh);
                }
                dh_out[s] = put(g * z);
            }
        }
    });
    Ok((dx, dhg, dh))
}
