//! Fused loss kernels, one pass each, as PyTorch's ATen loss ops: the pointwise losses (mse,
//! huber, smooth l1, binary cross entropy with and without logits) with their reductions, and
//! the negative log likelihood over a class dim. Each forward has its backward kernel beside it
//! (the formulas of PyTorch's derivatives.yaml). Elements are computed in f64.
use super::reduce::{extreme, Extreme};
use super::unary::Float;
use crate::error::{runtime, Error, Result};
use crate::tensor::Tensor;
use crate::with_float_dtype;
use num_traits::{NumCast, ToPrimitive};

/// `reduction=` as PyTorch's enum (0 none, 1 mean, 2 sum).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    pub fn from_enum(v: i64) -> Result<Reduction> {
        match v {
            0 => Ok(Reduction::None),
            1 => Ok(Reduction::Mean),
            2 => Ok(Reduction::Sum),
            _ => Err(Error::Value(format!("{} is not a valid value for reduction", v))),
        }
    }
}

#[inline(always)]
pub(crate) fn get<T: Float>(v: T) -> f64 {
    v.widen().to_f64().unwrap_or(f64::NAN)
}

#[inline(always)]
pub(crate) fn put<T: Float>(v: f64) -> T {
    T::narrow(<T::W as NumCast>::from(v).unwrap_or_else(<T::W as num_traits::Float>::nan))
}

/// The elements of a contiguous tensor. SAFETY: `t` is contiguous and of element type `T`.
pub(crate) unsafe fn elems<T: Float>(t: &Tensor) -> &[T] {
    std::slice::from_raw_parts(t.data_ptr::<T>(), t.numel())
}

/// The elements of a fresh contiguous tensor, to write. SAFETY: as `elems`, and nothing else
/// reads or writes `t` meanwhile.
#[allow(clippy::mut_from_ref)]
pub(crate) unsafe fn elems_mut<T: Float>(t: &Tensor) -> &mut [T] {
    std::slice::from_raw_parts_mut(t.data_ptr::<T>(), t.numel())
}

/// A pointwise loss of (input, target), optionally with PyTorch's `pos_weight` (logits BCE).
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Pointwise {
    Mse,
    Huber(f64),
    SmoothL1(f64),
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
}

/// `1 + (pos_weight - 1) t`, the weight of the positive term; exactly 1 without a pos_weight,
/// so that an infinite target gives PyTorch's result rather than `0 * inf`.
fn log_weight(pos_weight: Option<f64>, t: f64) -> f64 {
    pos_weight.map_or(1.0, |p| 1.0 + (p - 1.0) * t)
}

/// `log(sigmoid(x))` without overflow.
fn log_sigmoid(x: f64) -> f64 {
    x.min(0.0) - (-x.abs()).exp().ln_1p()
}

