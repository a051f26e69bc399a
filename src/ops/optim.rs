//! Fused optimizer updates: one pass over a parameter does what PyTorch's single-tensor
//! (`foreach=False`) algorithm does with several kernels, in the same order of operations, with
//! fused multiply-adds where PyTorch's vectorised CPU kernels use them (`add(alpha=)`, `lerp`).
use crate::backend::cpu::map::flat_chunks;
use crate::backend::cpu::simd::dispatch;
use crate::error::{runtime, Result};
use crate::ops::unary::Float;
use crate::backend::wgpu::optim as gpu;
use crate::storage::Device;
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

/// `torch.optim.RMSprop`'s options.
#[derive(Clone, Copy)]
pub struct RmsProp {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum: f64,
    pub maximize: bool,
}

/// `torch.optim.Adagrad`'s options and the step's learning rate after decay (`clr`).
#[derive(Clone, Copy)]
pub struct Adagrad {
    pub clr: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub maximize: bool,
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
    if param.device() == Device::Cuda && gpu::sgd(param, grad, momentum_buffer.map(|(b, _)| b), first, o)? {
        grad.storage.bump_version();
        return Ok(());
    }
    with_float_dtype!(param.dtype, T => fused(&tensors, &|a, start, len| sgd_kernel::<T>(a, first, o, start, len)))
}

/// The elements `start..start + len` of the operand at `address`, as a slice.
///
/// SAFETY: `fused` hands over contiguous operands of at least start + len elements; each range
/// is handed to one task only, and the operands are distinct buffers.
unsafe fn part<'a, T>(address: usize, start: usize, len: usize) -> &'a mut [T] {
    std::slice::from_raw_parts_mut((address as *mut T).add(start), len)
}

/// SGD's scalars in the compute type.
#[derive(Clone, Copy)]
struct SgdScalars<W> {
    neg_lr: W,
    momentum: W,
    keep: W,
    decay: W,
    sign: W,
}

#[inline(always)]
fn sgd_kernel<T: Float>(a: &[usize], first: bool, o: Sgd, start: usize, len: usize) {
    let c = SgdScalars {
        neg_lr: cast::<T::W>(-o.lr),
        momentum: cast::<T::W>(o.momentum),
        keep: cast::<T::W>(1.0 - o.dampening),
        decay: cast::<T::W>(o.weight_decay),
        sign: cast::<T::W>(if o.maximize { -1.0 } else { 1.0 }),
    };
    // SAFETY: see `part`.
    let (param, grad) = unsafe { (part::<T>(a[0], start, len), &*part::<T>(a[1], start, len)) };
    let buffer = a.get(2).map(|&b| unsafe { part::<T>(b, start, len) });
    let decay = o.weight_decay != 0.0;
    // The flags become constants so that each variant is a straight vectorisable loop.
    dispatch(
        #[inline(always)]
        || match (buffer, decay, first, o.nesterov) {
            (None, false, ..) => sgd_loop::<T, false>(param, grad, c),
            (None, true, ..) => sgd_loop::<T, true>(param, grad, c),
            (Some(b), false, false, false) => momentum_loop::<T, false, false, false>(param, grad, b, c),
            (Some(b), false, false, true) => momentum_loop::<T, false, false, true>(param, grad, b, c),
            (Some(b), false, true, false) => momentum_loop::<T, false, true, false>(param, grad, b, c),
            (Some(b), false, true, true) => momentum_loop::<T, false, true, true>(param, grad, b, c),
            (Some(b), true, false, false) => momentum_loop::<T, true, false, false>(param, grad, b, c),
            (Some(b), true, false, true) => momentum_loop::<T, true, false, true>(param, grad, b, c),
            (Some(b), true, true, false) => momentum_loop::<T, true, true, false>(param, grad, b, c),
            (Some(b), true, true, true) => momentum_loop::<T, true, true, true>(param, grad, b, c),
        },
    )
}

/// The descent direction before momentum: the (maximised) gradient plus weight decay.
#[inline(always)]
fn direction<T: Float, const DECAY: bool>(p: T::W, g: T, c: SgdScalars<T::W>) -> T::W {
    let d = g.widen() * c.sign;
    if DECAY { p.mul_add(c.decay, d) } else { d }
}

