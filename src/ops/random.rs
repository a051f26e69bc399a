//! Random ops: in-place samplers (`uniform_`, `normal_`, `random_`, `bernoulli_`,
//! `exponential_`) and the factories built on them (`rand`, `randn`, `randint`, `randperm`,
//! `normal`, `bernoulli`, `multinomial`). Every op makes one draw from a `Generator`.
use crate::backend::cpu::threads;
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::layout::broadcast_shapes;
use crate::ops::binary::{binary_, type_label, BinOp, Other};
use crate::random::{unit_f32, unit_f64, Generator};
use crate::tensor::Tensor;
use crate::with_dtype;
use half::{bf16, f16};
use rand::distr::{Distribution, Uniform};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng as Rng;
use rand_distr::{Exp1, StandardNormal};

/// Writes generated values into `t`: straight into its memory when contiguous, else through
/// a contiguous temporary. `f` gets a chunk's rng, the chunk's first index, and the chunk.
fn fill_with<T: Element>(t: &Tensor, gen: &Generator, f: impl Fn(&mut Rng, usize, &mut [T]) + Sync) -> Result<()> {
    let n = t.numel();
    if n == 0 {
        return Ok(());
    }
    let target = if t.is_contiguous() { t.clone() } else { Tensor::empty(t.shape(), t.dtype)? };
    // SAFETY: `target` is contiguous with n elements of T (callers dispatch on its dtype), and
    // nothing reads it while it is filled.
    let out = unsafe { std::slice::from_raw_parts_mut(target.data_ptr::<T>(), n) };
    gen.draw().fill(out, f);
    if t.is_contiguous() {
        t.storage.bump_version();
        Ok(())
    } else {
        t.copy_(&target)
    }
}

fn not_implemented<R>(kernel: &str, dtype: DType) -> Result<R> {
    runtime(format!("\"{}\" not implemented for '{}'", kernel, type_label(dtype)))
}

