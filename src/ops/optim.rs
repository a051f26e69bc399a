//! Fused optimizer updates: one pass over a parameter does what PyTorch's single-tensor
//! (`foreach=False`) algorithm does with several kernels, in the same order of operations, with
//! fused multiply-adds where PyTorch's vectorised CPU kernels use them (`add(alpha=)`, `lerp`).
use crate::backend::cpu::map::flat_chunks;
use crate::backend::cpu::simd::dispatch;
use crate::error::{runtime, Result};
use crate::ops::unary::Float;
use crate::tensor::Tensor;
use crate::with_float_dtype;
use num_traits::{Float as _, NumCast};

/// `torch.optim.SGD`'s options.
#[derive(Clone, Copy)]
pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub maximize: bool,
}

/// `torch.optim.Adam`/`AdamW`'s options and the parameter's step count (already incremented).
#[derive(Clone, Copy)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub maximize: bool,
    pub decoupled_weight_decay: bool,
    pub step: f64,
}

fn cast<W: NumCast>(x: f64) -> W {
    W::from(x).expect("a float scalar converts to every float type")
}

/// Runs `update` on contiguous versions of `tensors` (the parameter first; every tensor must
/// match its dtype and shape), copying back the ones that were not contiguous, and bumps every
/// written tensor's version. `update` gets the element addresses and the range to do.
fn fused(tensors: &[&Tensor], update: &(dyn Fn(&[usize], usize, usize) + Sync)) -> Result<()> {
    let param = tensors[0];
    if !param.dtype.is_float() {
        return runtime(format!("fused optimizer step: expected a floating point parameter, got {:?}", param.dtype));
    }
    for t in &tensors[1..] {
        if t.dtype != param.dtype || t.shape() != param.shape() {
            return runtime(format!(
                "fused optimizer step: a gradient or state tensor of shape {:?} and dtype {:?} does not match its parameter's shape {:?} and dtype {:?}",
                t.shape(),
                t.dtype,
                param.shape(),
                param.dtype
            ));
        }
    }
    let dense = tensors.iter().map(|t| t.contiguous()).collect::<Result<Vec<_>>>()?;
    let addresses: Vec<usize> = dense.iter().map(|t| t.data_ptr_raw() as usize).collect();
    flat_chunks(param.numel(), |start, len| update(&addresses, start, len));
    for (original, copy) in tensors.iter().zip(&dense) {
        if !original.is_contiguous() {
            original.copy_(copy)?;
        }
        original.storage.bump_version();
    }
    Ok(())
}

/// One SGD update of `param` (in place). `momentum_buffer` is `(buffer, is_new)`: a new buffer
/// starts as the gradient, as PyTorch's `clone` of it.
pub fn sgd(param: &Tensor, grad: &Tensor, momentum_buffer: Option<(&Tensor, bool)>, o: Sgd) -> Result<()> {
    let mut tensors = vec![param, grad];
    tensors.extend(momentum_buffer.map(|(b, _)| b));
    let first = momentum_buffer.is_some_and(|(_, new)| new);
    with_float_dtype!(param.dtype, T => fused(&tensors, &|a, start, len| sgd_kernel::<T>(a, first, o, start, len)))
}

#[inline(always)]
fn sgd_kernel<T: Float>(a: &[usize], first: bool, o: Sgd, start: usize, len: usize) {
    let (neg_lr, momentum, keep, decay) = (cast::<T::W>(-o.lr), cast::<T::W>(o.momentum), cast::<T::W>(1.0 - o.dampening), cast::<T::W>(o.weight_decay));
    let (p, g) = (a[0] as *mut T, a[1] as *const T);
    let buffer = a.get(2).map(|&b| b as *mut T);
    dispatch(
        #[inline(always)]
        || {
            for i in start..start + len {
                // SAFETY: `fused` hands over contiguous operands of at least start + len elements.
                unsafe {
                    let pv = (*p.add(i)).widen();
                    let mut d = (*g.add(i)).widen();
                    if o.maximize {
                        d = -d;
                    }
                    if o.weight_decay != 0.0 {
                        d = pv.mul_add(decay, d);
                    }
                    if let Some(b) = buffer {
                        let stored = if first { T::narrow(d) } else { T::narrow(d.mul_add(keep, T::narrow((*b.add(i)).widen() * momentum).widen())) };
                        *b.add(i) = stored;
                        d = if o.nesterov { stored.widen().mul_add(momentum, d) } else { stored.widen() };
                    }
                    *p.add(i) = T::narrow(d.mul_add(neg_lr, pv));
                }
            }
        },
    )
}

