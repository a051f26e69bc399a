//! Random ops: in-place samplers (`uniform_`, `normal_`, `random_`, `bernoulli_`,
//! `exponential_`) and the factories built on them (`rand`, `randn`, `randint`, `randperm`,
//! `normal`, `bernoulli`, `multinomial`).
//!
//! Each op draws from the generator exactly as ATen's CPU kernels do (same draws, same order,
//! same float arithmetic), so seeded programs produce PyTorch's numbers. Elements are visited in
//! the order of PyTorch's TensorIterator: memory order, whatever the view's dim order. The one
//! platform-dependent sampler PyTorch has, MKL's Bernoulli on Intel CPUs, is not followed: this
//! is ATen's default kernel (what PyTorch runs on other CPUs and without MKL).
use crate::backend::cpu::simd::dispatch;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::broadcast_shapes;
use crate::ops::binary::{binary_, type_label, BinOp, Other};
use crate::ops::box_muller;
use crate::ops::creation::empty_like;
use crate::random::{Engine, Generator};
use crate::tensor::Tensor;
use crate::with_dtype;
use half::{bf16, f16};
use std::cmp::Ordering;

fn not_implemented<R>(kernel: &str, dtype: DType) -> Result<R> {
    Err(Error::NotImplemented(format!("\"{}\" not implemented for '{}'", kernel, type_label(dtype))))
}

/// The dims of a layout from outermost to innermost as TensorIterator visits them
/// (`reorder_dimensions`: an insertion sort of the dims, innermost first, by stride, that keeps
/// the order of pairs it cannot compare).
fn visiting_order(shape: &[usize], strides: &[isize]) -> Vec<usize> {
    let n = shape.len();
    let mut perm: Vec<usize> = (0..n).rev().collect();
    let compare = |d0: usize, d1: usize| {
        let (s0, s1) = (strides[d0], strides[d1]);
        if s0 == 0 || s1 == 0 {
            Ordering::Equal
        } else if s0 != s1 {
            s0.cmp(&s1)
        } else if shape[d0] > shape[d1] {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    };
    for i in 1..n {
        let mut d1 = i;
        for d0 in (0..i).rev() {
            match compare(perm[d0], perm[d1]) {
                Ordering::Greater => {
                    perm.swap(d0, d1);
                    d1 = d0;
                }
                Ordering::Less => break,
                Ordering::Equal => {}
            }
        }
    }
    perm.reverse();
    perm
}

/// `t` with its dims permuted into visiting order, so that its row-major order is the order in
/// which PyTorch fills it.
fn visiting_view(t: &Tensor) -> Tensor {
    t.with_layout(t.layout.permute(&visiting_order(t.shape(), t.strides())))
}

/// Fills `t` in visiting order: `fill` gets the elements as one slice, straight in `t`'s
/// memory when that order is contiguous, else in a temporary copied back.
fn fill_serial<T: Element>(t: &Tensor, fill: impl FnOnce(&mut [T])) -> Result<()> {
    let n = t.numel();
    if n == 0 {
        return Ok(());
    }
    let view = visiting_view(t);
    let target = if view.is_contiguous() { view.clone() } else { Tensor::empty(view.shape(), t.dtype)? };
    // SAFETY: `target` is contiguous with n elements of T (callers dispatch on its dtype), and
    // nothing reads it while it is filled.
    fill(unsafe { std::slice::from_raw_parts_mut(target.data_ptr::<T>(), n) });
    if view.is_contiguous() {
        t.storage.bump_version();
        Ok(())
    } else {
        view.copy_(&target)
    }
}

/// Fills `t` with `sample()` values, converted as C++'s `static_cast<T>(double)` does.
fn fill_from_f64<T: Element>(t: &Tensor, e: &mut Engine, mut sample: impl FnMut(&mut Engine) -> f64) -> Result<()> {
    fill_serial::<T>(t, |out| out.iter_mut().for_each(|x| *x = T::from_f64(sample(e))))
}

/// `static_cast<T>(int64_t)`: one rounding for floats (half types go through float, as c10's
/// constructors do).
#[inline(always)]
fn cast_i64<T: Element>(v: i64) -> T {
    match T::DTYPE {
        DType::F64 => T::from_f64(v as f64),
        DType::F32 | DType::F16 | DType::BF16 => T::from_f64(v as f32 as f64),
        _ => T::from_i64(v),
    }
}

/// The C++ type names PyTorch's bounds errors print.
fn c_type_name(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I8 => "signed char",
        DType::I16 => "short int",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
        DType::U16 => "unsigned short",
        DType::U32 => "unsigned int",
        DType::U64 => "unsigned long",
        DType::Complex64 => "c10::complex<float>",
        DType::Complex128 => "c10::complex<double>",
    }
}