impl Pointwise {
    pub fn node_name(self) -> &'static str {
        match self {
            Pointwise::Mse => "MseLossBackward0",
            Pointwise::Huber(_) => "HuberLossBackward0",
            Pointwise::SmoothL1(_) => "SmoothL1LossBackward0",
            Pointwise::BinaryCrossEntropy => "BinaryCrossEntropyBackward0",
            Pointwise::BinaryCrossEntropyWithLogits => "BinaryCrossEntropyWithLogitsBackward0",
        }
    }

    /// The kernel PyTorch names in its "not implemented for" error.
    fn kernel_name(self) -> &'static str {
        match self {
            Pointwise::Mse => "mse_cpu",
            Pointwise::Huber(_) => "huber_cpu",
            Pointwise::SmoothL1(_) => "smooth_l1_cpu",
            Pointwise::BinaryCrossEntropy => "binary_cross_entropy",
            Pointwise::BinaryCrossEntropyWithLogits => "log_sigmoid_cpu",
        }
    }

    fn loss(self, x: f64, t: f64, pos_weight: Option<f64>) -> f64 {
        match self {
            Pointwise::Mse => (x - t) * (x - t),
            Pointwise::Huber(delta) => {
                let z = (x - t).abs();
                if z < delta { 0.5 * z * z } else { delta * (z - 0.5 * delta) }
            }
            Pointwise::SmoothL1(beta) => {
                let z = (x - t).abs();
                if z < beta { 0.5 * z * z / beta } else { z - 0.5 * beta }
            }
            // PyTorch clamps each log at -100 so that saturated inputs give a finite loss.
            Pointwise::BinaryCrossEntropy => -(t * x.ln().max(-100.0) + (1.0 - t) * (-x).ln_1p().max(-100.0)),
            Pointwise::BinaryCrossEntropyWithLogits => (1.0 - t) * x - log_weight(pos_weight, t) * log_sigmoid(x),
        }
    }

    /// (d loss / d input, d loss / d target).
    fn derivatives(self, x: f64, t: f64, pos_weight: Option<f64>) -> (f64, f64) {
        match self {
            Pointwise::Mse => (2.0 * (x - t), -2.0 * (x - t)),
            Pointwise::Huber(delta) => {
                let d = (x - t).clamp(-delta, delta);
                (d, -d)
            }
            Pointwise::SmoothL1(beta) => {
                let d = (x - t).clamp(-beta, beta) / beta;
                (d, -d)
            }
            Pointwise::BinaryCrossEntropy => ((x - t) / ((1.0 - x) * x).max(1e-12), (-x).ln_1p().max(-100.0) - x.ln().max(-100.0)),
            Pointwise::BinaryCrossEntropyWithLogits => {
                let sigmoid = 1.0 / (1.0 + (-x).exp());
                let target_grad = -(x + pos_weight.map_or(0.0, |p| (p - 1.0) * log_sigmoid(x)));
                ((1.0 - t) - log_weight(pos_weight, t) * (1.0 - sigmoid), target_grad)
            }
        }
    }
}

/// Input, target and the optional per-element weight and pos_weight, contiguous, one shape
/// and one dtype (the caller broadcasts and promotes).
pub struct PointwiseArgs<'a> {
    pub input: &'a Tensor,
    pub target: &'a Tensor,
    pub weight: Option<&'a Tensor>,
    pub pos_weight: Option<&'a Tensor>,
}

struct Operands {
    x: Tensor,
    t: Tensor,
    w: Option<Tensor>,
    pw: Option<Tensor>,
}

fn operands(a: &PointwiseArgs) -> Result<Operands> {
    let same = |t: &Tensor, what: &str| -> Result<Tensor> {
        if t.shape() != a.input.shape() {
            return runtime(format!("{} of size {:?} does not match the input size {:?}", what, t.shape(), a.input.shape()));
        }
        t.to_dtype(a.input.dtype)?.contiguous()
    };
    Ok(Operands {
        x: a.input.contiguous()?,
        t: same(a.target, "target")?,
        w: a.weight.map(|w| same(w, "weight")).transpose()?,
        pw: a.pos_weight.map(|w| same(w, "pos_weight")).transpose()?,
    })
}

fn check_float(t: &Tensor, what: &str) -> Result<()> {
    if t.dtype.is_float() {
        Ok(())
    } else {
        Err(Error::NotImplemented(format!("\"{}\" not implemented for '{}'", what, crate::ops::binary::type_label(t.dtype))))
    }
}

/// The checks of `pointwise_loss` (dtype, shapes, BCE's input range), returning its operands.
fn checked_operands(kind: Pointwise, a: &PointwiseArgs) -> Result<Operands> {
    check_float(a.input, kind.kernel_name())?;
    let o = operands(a)?;
    if kind == Pointwise::BinaryCrossEntropy && o.x.numel() > 0 {
        // Two reductions (on the input's device) and two one-element reads; NaN fails, as in PyTorch.
        let bound = |which: Extreme| -> Result<f64> { Ok(extreme(&o.x, None, false, which, which.name())?.item()?.to_f64()) };
        if !(bound(Extreme::Min)? >= 0.0 && bound(Extreme::Max)? <= 1.0) {
            return runtime("all elements of input should be between 0 and 1");
        }
    }
    Ok(o)
}

/// What `pointwise_loss` checks, for a caller computing the loss from other ops (the GPU path).
pub fn check_pointwise_args(kind: Pointwise, a: &PointwiseArgs) -> Result<()> {
    checked_operands(kind, a).map(drop)
}

