//! Generated elementwise kernels: one WGSL template for every unary, binary, comparison,
//! logical and ternary op. The op supplies an expression over its operands `x`, `y`, `z`
//! (written in the op's table beside its Rust formula); each operand is a tensor (any strides:
//! broadcast views have stride 0) or a scalar carried in the dispatch parameters. A kernel is
//! compiled once per (op, operand dtypes, layout class) and cached.
//!
//! Element types: f32, i32, and the byte types bool and uint8 (read from 4-byte words and
//! written with atomic byte updates, so any layout works). Other dtypes have no kernel here:
//! `map` answers `Ok(false)` and the op runs its CPU kernel on the host copies.
use super::context;
use super::launch::{buffer_of, covers_storage, fits_i32, groups_for, launch, WORKGROUP};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::layout::Layout;
use crate::storage::Device;
use crate::tensor::Tensor;
use std::sync::Arc;

/// One operand of an elementwise kernel, seen by the expression as a value of `as_type`.
pub struct Input<'a> {
    pub value: Value<'a>,
    pub as_type: DType,
}

pub enum Value<'a> {
    Tensor(&'a Tensor),
    Scalar(Scalar),
}

impl<'a> Input<'a> {
    pub fn tensor(t: &'a Tensor) -> Input<'a> {
        Input { value: Value::Tensor(t), as_type: t.dtype }
    }
    pub fn scalar(s: Scalar, as_type: DType) -> Input<'a> {
        Input { value: Value::Scalar(s), as_type }
    }
}

const NAMES: [&str; 3] = ["x", "y", "z"];

/// The WGSL type an element of `dtype` is computed as, when the GPU has one.
pub fn value_type(dtype: DType) -> Option<&'static str> {
    match dtype {
        DType::F32 => Some("f32"),
        DType::I32 => Some("i32"),
        DType::U8 => Some("u32"),
        DType::Bool => Some("bool"),
        _ => None,
    }
}

fn is_byte(dtype: DType) -> bool {
    matches!(dtype, DType::Bool | DType::U8)
}

/// WGSL converting `e` (a value of `from`) to a value of `to`, with C's conversions.
pub fn convert(from: DType, to: DType, e: &str) -> String {
    if from == to {
        return e.to_string();
    }
    match (from, to) {
        (DType::Bool, DType::F32) => format!("select(0.0, 1.0, {e})"),
        (DType::Bool, DType::I32) => format!("select(0i, 1i, {e})"),
        (DType::Bool, _) => format!("select(0u, 1u, {e})"),
        (DType::F32, DType::Bool) => format!("({e} != 0.0)"),
        (DType::I32, DType::Bool) => format!("({e} != 0i)"),
        (_, DType::Bool) => format!("({e} != 0u)"),
        (DType::F32, DType::U8) => format!("(u32(i32({e})) & 255u)"),
        (DType::I32, DType::U8) => format!("(u32({e}) & 255u)"),
        (_, to) => format!("{}({e})", value_type(to).expect("a GPU dtype")),
    }
}

/// The storage array type of a dtype's buffer.
fn array_type(dtype: DType, written: bool) -> &'static str {
    match dtype {
        DType::F32 => "f32",
        DType::I32 => "i32",
        _ if written => "atomic<u32>",
        _ => "u32",
    }
}

/// WGSL reading element `at` of `array` (of `dtype`) as a value of that dtype.
fn load(array: &str, dtype: DType, at: &str, atomic: bool) -> String {
    if !is_byte(dtype) {
        return format!("{array}[{at}]");
    }
    let word = if atomic { format!("atomicLoad(&{array}[({at}) >> 2u])") } else { format!("{array}[({at}) >> 2u]") };
    let byte = format!("(({word} >> ((u32({at}) & 3u) * 8u)) & 255u)");
    if dtype == DType::Bool {
        format!("({byte} != 0u)")
    } else {
        byte
    }
}