#[inline(always)]
fn sgd_loop<T: Float, const DECAY: bool>(param: &mut [T], grad: &[T], c: SgdScalars<T::W>) {
    for (p, &g) in param.iter_mut().zip(grad) {
        let pv = p.widen();
        *p = T::narrow(direction::<T, DECAY>(pv, g, c).mul_add(c.neg_lr, pv));
    }
}

#[inline(always)]
fn momentum_loop<T: Float, const DECAY: bool, const FIRST: bool, const NESTEROV: bool>(param: &mut [T], grad: &[T], buffer: &mut [T], c: SgdScalars<T::W>) {
    for ((p, &g), b) in param.iter_mut().zip(grad).zip(buffer) {
        let pv = p.widen();
        let d = direction::<T, DECAY>(pv, g, c);
        // A new buffer is the direction itself (PyTorch clones it); later ones decay.
        *b = if FIRST { T::narrow(d) } else { T::narrow(d.mul_add(c.keep, T::narrow(b.widen() * c.momentum).widen())) };
        let step = if NESTEROV { b.widen().mul_add(c.momentum, d) } else { b.widen() };
        *p = T::narrow(step.mul_add(c.neg_lr, pv));
    }
}

/// One Adam (or AdamW) update of `param` and its moment estimates, in place.
pub fn adam(param: &Tensor, grad: &Tensor, exp_avg: &Tensor, exp_avg_sq: &Tensor, max_exp_avg_sq: Option<&Tensor>, o: Adam) -> Result<()> {
    if param.device() == Device::Cuda && gpu::adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, o)? {
        grad.storage.bump_version();
        return Ok(());
    }
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
    let sign = cast::<T::W>(if o.maximize { -1.0 } else { 1.0 });
    // SAFETY: see `part`.
    let (param, grad, exp_avg, exp_avg_sq) = unsafe {
        (part::<T>(a[0], start, len), &*part::<T>(a[1], start, len), part::<T>(a[2], start, len), part::<T>(a[3], start, len))
    };
    let mut max_exp_avg_sq = a.get(4).map(|&x| unsafe { part::<T>(x, start, len) });
    let round = |x: T::W| T::narrow(x).widen();
    dispatch(
        #[inline(always)]
        || {
            for i in 0..len {
                let mut pv = param[i].widen();
                let mut d = grad[i].widen() * sign;
                if o.weight_decay != 0.0 {
                    if o.decoupled_weight_decay {
                        pv = round(pv * shrink);
                    } else {
                        d = round(pv.mul_add(decay, d));
                    }
                }
                // exp_avg.lerp_(grad, 1 - beta1), as PyTorch's vectorised lerp.
                let mv = exp_avg[i].widen();
                let diff = round(d - mv);
                let mv = round(if small_weight { weight.mul_add(diff, mv) } else { neg_rest.mul_add(diff, d) });
                exp_avg[i] = T::narrow(mv);
                // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                let vv = round(round(exp_avg_sq[i].widen() * beta2) + round(round(one_minus_beta2 * d) * d));
                exp_avg_sq[i] = T::narrow(vv);
                let second = match max_exp_avg_sq.as_deref_mut() {
                    Some(max) => {
                        let biggest = max[i].widen().max(vv);
                        max[i] = T::narrow(biggest);
                        biggest
                    }
                    None => vv,
                };
                let denom = round(round(round(second.sqrt()) / bias_correction2_sqrt) + eps);
                // param.addcdiv_(exp_avg, denom, value=-step_size)
                param[i] = T::narrow(pv + round(round(neg_step * mv) / denom));
            }
        },
    )
}

/// One RMSprop update of `param` and its state, in place: `grad_avg` is the centred variant's
/// running mean, `momentum_buffer` present when momentum > 0.
pub fn rmsprop(param: &Tensor, grad: &Tensor, square_avg: &Tensor, grad_avg: Option<&Tensor>, momentum_buffer: Option<&Tensor>, o: RmsProp) -> Result<()> {
    let mut tensors = vec![param, grad, square_avg];
    let (centered, with_momentum) = (grad_avg.is_some(), momentum_buffer.is_some());
    tensors.extend(grad_avg);
    tensors.extend(momentum_buffer);
    with_float_dtype!(param.dtype, T => fused(&tensors, &|a, start, len| rmsprop_kernel::<T>(a, centered, with_momentum, o, start, len)))
}