/// The largest finite value of a float dtype.
fn float_max(dtype: DType) -> f64 {
    match dtype {
        DType::F16 => f16::MAX.to_f64(),
        DType::BF16 => bf16::MAX.to_f64(),
        DType::F32 => f32::MAX as f64,
        _ => f64::MAX,
    }
}

/// Mantissa digits of a float dtype (`std::numeric_limits<T>::digits`).
fn float_digits(dtype: DType) -> u32 {
    match dtype {
        DType::F16 => 11,
        DType::BF16 => 8,
        DType::F32 => 24,
        _ => 53,
    }
}

/// The largest value of an integral dtype (1 for bool).
fn int_max(dtype: DType) -> i64 {
    match dtype {
        DType::Bool => 1,
        DType::U8 => u8::MAX as i64,
        DType::I8 => i8::MAX as i64,
        DType::I16 => i16::MAX as i64,
        DType::I32 => i32::MAX as i64,
        _ => i64::MAX,
    }
}

fn int_min(dtype: DType) -> i64 {
    match dtype {
        DType::Bool | DType::U8 => 0,
        DType::I8 => i8::MIN as i64,
        DType::I16 => i16::MIN as i64,
        DType::I32 => i32::MIN as i64,
        _ => i64::MIN,
    }
}

pub fn uniform_(t: &Tensor, from: f64, to: f64, gen: &Generator) -> Result<()> {
    if !t.dtype.is_float() {
        return not_implemented("check_uniform_bounds", t.dtype);
    }
    let max = float_max(t.dtype);
    let name = c_type_name(t.dtype);
    if !(-max..=max).contains(&from) {
        return runtime(format!("from is out of bounds for {}", name));
    }
    if !(-max..=max).contains(&to) {
        return runtime(format!("to is out of bounds for {}", name));
    }
    if from > to {
        return runtime(format!("uniform_ expects to return a [from, to) range, but found from={} > to={}", from, to));
    }
    if to - from > max {
        return runtime(format!(
            "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={} and from={} which result in to-from to exceed the limit",
            type_label(t.dtype),
            to,
            from
        ));
    }
    // `x * (to - from) + from`, fused as PyTorch's build fuses it, in double for float64 and
    // in float for the other float types.
    let (from32, to32) = (from as f32, to as f32);
    let single = |e: &mut Engine| e.uniform_f32().mul_add(to32 - from32, from32) as f64;
    match t.dtype {
        DType::F64 => uniform_fill::<f64>(t, from, to, gen, |e| e.uniform_f64().mul_add(to - from, from)),
        DType::F32 => uniform_fill::<f32>(t, from, to, gen, single),
        DType::F16 => uniform_fill::<f16>(t, from, to, gen, single),
        _ => uniform_fill::<bf16>(t, from, to, gen, single),
    }
}