/// Fills a floating tensor from a continuous distribution: `single(rng, mantissa_bits)` for
/// f32/f16/bf16, `double(rng)` for f64. Other dtypes raise PyTorch's dispatch error.
fn fill_float(
    t: &Tensor,
    gen: &Generator,
    kernel: &str,
    single: impl Fn(&mut Rng, u32) -> f32 + Sync,
    double: impl Fn(&mut Rng) -> f64 + Sync,
) -> Result<()> {
    if t.numel() == 0 {
        return Ok(());
    }
    match t.dtype {
        DType::F64 => fill_with::<f64>(t, gen, |rng, _, c| c.iter_mut().for_each(|x| *x = double(rng))),
        DType::F32 => fill_with::<f32>(t, gen, |rng, _, c| c.iter_mut().for_each(|x| *x = single(rng, 24))),
        DType::F16 => fill_with::<f16>(t, gen, |rng, _, c| c.iter_mut().for_each(|x| *x = f16::from_f32(single(rng, 11)))),
        DType::BF16 => fill_with::<bf16>(t, gen, |rng, _, c| c.iter_mut().for_each(|x| *x = bf16::from_f32(single(rng, 8)))),
        d => not_implemented(kernel, d),
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

/// The range of values a dtype holds, as i64 bounds (floats: their finite range, clamped).
fn int_bounds(dtype: DType) -> (i64, i64) {
    match dtype {
        DType::Bool => (0, 1),
        DType::U8 => (0, u8::MAX as i64),
        DType::I8 => (i8::MIN as i64, i8::MAX as i64),
        DType::I16 => (i16::MIN as i64, i16::MAX as i64),
        DType::I32 => (i32::MIN as i64, i32::MAX as i64),
        DType::I64 => (i64::MIN, i64::MAX),
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 => {
            let max = float_max(dtype).min(i64::MAX as f64) as i64;
            (-max, max)
        }
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
    let span = to - from;
    let (from32, span32) = (from as f32, span as f32);
    fill_float(t, gen, "check_uniform_bounds", |rng, bits| from32 + unit_f32(rng, bits) * span32, |rng| from + unit_f64(rng, 53) * span)
}

pub fn normal_(t: &Tensor, mean: f64, std: f64, gen: &Generator) -> Result<()> {
    // (NaN fails the comparison too.)
    if !(std >= 0.0) {
        return runtime(format!("normal expects std >= 0.0, but found std {}", std));
    }
    let (mean32, std32) = (mean as f32, std as f32);
    fill_float(
        t,
        gen,
        "normal_kernel_cpu",
        |rng, _| mean32 + std32 * <StandardNormal as Distribution<f32>>::sample(&StandardNormal, rng),
        |rng| mean + std * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng),
    )
}

pub fn exponential_(t: &Tensor, lambda: f64, gen: &Generator) -> Result<()> {
    if !(lambda > 0.0) {
        return runtime(format!("exponential_ expects lambda > 0.0, but found lambda={}", lambda));
    }
    let inv32 = (1.0 / lambda) as f32;
    fill_float(
        t,
        gen,
        "exponential_cpu",
        |rng, _| inv32 * <Exp1 as Distribution<f32>>::sample(&Exp1, rng),
        |rng| <Exp1 as Distribution<f64>>::sample(&Exp1, rng) / lambda,
    )
}

/// `random_(from, to)`: integers uniform in [from, to); without `to`, up to the largest value
/// the dtype holds exactly (2^digits for floats).
pub fn random_(t: &Tensor, from: i64, to: Option<i64>, gen: &Generator) -> Result<()> {
    let to_inclusive = match to {
        Some(to) if from >= to => return runtime(format!("random_ expects 'from' to be less than 'to', but got from={} >= to={}", from, to)),
        Some(to) => to - 1,
        None if t.dtype.is_float() => 1i64 << float_digits(t.dtype).min(62),
        None => int_bounds(t.dtype).1,
    };
    if from > to_inclusive {
        return runtime(format!(
            "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={} > to_inc={}",
            from, to_inclusive
        ));
    }
    let (lo, hi) = int_bounds(t.dtype);
    let name = c_type_name(t.dtype);
    if !(lo..=hi).contains(&from) {
        return runtime(format!("from is out of bounds for {}", name));
    }
    if !(lo..=hi).contains(&to_inclusive) {
        return runtime(format!("to - 1 is out of bounds for {}", name));
    }
    // The count of values, minus one, fits in u64 even for the full int64 range.
    let last = (to_inclusive as i128 - from as i128) as u64;
    let dist = Uniform::new_inclusive(0u64, last).map_err(|e| crate::error::Error::Runtime(e.to_string()))?;
    with_dtype!(t.dtype, T => fill_with::<T>(t, gen, |rng, _, c| {
        c.iter_mut().for_each(|x| *x = T::from_i64(from.wrapping_add(dist.sample(rng) as i64)))
    }))
}

pub fn bernoulli_scalar_(t: &Tensor, p: f64, gen: &Generator) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return runtime(format!("bernoulli_ expects p to be in [0, 1], but got p={}", p));
    }
    with_dtype!(t.dtype, T => fill_with::<T>(t, gen, |rng, _, c| {
        c.iter_mut().for_each(|x| *x = T::from_bool(unit_f64(rng, 53) < p))
    }))
}