/// WGSL writing `v` (a value of `dtype`) at element `at` of `dst`.
fn store(dtype: DType, at: &str, v: &str) -> String {
    if !is_byte(dtype) {
        return format!("dst[{at}] = {v};");
    }
    // Other invocations own the other bytes of the word: clear ours, then set it.
    let byte = convert(dtype, DType::U8, v);
    format!(
        "let w = ({at}) >> 2u; let sh = (u32({at}) & 3u) * 8u;\n    atomicAnd(&dst[w], ~(255u << sh));\n    atomicOr(&dst[w], ({byte}) << sh);"
    )
}

/// How operand `j` is reached: a buffer of its own, the output's buffer (it aliases it), or
/// scalar parameter word `k`.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Buffer(usize),
    Output,
    Param(usize),
}

/// `out = expr(inputs)`, computed as values of `result` and converted to `out`'s dtype. `name`
/// identifies `expr` in the kernel cache. `Ok(false)`: a dtype without a GPU kernel.
pub fn map(name: &str, expr: &str, result: DType, out: &Tensor, inputs: &[Input]) -> Result<bool> {
    if out.device() != Device::Cuda {
        return Ok(false);
    }
    // A CPU operand may only be a (broadcast) 0-dim tensor, which PyTorch lets join a GPU op:
    // its value becomes a scalar parameter.
    let mut owned = Vec::with_capacity(inputs.len());
    for input in inputs {
        owned.push(match input.value {
            Value::Tensor(t) if t.device() != Device::Cuda => {
                if t.strides().iter().any(|&s| s != 0) {
                    return Ok(false);
                }
                let one = t.with_layout(Layout { shape: Default::default(), strides: Default::default(), offset: t.layout.offset });
                Input::scalar(one.item()?, input.as_type)
            }
            Value::Tensor(t) => Input { value: Value::Tensor(t), as_type: input.as_type },
            Value::Scalar(s) => Input::scalar(s, input.as_type),
        });
    }
    let inputs = &owned[..];
    let tensors = inputs.iter().filter_map(|i| match i.value {
        Value::Tensor(t) => Some(t),
        Value::Scalar(_) => None,
    });
    let all = std::iter::once(out).chain(tensors.clone());
    if value_type(result).is_none() || inputs.iter().any(|i| value_type(i.as_type).is_none()) || !all.clone().all(|t| value_type(t.dtype).is_some() && fits_i32(t)) {
        return Ok(false);
    }
    if out.numel() == 0 {
        return Ok(true);
    }
    let gpu = context()?;
    let nd = out.ndim();
    // Inputs on the output's storage read from the output's binding (one buffer may not be
    // bound for reading and writing at once).
    let mut sources = Vec::new();
    let mut bound: Vec<&Tensor> = Vec::new();
    let mut scalars: Vec<i32> = Vec::new();
    for input in inputs {
        sources.push(match input.value {
            Value::Tensor(t) if Arc::ptr_eq(&t.storage, &out.storage) => Source::Output,
            Value::Tensor(t) => {
                bound.push(t);
                Source::Buffer(bound.len() - 1)
            }
            Value::Scalar(s) => {
                scalars.push(scalar_word(s, input.as_type));
                Source::Param(scalars.len() - 1)
            }
        });
    }
    let aliased = sources.contains(&Source::Output);
    let contiguous = all.clone().all(|t| t.is_contiguous() && t.numel() == out.numel());
    let byte_out = is_byte(out.dtype);

    // [n, nd, offsets (out, 3 inputs), shape, out strides, 3 x input strides, scalars]
    let mut params = vec![out.numel() as i32, nd as i32, out.layout.offset as i32];
    let slot = |j: usize| inputs.iter().zip(&sources).filter(|(_, s)| !matches!(s, Source::Param(_))).nth(j);
    let tensor_at = |j: usize| slot(j).map(|(i, _)| match i.value {
        Value::Tensor(t) => t,
        Value::Scalar(_) => unreachable!("scalars have no slot"),
    });
    for j in 0..3 {
        params.push(tensor_at(j).map_or(0, |t| t.layout.offset as i32));
    }
    params.extend(out.shape().iter().map(|&d| d as i32));
    params.extend(out.strides().iter().map(|&d| d as i32));
    for j in 0..3 {
        match tensor_at(j) {
            Some(t) => params.extend(t.strides().iter().map(|&d| d as i32)),
            None => params.extend(std::iter::repeat_n(0, nd)),
        }
    }
    params.extend_from_slice(&scalars);

    let mut key = format!("ew_{name}_{:?}_{:?}_{}", result, out.dtype, if contiguous { "c" } else { "s" });
    for (input, source) in inputs.iter().zip(&sources) {
        let stored = match input.value {
            Value::Tensor(t) => format!("{:?}", t.dtype),
            Value::Scalar(_) => "S".into(),
        };
        key.push_str(&format!("_{}{}{:?}", stored, match source { Source::Output => "o", _ => "" }, input.as_type));
    }
    let wgsl = || {
        let mut decl = format!("@group(0) @binding(0) var<storage, read_write> dst: array<{}>;\n", array_type(out.dtype, true));
        for (b, t) in bound.iter().enumerate() {
            decl.push_str(&format!("@group(0) @binding({}) var<storage, read> in{b}: array<{}>;\n", b + 1, array_type(t.dtype, false)));
        }
        decl.push_str("@group(0) @binding(7) var<storage, read> params: array<i32>;\n");
        let mut body = String::new();
        let mut tensor_slot = 0;
        for (j, (input, source)) in inputs.iter().zip(&sources).enumerate() {
            let v = match (source, &input.value) {
                (Source::Param(k), _) => scalar_load(input.as_type, *k),
                (src, Value::Tensor(t)) => {
                    let at = format!("o{}", tensor_slot + 1);
                    tensor_slot += 1;
                    let array = match src { Source::Output => "dst".to_string(), Source::Buffer(b) => format!("in{b}"), _ => unreachable!() };
                    convert(t.dtype, input.as_type, &load(&array, t.dtype, &at, *src == Source::Output && byte_out))
                }
                (_, Value::Scalar(_)) => unreachable!("scalars are parameters"),
            };
            body.push_str(&format!("    let {} = {};\n", NAMES[j], v));
        }
        body.push_str(&format!("    let r = {};\n", convert(result, out.dtype, &format!("({expr})"))));
        body.push_str(&format!("    {}\n", store(out.dtype, "o0", "r")));
        let index = if contiguous {
            "    let o0 = params[2] + i; let o1 = params[3] + i; let o2 = params[4] + i; let o3 = params[5] + i;\n".to_string()
        } else {
            r#"    let nd = params[1];
    var rem = i;
    var o0 = params[2]; var o1 = params[3]; var o2 = params[4]; var o3 = params[5];
    for (var k = nd - 1; k >= 0; k = k - 1) {
        let size = params[6 + k];
        let idx = rem % size;
        rem = rem / size;
        o0 = o0 + idx * params[6 + nd + k];
        o1 = o1 + idx * params[6 + 2 * nd + k];
        o2 = o2 + idx * params[6 + 3 * nd + k];
        o3 = o3 + idx * params[6 + 4 * nd + k];
    }
"#
            .to_string()
        };
        format!(
            r#"{decl}{HELPERS}
@compute @workgroup_size({WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let i = i32(gid.x + gid.y * nwg.x * {WORKGROUP}u);
    if (i >= params[0]) {{ return; }}
{index}{body}}}
"#
        )
    };
    let mut buffers = Vec::new();
    for t in &bound {
        buffers.push(buffer_of(t, false, false)?);
    }
    let dst = buffer_of(out, true, covers_storage(out) && !aliased)?;
    let mut bindings: Vec<(u32, &wgpu::Buffer)> = vec![(0, &dst)];
    bindings.extend(buffers.iter().enumerate().map(|(b, buf)| (b as u32 + 1, buf)));
    launch(gpu, &key, wgsl, &bindings, &params, 7, groups_for(out.numel()))?;
    Ok(true)
}