/// A value that rounds up to `to` in the tensor's dtype becomes `from`, as in PyTorch.
fn uniform_fill<T: Element>(t: &Tensor, from: f64, to: f64, gen: &Generator, sample: impl Fn(&mut Engine) -> f64) -> Result<()> {
    let (lo, hi) = (T::from_f64(from), T::from_f64(to));
    let mut e = gen.lock();
    fill_serial::<T>(t, |out| {
        dispatch(|| {
            for x in out.iter_mut() {
                let v = T::from_f64(sample(&mut e));
                *x = if v == hi { lo } else { v };
            }
        })
    })
}

pub fn normal_(t: &Tensor, mean: f64, std: f64, gen: &Generator) -> Result<()> {
    // (NaN fails the comparison too.)
    if !(std >= 0.0) {
        return runtime(format!("normal expects std >= 0.0, but found std {}", std));
    }
    if t.numel() == 0 {
        return Ok(());
    }
    if !t.dtype.is_float() {
        return not_implemented("normal_kernel_cpu", t.dtype);
    }
    let mut e = gen.lock();
    if t.numel() < 16 || !t.is_contiguous() {
        // The scalar Box-Muller with its cached second sample, in double.
        return with_dtype!(t.dtype, T => fill_from_f64::<T>(t, &mut e, |e| e.normal_f64(mean, std)));
    }
    fn data<T: Element>(t: &Tensor) -> &mut [T] {
        // SAFETY: t is contiguous with numel elements of T, and nothing else reads it meanwhile.
        unsafe { std::slice::from_raw_parts_mut(t.data_ptr::<T>(), t.numel()) }
    }
    let (mean32, std32) = (mean as f32, std as f32);
    match t.dtype {
        DType::F64 => box_muller::normal_fill_f64(data(t), mean, std, &mut e),
        DType::F32 => box_muller::normal_fill_f32(data(t), mean32, std32, &mut e),
        DType::F16 => box_muller::normal_fill_reduced::<f16>(data(t), mean32, std32, &mut e),
        _ => box_muller::normal_fill_reduced::<bf16>(data(t), mean32, std32, &mut e),
    }
    t.storage.bump_version();
    Ok(())
}

pub fn exponential_(t: &Tensor, lambda: f64, gen: &Generator) -> Result<()> {
    if !(lambda > 0.0) {
        return runtime(format!("exponential_ expects lambda > 0.0, but found lambda={}", lambda));
    }
    if t.numel() == 0 {
        return Ok(());
    }
    if !t.dtype.is_float() {
        return runtime(format!(
            "Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified {}",
            type_label(t.dtype)
        ));
    }
    let mut e = gen.lock();
    with_dtype!(t.dtype, T => fill_from_f64::<T>(t, &mut e, |e| (-1.0 / lambda) * (-e.uniform_f64()).ln_1p()))
}

/// `update_from` / `update_to` of ATen: the nearest bound that stays inside [from, to) after
/// rounding to a float dtype with `digits` mantissa digits (`up` moves from, else moves to).
fn representable_bound<T: Element>(bound: i64, up: bool) -> i64 {
    let neighbour = if up { bound.wrapping_add(1) } else { bound.wrapping_sub(1) };
    let rounded = cast_i64::<T>(neighbour).to_i64();
    let crosses = if up { rounded < bound } else { rounded >= bound };
    if !crosses {
        return bound;
    }
    let magnitude = neighbour.unsigned_abs();
    let step = 1i64 << (63 - magnitude.leading_zeros()).saturating_sub(float_digits(T::DTYPE) - 1);
    if up {
        rounded + step
    } else {
        rounded - step
    }
}

fn check_in_range(from: i64, to_inc: i64, dtype: DType) -> Result<()> {
    let name = c_type_name(dtype);
    let fits = |v: i64| {
        if dtype.is_float() {
            (v as f64).abs() <= float_max(dtype)
        } else {
            (int_min(dtype)..=int_max(dtype)).contains(&v)
        }
    };
    if !fits(from) {
        return runtime(format!("from is out of bounds for {}", name));
    }
    if !fits(to_inc) {
        return runtime(format!("to - 1 is out of bounds for {}", name));
    }
    Ok(())
}