#[inline(always)]
fn rmsprop_kernel<T: Float>(a: &[usize], centered: bool, with_momentum: bool, o: RmsProp, start: usize, len: usize) {
    let (alpha, one_minus_alpha, eps, decay) = (cast::<T::W>(o.alpha), cast::<T::W>(1.0 - o.alpha), cast::<T::W>(o.eps), cast::<T::W>(o.weight_decay));
    let (neg_lr, momentum, sign) = (cast::<T::W>(-o.lr), cast::<T::W>(o.momentum), cast::<T::W>(if o.maximize { -1.0 } else { 1.0 }));
    // The lerp weight 1 - alpha is small for every usual alpha (0.99): PyTorch's first form.
    let small_weight = 1.0 - o.alpha < 0.5;
    let neg_rest = -(cast::<T::W>(1.0) - one_minus_alpha);
    // SAFETY: see `part`.
    let (param, grad, square_avg) = unsafe { (part::<T>(a[0], start, len), &*part::<T>(a[1], start, len), part::<T>(a[2], start, len)) };
    let mut next = 3;
    let mut take = |present: bool| {
        present.then(|| {
            next += 1;
            unsafe { part::<T>(a[next - 1], start, len) }
        })
    };
    let (mut grad_avg, mut buffer) = (take(centered), take(with_momentum));
    let round = |x: T::W| T::narrow(x).widen();
    dispatch(
        #[inline(always)]
        || {
            for i in 0..len {
                let pv = param[i].widen();
                let mut d = grad[i].widen() * sign;
                if o.weight_decay != 0.0 {
                    d = round(pv.mul_add(decay, d));
                }
                // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                let sq = round(round(square_avg[i].widen() * alpha) + round(round(one_minus_alpha * d) * d));
                square_avg[i] = T::narrow(sq);
                let avg = match grad_avg.as_deref_mut() {
                    Some(ga) => {
                        // grad_avg.lerp_(grad, 1 - alpha); avg = (square_avg - grad_avg²).sqrt()
                        let gv = ga[i].widen();
                        let diff = round(d - gv);
                        let gv = round(if small_weight { one_minus_alpha.mul_add(diff, gv) } else { neg_rest.mul_add(diff, d) });
                        ga[i] = T::narrow(gv);
                        round(round(sq + round(-gv * gv)).sqrt())
                    }
                    None => round(sq.sqrt()),
                };
                let avg = round(avg + eps);
                param[i] = match buffer.as_deref_mut() {
                    // buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
                    Some(b) => {
                        let bv = round(round(b[i].widen() * momentum) + round(d / avg));
                        b[i] = T::narrow(bv);
                        T::narrow(bv.mul_add(neg_lr, pv))
                    }
                    // param.addcdiv_(grad, avg, value=-lr)
                    None => T::narrow(pv + round(round(neg_lr * d) / avg)),
                };
            }
        },
    )
}

/// One Adagrad update of `param` and its running sum of squares, in place.
pub fn adagrad(param: &Tensor, grad: &Tensor, state_sum: &Tensor, o: Adagrad) -> Result<()> {
    with_float_dtype!(param.dtype, T => fused(&[param, grad, state_sum], &|a, start, len| adagrad_kernel::<T>(a, o, start, len)))
}

#[inline(always)]
fn adagrad_kernel<T: Float>(a: &[usize], o: Adagrad, start: usize, len: usize) {
    let (neg_clr, eps, decay, sign) = (cast::<T::W>(-o.clr), cast::<T::W>(o.eps), cast::<T::W>(o.weight_decay), cast::<T::W>(if o.maximize { -1.0 } else { 1.0 }));
    // SAFETY: see `part`.
    let (param, grad, state_sum) = unsafe { (part::<T>(a[0], start, len), &*part::<T>(a[1], start, len), part::<T>(a[2], start, len)) };
    let round = |x: T::W| T::narrow(x).widen();
    dispatch(
        #[inline(always)]
        || {
            for i in 0..len {
                let pv = param[i].widen();
                let mut d = grad[i].widen() * sign;
                if o.weight_decay != 0.0 {
                    d = round(pv.mul_add(decay, d));
                }
                // state_sum.addcmul_(grad, grad, value=1); std = state_sum.sqrt().add_(eps)
                let sum = round(state_sum[i].widen() + round(d * d));
                state_sum[i] = T::narrow(sum);
                let std = round(round(sum.sqrt()) + eps);
                // param.addcdiv_(grad, std, value=-clr)
                param[i] = T::narrow(pv + round(round(neg_clr * d) / std));
            }
        },
    )
}