/// The loss, reduced (a 0-dim tensor) or per element (`Reduction::None`).
pub fn pointwise_loss(kind: Pointwise, a: &PointwiseArgs, reduction: Reduction) -> Result<Tensor> {
    let o = checked_operands(kind, a)?;
    let n = o.x.numel();
    let shape: &[usize] = if reduction == Reduction::None { o.x.shape() } else { &[] };
    let out = Tensor::empty(shape, o.x.dtype)?;
    with_float_dtype!(o.x.dtype, T => {
        // SAFETY: all operands are contiguous of dtype T and `out` is fresh.
        let (x, t) = unsafe { (elems::<T>(&o.x), elems::<T>(&o.t)) };
        let w = o.w.as_ref().map(|w| unsafe { elems::<T>(w) });
        let pw = o.pw.as_ref().map(|w| unsafe { elems::<T>(w) });
        let term = |i: usize| {
            let l = kind.loss(get(x[i]), get(t[i]), pw.map(|p| get(p[i])));
            w.map_or(l, |w| l * get(w[i]))
        };
        let dst = unsafe { elems_mut::<T>(&out) };
        match reduction {
            Reduction::None => dst.iter_mut().enumerate().for_each(|(i, d)| *d = put(term(i))),
            _ => {
                let total: f64 = (0..n).map(term).sum();
                dst[0] = put(if reduction == Reduction::Mean { total / n as f64 } else { total });
            }
        }
    });
    Ok(out)
}

/// Gradients of `pointwise_loss` with respect to input and target (where `needs` says).
pub fn pointwise_loss_backward(kind: Pointwise, grad: &Tensor, a: &PointwiseArgs, reduction: Reduction, needs: [bool; 2]) -> Result<[Option<Tensor>; 2]> {
    let o = operands(a)?;
    let n = o.x.numel();
    let g = if reduction == Reduction::None { grad.to_dtype(o.x.dtype)?.broadcast_to(o.x.shape())?.contiguous()? } else { grad.to_dtype(o.x.dtype)?.contiguous()? };
    let alloc = |need: bool| need.then(|| Tensor::empty(o.x.shape(), o.x.dtype)).transpose();
    let (gx, gt) = (alloc(needs[0])?, alloc(needs[1])?);
    with_float_dtype!(o.x.dtype, T => {
        // SAFETY: all operands are contiguous of dtype T; the results are fresh.
        let (x, t, gs) = unsafe { (elems::<T>(&o.x), elems::<T>(&o.t), elems::<T>(&g)) };
        let w = o.w.as_ref().map(|w| unsafe { elems::<T>(w) });
        let pw = o.pw.as_ref().map(|w| unsafe { elems::<T>(w) });
        let scale = if reduction == Reduction::Mean { 1.0 / n as f64 } else { 1.0 };
        let mut dx = gx.as_ref().map(|t| unsafe { elems_mut::<T>(t) });
        let mut dt = gt.as_ref().map(|t| unsafe { elems_mut::<T>(t) });
        for i in 0..n {
            let gi = get(if reduction == Reduction::None { gs[i] } else { gs[0] }) * scale * w.map_or(1.0, |w| get(w[i]));
            let (ddx, ddt) = kind.derivatives(get(x[i]), get(t[i]), pw.map(|p| get(p[i])));
            if let Some(d) = dx.as_deref_mut() {
                d[i] = put(gi * ddx);
            }
            if let Some(d) = dt.as_deref_mut() {
                d[i] = put(gi * ddt);
            }
        }
    });
    Ok([gx, gt])
}

/// The shape of a class-indexed problem: `outer` samples, `classes`, `inner` positions per
/// sample (the trailing dims of an N-d input); a 1-d input is one sample.
#[derive(Clone, Copy, Debug)]
pub struct ClassLayout {
    pub outer: usize,
    pub classes: usize,
    pub inner: usize,
}

impl ClassLayout {
    pub fn of(input: &Tensor) -> ClassLayout {
        let s = input.shape();
        match s.len() {
            0 => ClassLayout { outer: 1, classes: 1, inner: 1 },
            1 => ClassLayout { outer: 1, classes: s[0], inner: 1 },
            _ => ClassLayout { outer: s[0], classes: s[1], inner: s[2..].iter().product() },
        }
    }
}