/// `random_(from, to)`: integers uniform in [from, to) (`to=None`: up to the largest value the
/// dtype holds, 2^digits for floats; `from=i64::MIN, to=None`: all 64-bit integers).
pub fn random_(t: &Tensor, from: i64, to: Option<i64>, gen: &Generator) -> Result<()> {
    with_dtype!(t.dtype, T => random_from_to::<T>(t, from, to, gen))
}

fn random_from_to<T: Element>(t: &Tensor, mut from: i64, to: Option<i64>, gen: &Generator) -> Result<()> {
    let float = T::DTYPE.is_float();
    let range = match to {
        Some(mut to) => {
            if from >= to {
                return runtime(format!("random_ expects 'from' to be less than 'to', but got from={} >= to={}", from, to));
            }
            if float {
                from = representable_bound::<T>(from, true);
                to = representable_bound::<T>(to, false);
                if from >= to {
                    return runtime(format!(
                        "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from={} >= to={}",
                        from, to
                    ));
                }
            }
            check_in_range(from, to - 1, T::DTYPE)?;
            (to as u64).wrapping_sub(from as u64)
        }
        None if from != i64::MIN => {
            let to_inc = if float {
                let to_inc = 1i64 << float_digits(T::DTYPE);
                from = representable_bound::<T>(from, true);
                if from >= to_inc {
                    return runtime(format!(
                        "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={} > to_inc={}",
                        from, to_inc
                    ));
                }
                to_inc
            } else {
                int_max(T::DTYPE)
            };
            check_in_range(from, to_inc, T::DTYPE)?;
            (to_inc as u64).wrapping_sub(from as u64).wrapping_add(1)
        }
        None => {
            if t.numel() == 0 {
                return Ok(());
            }
            if !matches!(T::DTYPE, DType::I64 | DType::F64 | DType::F32 | DType::BF16) {
                return runtime("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16");
            }
            let mut e = gen.lock();
            return fill_serial::<T>(t, |out| out.iter_mut().for_each(|x| *x = cast_i64(e.random64() as i64)));
        }
    };
    let mut e = gen.lock();
    // Ranges from 2^28 up take 64 random bits, to keep the modulo bias small.
    fill_serial::<T>(t, |out| {
        for x in out.iter_mut() {
            let r = if range >= 1 << 28 { e.random64() } else { e.random() as u64 };
            *x = cast_i64((r % range).wrapping_add(from as u64) as i64);
        }
    })
}

/// `random_()` without bounds: [0, max] for integral dtypes, [0, 2^digits] for floats.
pub fn random_default_(t: &Tensor, gen: &Generator) -> Result<()> {
    let mut e = gen.lock();
    with_dtype!(t.dtype, T => {
        let wide = matches!(T::DTYPE, DType::I64 | DType::F64);
        let modulus = match T::DTYPE {
            DType::Bool => 2,
            d if d.is_float() => (1u64 << float_digits(d)) + 1,
            d => int_max(d) as u64 + 1,
        };
        fill_serial::<T>(t, |out| {
            for x in out.iter_mut() {
                let r = if wide { e.random64() } else { e.random() as u64 };
                *x = cast_i64((r % modulus) as i64);
            }
        })
    })
}

pub fn bernoulli_scalar_(t: &Tensor, p: f64, gen: &Generator) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return runtime(format!("bernoulli_ expects p to be in [0, 1], but got p={}", p));
    }
    let mut e = gen.lock();
    with_dtype!(t.dtype, T => fill_serial::<T>(t, |out| out.iter_mut().for_each(|x| *x = T::from_bool(e.uniform_f64() < p))))
}