/// A scalar operand's bits in a parameter word (as the expression's operand type).
fn scalar_word(s: Scalar, as_type: DType) -> i32 {
    match as_type {
        DType::F32 => (s.to_f64() as f32).to_bits() as i32,
        DType::Bool => (s.to_f64() != 0.0) as i32,
        DType::U8 => s.to_i64() as u8 as i32,
        _ => s.to_i64() as i32,
    }
}

/// WGSL reading scalar `k`, which follows the 6 + 5 * ndim layout words (ndim is read at run
/// time: one kernel serves every rank).
fn scalar_load(as_type: DType, k: usize) -> String {
    let word = format!("params[6 + 5 * params[1] + {k}]");
    match as_type {
        DType::F32 => format!("bitcast<f32>({word})"),
        DType::Bool => format!("({word} != 0i)"),
        DType::U8 => format!("u32({word})"),
        _ => word,
    }
}

/// Functions the op expressions may call (WGSL has no erf, no NaN-propagating max, and its
/// `pow` is undefined for negative bases).
const HELPERS: &str = r#"
fn nan_f32() -> f32 { return bitcast<f32>(0x7fc00000u); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn relu_f32(x: f32) -> f32 { return select(0.0, x, x > 0.0 || is_nan(x)); }
fn sign_f32(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
fn max_f32(x: f32, y: f32) -> f32 { return select(select(y, x, x >= y), nan_f32(), is_nan(x) || is_nan(y)); }
fn min_f32(x: f32, y: f32) -> f32 { return select(select(y, x, x <= y), nan_f32(), is_nan(x) || is_nan(y)); }
fn fmax_f32(x: f32, y: f32) -> f32 { return select(select(select(y, x, x >= y), x, is_nan(y)), y, is_nan(x)); }
fn fmin_f32(x: f32, y: f32) -> f32 { return select(select(select(y, x, x <= y), x, is_nan(y)), y, is_nan(x)); }
fn tanh_f32(x: f32) -> f32 { return select(tanh(clamp(x, -15.0, 15.0)), x, is_nan(x)); }
fn sigmoid_f32(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
// Near 0, series keep the relative precision that exp(x) - 1 and log(1 + x) lose.
fn expm1_f32(x: f32) -> f32 {
    if (abs(x) < 0.05) {
        return x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * (0.0013888889 + x * 0.0001984127))))));
    }
    return exp(x) - 1.0;
}
fn log1p_f32(x: f32) -> f32 {
    if (abs(x) < 0.05) {
        return x * (1.0 - x * (0.5 - x * (0.33333334 - x * (0.25 - x * (0.2 - x * (0.16666667 - x * (0.14285715 - x * (0.125 - x * 0.11111111))))))));
    }
    return log(1.0 + x);
}
fn erf_f32(x: f32) -> f32 {
    let a = abs(x);
    if (a < 1.0) {
        // Maclaurin series of 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
        let t = x * x;
        var term = x;
        var sum = x;
        for (var n = 1; n < 14; n = n + 1) {
            term = -term * t / f32(n);
            sum = sum + term / f32(2 * n + 1);
        }
        return 1.1283791670955126 * sum;
    }
    // Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, small next to erf's size).
    let k = 1.0 / (1.0 + 0.3275911 * a);
    let p = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
    return sign(x) * (1.0 - p * exp(-a * a));
}
fn pow_f32(x: f32, y: f32) -> f32 {
    if (y == 0.0) { return 1.0; }
    if (y == 1.0) { return x; }
    if (y == 2.0) { return x * x; }
    if (y == 0.5) { return sqrt(x); }
    let r = exp2(y * log2(abs(x)));
    if (x >= 0.0 || is_nan(x)) { return select(r, x, is_nan(x)); }
    if (floor(y) != y) { return nan_f32(); }
    return select(r, -r, fract(y * 0.5) != 0.0);
}
"#;