/// Per sample position: the class weight (0 for an ignored target), after checking the range.
fn nll_sample_weights(target: &Tensor, weight: Option<&Tensor>, layout: ClassLayout, ignore_index: i64) -> Result<Vec<f64>> {
    let targets = target.to_dtype(crate::dtype::DType::I64)?.to_vec::<i64>()?;
    let class_weights = weight.map(|w| w.to_dtype(crate::dtype::DType::F64)?.to_vec::<f64>()).transpose()?;
    targets
        .iter()
        .map(|&t| {
            if t == ignore_index {
                return Ok(0.0);
            }
            if t < 0 || t as usize >= layout.classes {
                return Err(Error::Index(format!("Target {} is out of bounds.", t)));
            }
            Ok(class_weights.as_ref().map_or(1.0, |w| w[t as usize]))
        })
        .collect()
}

/// `nll_loss`: `-weight[t] * input[t]` per target position, reduced; also returns the total
/// weight of the non-ignored targets (the mean's divisor, saved for backward as PyTorch does).
pub fn nll_loss(input: &Tensor, target: &Tensor, weight: Option<&Tensor>, reduction: Reduction, ignore_index: i64) -> Result<(Tensor, Tensor)> {
    check_float(input, "nll_loss_out_frame")?;
    let layout = ClassLayout::of(input);
    let sample_weights = nll_sample_weights(target, weight, layout, ignore_index)?;
    let targets = target.to_dtype(crate::dtype::DType::I64)?.to_vec::<i64>()?;
    let x = input.contiguous()?;
    let shape: &[usize] = if reduction == Reduction::None { target.shape() } else { &[] };
    let (out, total_weight) = (Tensor::empty(shape, input.dtype)?, Tensor::empty(&[], input.dtype)?);
    let total: f64 = sample_weights.iter().sum();
    with_float_dtype!(input.dtype, T => {
        // SAFETY: `x` is contiguous of dtype T; the results are fresh.
        let xs = unsafe { elems::<T>(&x) };
        let term = |i: usize| {
            let (n, s) = (i / layout.inner, i % layout.inner);
            if sample_weights[i] == 0.0 {
                return 0.0;
            }
            -sample_weights[i] * get(xs[(n * layout.classes + targets[i] as usize) * layout.inner + s])
        };
        let dst = unsafe { elems_mut::<T>(&out) };
        match reduction {
            Reduction::None => dst.iter_mut().enumerate().for_each(|(i, d)| *d = put(term(i))),
            _ => {
                let sum: f64 = (0..targets.len()).map(term).sum();
                dst[0] = put(if reduction == Reduction::Mean { sum / total } else { sum });
            }
        }
        let total_slot = unsafe { elems_mut::<T>(&total_weight) };
        total_slot[0] = put(total);
    });
    Ok((out, total_weight))
}

/// The gradient of `nll_loss` with respect to its input: `-weight[t] * grad` at each target
/// (divided by the total weight for the mean), zero elsewhere.
pub fn nll_loss_backward(grad: &Tensor, input: &Tensor, target: &Tensor, weight: Option<&Tensor>, reduction: Reduction, ignore_index: i64, total_weight: f64) -> Result<Tensor> {
    let layout = ClassLayout::of(input);
    let sample_weights = nll_sample_weights(target, weight, layout, ignore_index)?;
    let targets = target.to_dtype(crate::dtype::DType::I64)?.to_vec::<i64>()?;
    let g = grad.to_dtype(input.dtype)?.contiguous()?;
    let out = Tensor::zeros(input.shape(), input.dtype)?;
    with_float_dtype!(input.dtype, T => {
        // SAFETY: `g` is contiguous of dtype T; `out` is fresh.
        let gs = unsafe { elems::<T>(&g) };
        let dst = unsafe { elems_mut::<T>(&out) };
        let divisor = if reduction == Reduction::Mean { total_weight } else { 1.0 };
        for (i, &t) in targets.iter().enumerate() {
            if sample_weights[i] == 0.0 {
                continue;
            }
            let (n, s) = (i / layout.inner, i % layout.inner);
            let gi = get(if reduction == Reduction::None { gs[i] } else { gs[0] });
            dst[(n * layout.classes + t as usize) * layout.inner + s] = put(-sample_weights[i] * gi / divisor);
        }
    });
    Ok(out)
}