/// `t.bernoulli_(p)` with a tensor of probabilities (broadcast to t's shape): double
/// probabilities are compared with 53-bit uniforms, the other float types with 24-bit ones.
pub fn bernoulli_tensor_(t: &Tensor, p: &Tensor, gen: &Generator) -> Result<()> {
    if t.numel() == 0 {
        return Ok(());
    }
    if !p.dtype.is_float() {
        return not_implemented("bernoulli_tensor_cpu_p_", p.dtype);
    }
    // The probabilities in the order t is visited.
    let order = visiting_order(t.shape(), t.strides());
    let p_view = p.broadcast_to(t.shape())?;
    let probs = p_view.with_layout(p_view.layout.permute(&order)).to_vec::<f64>()?;
    if probs.iter().any(|q| !(0.0..=1.0).contains(q)) {
        return runtime("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)");
    }
    let double = p.dtype == DType::F64;
    let mut e = gen.lock();
    with_dtype!(t.dtype, T => fill_serial::<T>(t, |out| {
        for (x, &q) in out.iter_mut().zip(&probs) {
            *x = T::from_bool(if double { e.uniform_f64() < q } else { e.uniform_f32() < q as f32 });
        }
    }))
}

/// `torch.bernoulli(p)`: 0/1 draws of p's shape and dtype.
pub fn bernoulli(p: &Tensor, gen: &Generator) -> Result<Tensor> {
    let out = Tensor::empty(p.shape(), p.dtype)?;
    bernoulli_tensor_(&out, p, gen)?;
    Ok(out)
}

pub fn rand(shape: &[usize], dtype: DType, gen: &Generator) -> Result<Tensor> {
    let t = Tensor::empty(shape, dtype)?;
    uniform_(&t, 0.0, 1.0, gen)?;
    Ok(t)
}

pub fn randn(shape: &[usize], dtype: DType, gen: &Generator) -> Result<Tensor> {
    normal(0.0, 1.0, shape, dtype, gen)
}

pub fn normal(mean: f64, std: f64, shape: &[usize], dtype: DType, gen: &Generator) -> Result<Tensor> {
    let t = Tensor::empty(shape, dtype)?;
    normal_(&t, mean, std, gen)?;
    Ok(t)
}

pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType, gen: &Generator) -> Result<Tensor> {
    let t = Tensor::empty(shape, dtype)?;
    random_(&t, low, Some(high), gen)?;
    Ok(t)
}

/// Below this size randperm keeps its historical swap loop on 32-bit draws; above, it switches
/// to the inside-out shuffle on 64-bit draws (`uint32 max / 20` in ATen).
const RANDPERM_64BIT_FROM: i64 = u32::MAX as i64 / 20;

pub fn randperm(n: i64, dtype: DType, gen: &Generator) -> Result<Tensor> {
    if n < 0 {
        return runtime(format!("n must be non-negative, got{}", n));
    }
    match dtype {
        DType::F16 if n > (1 << 11) + 1 => return runtime("n cannot be greater than 2049 for Half type."),
        DType::F32 if n > (1 << 24) + 1 => return runtime("n cannot be greater than 2^24+1 for Float type."),
        DType::F64 if n > (1 << 53) + 1 => return runtime("n cannot be greater than 2^53+1 for Double type."),
        DType::Bool => return not_implemented("randperm", dtype),
        _ => {}
    }
    let mut perm: Vec<i64> = Vec::with_capacity(n as usize);
    let mut e = gen.lock();
    if n < RANDPERM_64BIT_FROM {
        perm.extend(0..n);
        for i in 0..(n - 1).max(0) {
            let z = e.random() as i64 % (n - i);
            perm.swap(i as usize, (i + z) as usize);
        }
    } else {
        for i in 0..n {
            let z = (e.random64() % (i as u64 + 1)) as usize;
            perm.push(i);
            perm.swap(i as usize, z);
        }
    }
    drop(e);
    with_dtype!(dtype, T => Tensor::from_vec(perm.into_iter().map(cast_i64::<T>).collect::<Vec<T>>(), &[n as usize]))
}

fn check_std_tensor(std: &Tensor) -> Result<()> {
    if std.to_vec::<f64>()?.iter().any(|s| !(*s >= 0.0)) {
        return runtime("normal expects all elements of std >= 0.0");
    }
    Ok(())
}