/// One Adam (or AdamW) update of `param` and its moment estimates, in place.
pub fn adam(param: &Tensor, grad: &Tensor, exp_avg: &Tensor, exp_avg_sq: &Tensor, max_exp_avg_sq: Option<&Tensor>, o: Adam) -> Result<()> {
    let mut tensors = vec![param, grad, exp_avg, exp_avg_sq];
    tensors.extend(max_exp_avg_sq);
    with_float_dtype!(param.dtype, T => fused(&tensors, &|a, start, len| adam_kernel::<T>(a, o, start, len)))
}

#[inline(always)]
fn adam_kernel<T: Float>(a: &[usize], o: Adam, start: usize, len: usize) {
    let step_size = o.lr / (1.0 - o.beta1.powf(o.step));
    let bias_correction2_sqrt = cast::<T::W>((1.0 - o.beta2.powf(o.step)).sqrt());
    let (neg_step, eps, decay) = (cast::<T::W>(-step_size), cast::<T::W>(o.eps), cast::<T::W>(o.weight_decay));
    let shrink = cast::<T::W>(1.0 - o.lr * o.weight_decay);
    let (weight, beta2, one_minus_beta2) = (cast::<T::W>(1.0 - o.beta1), cast::<T::W>(o.beta2), cast::<T::W>(1.0 - o.beta2));
    let small_weight = 1.0 - o.beta1 < 0.5;
    let neg_rest = -(cast::<T::W>(1.0) - weight);
    let (p, g, m, v) = (a[0] as *mut T, a[1] as *const T, a[2] as *mut T, a[3] as *mut T);
    let max_v = a.get(4).map(|&x| x as *mut T);
    let round = |x: T::W| T::narrow(x).widen();
    dispatch(
        #[inline(always)]
        || {
            for i in start..start + len {
                // SAFETY: `fused` hands over contiguous operands of at least start + len elements.
                unsafe {
                    let mut pv = (*p.add(i)).widen();
                    let mut d = (*g.add(i)).widen();
                    if o.maximize {
                        d = -d;
                    }
                    if o.weight_decay != 0.0 {
                        if o.decoupled_weight_decay {
                            pv = round(pv * shrink);
                        } else {
                            d = round(pv.mul_add(decay, d));
                        }
                    }
                    // exp_avg.lerp_(grad, 1 - beta1), as PyTorch's vectorised lerp.
                    let mv = (*m.add(i)).widen();
                    let diff = round(d - mv);
                    let mv = round(if small_weight { weight.mul_add(diff, mv) } else { neg_rest.mul_add(diff, d) });
                    *m.add(i) = T::narrow(mv);
                    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                    let vv = round(round((*v.add(i)).widen() * beta2) + round(round(one_minus_beta2 * d) * d));
                    *v.add(i) = T::narrow(vv);
                    let second = match max_v {
                        Some(x) => {
                            let biggest = (*x.add(i)).widen().max(vv);
                            *x.add(i) = T::narrow(biggest);
                            biggest
                        }
                        None => vv,
                    };
                    let denom = round(round(round(second.sqrt()) / bias_correction2_sqrt) + eps);
                    // param.addcdiv_(exp_avg, denom, value=-step_size)
                    *p.add(i) = T::narrow(pv + round(round(neg_step * mv) / denom));
                }
            }
        },
    )
}