/// `t.bernoulli_(p)` with a tensor of probabilities (broadcast to t's shape).
pub fn bernoulli_tensor_(t: &Tensor, p: &Tensor, gen: &Generator) -> Result<()> {
    if !p.dtype.is_float() {
        return not_implemented("bernoulli_tensor_cpu_p_", p.dtype);
    }
    let probs = p.broadcast_to(t.shape())?.to_vec::<f64>()?;
    if probs.iter().any(|q| !(0.0..=1.0).contains(q)) {
        return runtime("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)");
    }
    with_dtype!(t.dtype, T => fill_with::<T>(t, gen, |rng, start, c| {
        for (x, &q) in c.iter_mut().zip(&probs[start..]) {
            *x = T::from_bool(unit_f64(rng, 53) < q);
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

pub fn randperm(n: i64, dtype: DType, gen: &Generator) -> Result<Tensor> {
    if n < 0 {
        return runtime(format!("n must be non-negative, got{}", n));
    }
    if dtype == DType::Bool {
        return not_implemented("randperm_cpu", dtype);
    }
    let mut perm: Vec<i64> = (0..n).collect();
    perm.shuffle(&mut gen.draw().rng(0));
    with_dtype!(dtype, T => Tensor::from_vec(perm.into_iter().map(T::from_i64).collect::<Vec<T>>(), &[n as usize]))
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
    binary_(BinOp::Add, &out, &Other::Scalar(crate::dtype::Scalar::Float(mean)))?;
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

fn check_multinomial_row(row: &[f64], replacement: bool) -> Result<()> {
    if replacement {
        if row.iter().any(|&p| p < 0.0) {
            return runtime("invalid multinomial distribution (encountering probability entry < 0)");
        }
        if row.iter().any(|p| !p.is_finite()) {
            return runtime("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
        }
    } else if row.iter().any(|&p| !(p >= 0.0 && p < f64::INFINITY)) {
        return runtime("probability tensor contains either `inf`, `nan` or element < 0");
    }
    if !(row.iter().sum::<f64>() > 0.0) {
        return runtime("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    Ok(())
}

/// Draws `out.len()` category indices from the weights `row`.
fn sample_row(rng: &mut Rng, row: &[f64], replacement: bool, out: &mut [i64]) {
    if replacement {
        let cumulative: Vec<f64> = row.iter().scan(0.0, |acc, &p| { *acc += p; Some(*acc) }).collect();
        let total = cumulative[cumulative.len() - 1];
        for x in out.iter_mut() {
            let u = unit_f64(rng, 53) * total;
            *x = cumulative.partition_point(|&c| c <= u).min(row.len() - 1) as i64;
        }
    } else {
        // The exponential race (PyTorch's algorithm): the k largest p / Exp(1) keys are a
        // sample without replacement of k categories weighted by p.
        let mut keys: Vec<(f64, usize)> = row.iter().enumerate().map(|(i, &p)| (p / <Exp1 as Distribution<f64>>::sample(&Exp1, rng), i)).collect();
        keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (x, &(_, i)) in out.iter_mut().zip(&keys) {
            *x = i as i64;
        }
    }
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
    let weights = probs.to_vec::<f64>()?;
    let replacement = replacement && n > 1;
    for row in weights.chunks(categories.max(1)) {
        check_multinomial_row(row, replacement)?;
    }
    let mut out = vec![0i64; rows * n];
    let draw = gen.draw();
    let sample = |(r, chunk): (usize, &mut [i64])| sample_row(&mut draw.rng(r), &weights[r * categories..(r + 1) * categories], replacement, chunk);
    if rows * categories.max(n) < crate::random::CHUNK {
        out.chunks_mut(n).enumerate().for_each(sample);
    } else {
        threads::parallel_chunks(&mut out, n, &|r, chunk| sample((r, chunk)));
    }
    let shape: Vec<usize> = if probs.ndim() == 1 { vec![n] } else { vec![rows, n] };
    Tensor::from_vec(out, &shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_stays_in_bounds_for_every_dtype() {
        let g = Generator::new(3);
        for d in crate::dtype::ALL_DTYPES {
            let t = randint(0, 2, &[1000], d, &g).unwrap().to_vec::<f64>().unwrap();
            assert!(t.iter().all(|&v| v == 0.0 || v == 1.0), "{:?}", d);
        }
        let t = Tensor::empty(&[100], DType::U8).unwrap();
        random_(&t, 0, None, &g).unwrap();
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