/// `normal(mean_tensor, std)`: samples of mean's shape and dtype.
pub fn normal_tensor_mean(mean: &Tensor, std: f64, gen: &Generator) -> Result<Tensor> {
    let out = normal(0.0, std, mean.shape(), mean.dtype, gen)?;
    binary_(BinOp::Add, &out, &Other::Tensor(mean.clone()))?;
    Ok(out)
}

/// `normal(mean, std_tensor)`: samples of std's shape and dtype.
pub fn normal_tensor_std(mean: f64, std: &Tensor, gen: &Generator) -> Result<Tensor> {
    check_std_tensor(std)?;
    let out = randn(std.shape(), std.dtype, gen)?;
    binary_(BinOp::Mul, &out, &Other::Tensor(std.clone()))?;
    // PyTorch adds the mean as a 0-dim tensor of the output's dtype.
    binary_(BinOp::Add, &out, &Other::Tensor(Tensor::scalar(Scalar::Float(mean), out.dtype)?))?;
    Ok(out)
}

/// `normal(mean_tensor, std_tensor)`: the broadcast shape, mean's dtype.
pub fn normal_tensors(mean: &Tensor, std: &Tensor, gen: &Generator) -> Result<Tensor> {
    check_std_tensor(std)?;
    let shape = broadcast_shapes(mean.shape(), std.shape())?;
    let out = randn(&shape, mean.dtype, gen)?;
    binary_(BinOp::Mul, &out, &Other::Tensor(std.clone()))?;
    binary_(BinOp::Add, &out, &Other::Tensor(mean.clone()))?;
    Ok(out)
}

