//! Fused optimizer updates on the GPU: one kernel per parameter and step does what
//! `ops::optim`'s CPU loops do, in the same order of operations (f32, fused multiply-adds where
//! they use them). The option flags are compiled into the kernel; the scalars travel in the
//! dispatch parameters.
use super::context;
use super::launch::{buffer_of, fits_i32, groups_for, launch, WORKGROUP};
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::optim::{Adam, Sgd};
use crate::storage::Device;
use crate::tensor::Tensor;
use std::sync::Arc;

/// Runs `body` (WGSL over `t0[i]`, `t1[i]`, … and scalars `c0`, `c1`, …) once per element of
/// the contiguous f32 `tensors`; `written[j]` says which ones it stores to. `Ok(false)`: the
/// tensors are not all contiguous distinct f32 buffers of one size.
fn fused(key: &str, body: &str, tensors: &[&Tensor], written: &[bool], scalars: &[f64]) -> Result<bool> {
    let n = tensors[0].numel();
    let distinct = tensors.iter().enumerate().all(|(i, a)| tensors[..i].iter().all(|b| !Arc::ptr_eq(&a.storage, &b.storage)));
    if !distinct || tensors.iter().any(|t| t.dtype != DType::F32 || t.device() != Device::Cuda || !t.is_contiguous() || t.numel() != n || !fits_i32(t)) {
        return Ok(false);
    }
    if n == 0 {
        return Ok(true);
    }
    let gpu = context()?;
    let mut decl = String::new();
    for (j, w) in written.iter().enumerate() {
        let access = if *w { "read_write" } else { "read" };
        decl.push_str(&format!("@group(0) @binding({j}) var<storage, {access}> t{j}: array<f32>;\n"));
    }
    let consts: String = (0..scalars.len()).map(|k| format!("    let c{k} = bitcast<f32>(params[{}]);\n", 1 + tensors.len() + k)).collect();
    let offsets: String = (0..tensors.len()).map(|j| format!("    let o{j} = params[{}] + idx;\n", 1 + j)).collect();
    let wgsl = || {
        format!(
            r#"{decl}@group(0) @binding(7) var<storage, read> params: array<i32>;
@compute @workgroup_size({WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let idx = i32(gid.x + gid.y * nwg.x * {WORKGROUP}u);
    if (idx >= params[0]) {{ return; }}
{offsets}{consts}{body}
}}
"#
        )
    };
    let mut params = vec![n as i32];
    params.extend(tensors.iter().map(|t| t.layout.offset as i32));
    params.extend(scalars.iter().map(|&s| (s as f32).to_bits() as i32));
    let buffers = tensors.iter().zip(written).map(|(t, &w)| buffer_of(t, w, false)).collect::<Result<Vec<_>>>()?;
    let bindings: Vec<(u32, &wgpu::Buffer)> = buffers.iter().enumerate().map(|(j, b)| (j as u32, b)).collect();
    launch(gpu, key, wgsl, &bindings, &params, 7, groups_for(n))?;
    for (t, &w) in tensors.iter().zip(written) {
        if w {
            t.storage.bump_version();
        }
    }
    Ok(true)
}

/// One SGD update (see `ops::optim::sgd`); `first`: the momentum buffer is new.
pub fn sgd(param: &Tensor, grad: &Tensor, buffer: Option<&Tensor>, first: bool, o: Sgd) -> Result<bool> {
    let decay = if o.weight_decay != 0.0 { "d = fma(pv, c3, d);" } else { "" };
    let update = match (buffer.is_some(), first, o.nesterov) {
        (false, ..) => "t0[o0] = fma(d, c0, pv);".to_string(),
        (true, first, nesterov) => format!(
            "let b = {}; t2[o2] = b; let step = {}; t0[o0] = fma(step, c0, pv);",
            if first { "d" } else { "fma(d, c2, t2[o2] * c1)" },
            if nesterov { "fma(b, c1, d)" } else { "b" },
        ),
    };
    let body = format!("    let pv = t0[o0];\n    var d = t1[o1] * c4;\n    {decay}\n    {update}");
    let key = format!("sgd_{}_{}_{}_{}", buffer.is_some(), first, o.nesterov, o.weight_decay != 0.0);
    let mut tensors = vec![param, grad];
    tensors.extend(buffer);
    let written = [true, false, true];
    let sign = if o.maximize { -1.0 } else { 1.0 };
    fused(&key, &body, &tensors, &written[..tensors.len()], &[-o.lr, o.momentum, 1.0 - o.dampening, o.weight_decay, sign])
}

/// One Adam/AdamW update (see `ops::optim::adam`).
pub fn adam(param: &Tensor, grad: &Tensor, exp_avg: &Tensor, exp_avg_sq: &Tensor, max_exp_avg_sq: Option<&Tensor>, o: Adam) -> Result<bool> {
    let step_size = o.lr / (1.0 - o.beta1.powf(o.step));
    let bias_correction2_sqrt = (1.0 - o.beta2.powf(o.step)).sqrt();
    let small_weight = 1.0 - o.beta1 < 0.5;
    let decay = match (o.weight_decay != 0.0, o.decoupled_weight_decay) {
        (false, _) => "",
        (true, true) => "pv = pv * c2;",
        (true, false) => "d = fma(pv, c1, d);",
    };
    let lerp = if small_weight { "fma(c3, diff, t2[o2])" } else { "fma(c4, diff, d)" };
    let second = if max_exp_avg_sq.is_some() { "let second = max(t4[o4], vv); t4[o4] = second;" } else { "let second = vv;" };
    let body = format!(
        "    var pv = t0[o0];\n    var d = t1[o1] * c8;\n    {decay}\n    let diff = d - t2[o2];\n    let mv = {lerp};\n    t2[o2] = mv;\n    let vv = t3[o3] * c5 + (c6 * d) * d;\n    t3[o3] = vv;\n    {second}\n    let denom = sqrt(second) / c7 + c9;\n    t0[o0] = pv + (c0 * mv) / denom;"
    );
    let key = format!("adam_{}_{}_{}_{}", o.weight_decay != 0.0, o.decoupled_weight_decay, small_weight, max_exp_avg_sq.is_some());
    let mut tensors = vec![param, grad, exp_avg, exp_avg_sq];
    tensors.extend(max_exp_avg_sq);
    let written = [true, false, true, true, true];
    let weight = 1.0 - o.beta1;
    let sign = if o.maximize { -1.0 } else { 1.0 };
    let scalars = [-step_size, o.weight_decay, 1.0 - o.lr * o.weight_decay, weight, -(1.0 - weight), o.beta2, 1.0 - o.beta2, bias_correction2_sqrt, sign, o.eps];
    fused(&key, &body, &tensors, &written[..tensors.len()], &scalars)
}