/// The kernel's checks, element by element (NaN fails the first one).
fn check_multinomial_row(row: &[f64]) -> Result<()> {
    for p in row {
        if !(*p >= 0.0) {
            return runtime("invalid multinomial distribution (encountering probability entry < 0)");
        }
        if !p.is_finite() {
            return runtime("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
        }
    }
    Ok(())
}

/// With replacement: inverse-CDF sampling on the normalized running sums, accumulated in the
/// probabilities' precision (`F`: f64 for double, f32 otherwise), one 53-bit uniform per draw.
fn sample_with_replacement<F: num_traits::Float + Into<f64>>(row: &[F], e: &mut Engine, out: &mut [i64]) -> Result<()> {
    let mut sum = F::zero();
    let mut cumulative: Vec<F> = row.iter().map(|&p| { sum = sum + p; sum }).collect();
    if !(sum > F::zero()) {
        return runtime("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    cumulative.iter_mut().for_each(|c| *c = *c / sum);
    if let Some(last) = cumulative.last_mut() {
        *last = F::one();
    }
    for x in out.iter_mut() {
        let u = e.uniform_f64();
        *x = cumulative.partition_point(|&c| c.into() < u) as i64;
    }
    Ok(())
}

/// `multinomial(probs, n)`: for each row of a 1-D or 2-D tensor of weights, `n` category
/// indices (int64).
pub fn multinomial(probs: &Tensor, n_sample: i64, replacement: bool, gen: &Generator) -> Result<Tensor> {
    if !(1..=2).contains(&probs.ndim()) {
        return runtime("prob_dist must be 1 or 2 dim");
    }
    if !probs.dtype.is_float() {
        return runtime(format!("multinomial only supports floating-point dtypes for input, got: {}", type_label(probs.dtype)));
    }
    if n_sample <= 0 {
        return runtime("cannot sample n_sample <= 0 samples");
    }
    let categories = probs.shape()[probs.ndim() - 1];
    if !replacement && n_sample as usize > categories {
        return runtime("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    }
    if categories > 1 << 24 {
        return runtime("number of categories cannot exceed 2^24");
    }
    let n = n_sample as usize;
    let rows = if probs.ndim() == 1 { 1 } else { probs.shape()[0] };
    let shape: Vec<usize> = if probs.ndim() == 1 { vec![n] } else { vec![rows, n] };
    if rows == 0 {
        return Tensor::from_vec(Vec::<i64>::new(), &shape);
    }
    if categories == 0 {
        return runtime("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    let weights = probs.to_vec::<f64>()?;
    let mut out = vec![0i64; rows * n];
    if !replacement || n == 1 {
        exponential_race(probs, &weights, categories, &mut out, gen)?;
    } else {
        let mut e = gen.lock();
        for (row, chunk) in weights.chunks(categories).zip(out.chunks_mut(n)) {
            check_multinomial_row(row)?;
            if probs.dtype == DType::F64 {
                sample_with_replacement(row, &mut e, chunk)?;
            } else {
                let row32: Vec<f32> = row.iter().map(|&p| p as f32).collect();
                sample_with_replacement(&row32, &mut e, chunk)?;
            }
        }
    }
    Tensor::from_vec(out, &shape)
}

/// Without replacement (or a single draw): the `n` largest `p / q` with `q ~ Exp(1)` drawn into
/// a tensor like `probs` (the Gumbel-max trick), largest first.
fn exponential_race(probs: &Tensor, weights: &[f64], categories: usize, out: &mut [i64], gen: &Generator) -> Result<()> {
    if weights.iter().any(|&p| !(p >= 0.0 && p < f64::INFINITY)) {
        return runtime("probability tensor contains either `inf`, `nan` or element < 0");
    }
    if weights.chunks(categories).any(|row| row.iter().sum::<f64>() == 0.0) {
        return runtime("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    let q = empty_like(probs, probs.dtype, true)?;
    exponential_(&q, 1.0, gen)?;
    let q = q.to_vec::<f64>()?;
    let n = out.len() / (weights.len() / categories);
    for ((row, qs), chunk) in weights.chunks(categories).zip(q.chunks(categories)).zip(out.chunks_mut(n)) {
        // The quotient rounded to the probabilities' dtype, as PyTorch divides in that dtype.
        let keys: Vec<f64> = with_dtype!(probs.dtype, T => row.iter().zip(qs).map(|(&p, &q)| T::from_f64(p / q).to_f64()).collect());
        let mut order: Vec<usize> = (0..categories).collect();
        order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
        for (x, &i) in chunk.iter_mut().zip(&order) {
            *x = i as i64;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visiting_order_follows_memory() {
        assert_eq!(visiting_order(&[3, 4], &[4, 1]), vec![0, 1]);
        assert_eq!(visiting_order(&[4, 3], &[1, 4]), vec![1, 0]);
        assert_eq!(visiting_order(&[2, 3, 4], &[1, 8, 2]), vec![1, 2, 0]);
    }

    #[test]
    fn random_stays_in_bounds_for_every_dtype() {
        let g = Generator::new(3);
        // uint16/32/64 and complex have no random kernel (PyTorch's "not implemented").
        for d in crate::dtype::ALL_DTYPES.into_iter().filter(|d| !d.is_limited_uint() && !d.is_complex()) {
            let t = randint(0, 2, &[1000], d, &g).unwrap().to_vec::<f64>().unwrap();
            assert!(t.iter().all(|&v| v == 0.0 || v == 1.0), "{:?}", d);
        }
        let t = Tensor::empty(&[100], DType::U8).unwrap();
        random_default_(&t, &g).unwrap();
        assert!(random_(&t, -1, Some(3), &g).is_err());
    }

    #[test]
    fn multinomial_without_replacement_draws_distinct_categories() {
        let g = Generator::new(5);
        let p = Tensor::from_vec(vec![0.1f32, 0.0, 0.5, 0.4], &[4]).unwrap();
        let s = multinomial(&p, 3, false, &g).unwrap().to_vec::<i64>().unwrap();
        let mut sorted = s.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 2, 3]);
    }
}
