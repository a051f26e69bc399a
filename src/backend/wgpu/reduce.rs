//! Reductions on the GPU: sum, mean, max, min over any set of dims (or all of them), and the
//! positions of the extremes (argmax/argmin, `max(dim)`). One workgroup reduces one output
//! element with a tree in workgroup memory; a large all-reduce first splits its range over many
//! workgroups and reduces their partial results in a second pass. f32 only; other dtypes take
//! the CPU kernel (`Ok(false)`).
use super::context;
use super::launch::{buffer_of, fits_i32, launch, WORKGROUP};
use crate::dtype::DType;
use crate::error::Result;
use crate::storage::Device;
use crate::tensor::Tensor;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reduction {
    Sum,
    Mean,
    Max,
    Min,
}

impl Reduction {
    fn init(self) -> &'static str {
        match self {
            Reduction::Sum | Reduction::Mean => "0.0",
            Reduction::Max => "-bitcast<f32>(0x7f800000u)",
            Reduction::Min => "bitcast<f32>(0x7f800000u)",
        }
    }
    /// Whether value `v` at position `i` replaces the current `(a, ai)`: NaN wins, and among
    /// equal values the first position (as PyTorch's CPU kernels).
    fn better(self) -> &'static str {
        match self {
            Reduction::Max => "(v > a) || (nan(v) && !nan(a)) || ((v == a || (nan(v) && nan(a))) && i < ai)",
            Reduction::Min => "(v < a) || (nan(v) && !nan(a)) || ((v == a || (nan(v) && nan(a))) && i < ai)",
            _ => unreachable!("sums have no positions"),
        }
    }
}

/// Dims of the input split into the kept ones (in output order) and the reduced ones.
struct Plan {
    kept: Vec<(usize, isize)>,
    reduced: Vec<(usize, isize)>,
    offset: usize,
}

impl Plan {
    fn of(t: &Tensor, dims: &[usize]) -> Plan {
        let dim = |d: usize| (t.shape()[d], t.strides()[d]);
        Plan {
            kept: (0..t.ndim()).filter(|d| !dims.contains(d)).map(dim).collect(),
            reduced: dims.iter().map(|&d| dim(d)).collect(),
            offset: t.layout.offset,
        }
    }
    fn outputs(&self) -> usize {
        self.kept.iter().map(|k| k.0).product()
    }
    fn count(&self) -> usize {
        self.reduced.iter().map(|r| r.0).product()
    }
    fn params(&self, split: usize, count: usize) -> Vec<i32> {
        let mut p = vec![self.outputs() as i32, self.count() as i32, split as i32, self.offset as i32, self.kept.len() as i32, self.reduced.len() as i32];
        for group in [&self.kept, &self.reduced] {
            p.extend(group.iter().map(|g| g.0 as i32));
            p.extend(group.iter().map(|g| g.1 as i32));
        }
        p.push((count as f32).to_bits() as i32);
        p
    }
}

/// The element offset of position `r` over the dims at params[base..] (`n` sizes, then `n`
/// strides), WGSL.
const OFFSET_FN: &str = r#"
fn offset_of(r: i32, n: i32, base: i32) -> i32 {
    var rem = r;
    var off = 0;
    for (var k = n - 1; k >= 0; k = k - 1) {
        let size = params[base + k];
        off = off + (rem % size) * params[base + n + k];
        rem = rem / size;
    }
    return off;
}
fn nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
"#;

fn kernel(kind: Reduction, with_positions: bool, writes_values: bool) -> String {
    let step = match (kind, with_positions) {
        (Reduction::Sum | Reduction::Mean, _) => "a = a + v;".to_string(),
        (Reduction::Max, false) => "if (v > a || nan(v)) { a = select(v, a, nan(a)); }".to_string(),
        (Reduction::Min, false) => "if (v < a || nan(v)) { a = select(v, a, nan(a)); }".to_string(),
        (_, true) => format!("if ({}) {{ a = v; ai = i; }}", kind.better()),
    };
    let merge = match (kind, with_positions) {
        (Reduction::Sum | Reduction::Mean, _) => "acc[lid] = acc[lid] + acc[lid + stride];".to_string(),
        (_, false) => format!("let v = acc[lid + stride]; var a = acc[lid]; {step} acc[lid] = a;"),
        (_, true) => format!("let v = acc[lid + stride]; let i = pos[lid + stride]; var a = acc[lid]; var ai = pos[lid]; {step} acc[lid] = a; pos[lid] = ai;"),
    };
    let finish = if kind == Reduction::Mean { "acc[0] / bitcast<f32>(params[nparams - 1])" } else { "acc[0]" };
    let mut write = String::new();
    if writes_values {
        write.push_str(&format!("dst[g] = {finish};"));
    }
    if with_positions {
        // int64 positions as (low, high) words.
        write.push_str(" positions[2 * g] = u32(pos[0]); positions[2 * g + 1] = 0u;");
    }
    let bindings = format!(
        "{}@group(0) @binding(1) var<storage, read> src: array<f32>;\n{}",
        if writes_values { "@group(0) @binding(0) var<storage, read_write> dst: array<f32>;\n" } else { "" },
        if with_positions { "@group(0) @binding(2) var<storage, read_write> positions: array<u32>;\nvar<workgroup> pos: array<i32, 256>;\n" } else { "" },
    );
    format!(
        r#"{bindings}@group(0) @binding(7) var<storage, read> params: array<i32>;
var<workgroup> acc: array<f32, {WORKGROUP}>;
{OFFSET_FN}
@compute @workgroup_size({WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let lid = lid3.x;
    let g = i32(wid.x + wid.y * nwg.x);
    let outputs = params[0]; let count = params[1]; let split = params[2];
    let nk = params[4]; let nr = params[5];
    let nparams = 7 + 2 * (nk + nr);
    if (g >= outputs * split) {{ return; }}
    let o = g / split; let s = g % split;
    let base = params[3] + offset_of(o, nk, 6);
    let lo = s * (count / split) + min(s, count % split);
    let hi = lo + count / split + select(0, 1, s < count % split);
    var a = {init};
    var ai = 2147483647;
    for (var i = lo + i32(lid); i < hi; i = i + {WORKGROUP}) {{
        let v = src[base + offset_of(i, nr, 6 + 2 * nk)];
        {step}
    }}
    acc[lid] = a;
    {save_pos}
    workgroupBarrier();
    for (var stride = {half}u; stride > 0u; stride = stride >> 1u) {{
        if (lid < stride) {{ {merge} }}
        workgroupBarrier();
    }}
    if (lid == 0u) {{ {write} }}
}}
"#,
        init = kind.init(),
        save_pos = if with_positions { "pos[lid] = ai;" } else { "_ = ai;" },
        half = WORKGROUP / 2,
    )
}

fn groups(n: usize) -> (u32, u32, u32) {
    let n = n.max(1) as u32;
    let x = n.min(65535);
    (x, n.div_ceil(x), 1)
}

/// Elements one workgroup reduces before an all-reduce is split over several.
const PER_GROUP: usize = 1 << 14;

fn supported(t: &Tensor) -> bool {
    t.dtype == DType::F32 && t.device() == Device::Cuda && fits_i32(t) && t.numel() > 0
}

/// `out` (contiguous, one element per kept position) = the reduction of `t` over `dims`.
pub fn reduce(t: &Tensor, dims: &[usize], out: &Tensor, kind: Reduction) -> Result<bool> {
    if !supported(t) || out.dtype != DType::F32 {
        return Ok(false);
    }
    let gpu = context()?;
    let plan = Plan::of(t, dims);
    let (m, k) = (plan.outputs(), plan.count());
    let src = buffer_of(t, false, false)?;
    let split = if m < 64 && k >= 4 * PER_GROUP { (k / PER_GROUP).min(1024) } else { 1 };
    if split == 1 {
        let dst = buffer_of(out, true, true)?;
        let key = format!("reduce_{:?}", kind);
        return launch(gpu, &key, || kernel(kind, false, true), &[(0, &dst), (1, &src)], &plan.params(1, k), 7, groups(m)).map(|_| true);
    }
    // Pass 1: `split` partial results per output; pass 2 reduces them (a mean divides once).
    let partial = Tensor::empty_on(&[m, split], DType::F32, Device::Cuda)?;
    let first = if kind == Reduction::Mean { Reduction::Sum } else { kind };
    let part_buf = buffer_of(&partial, true, true)?;
    launch(gpu, &format!("reduce_{:?}", first), || kernel(first, false, true), &[(0, &part_buf), (1, &src)], &plan.params(split, k), 7, groups(m * split))?;
    let second = Plan { kept: vec![(m, split as isize)], reduced: vec![(split, 1)], offset: 0 };
    let dst = buffer_of(out, true, true)?;
    launch(gpu, &format!("reduce_{:?}", kind), || kernel(kind, false, true), &[(0, &dst), (1, &part_buf)], &second.params(1, k), 7, groups(m))?;
    Ok(true)
}

/// The extreme of `t` along `dim` and its first position: `values` (optional, f32) and
/// `positions` (int64), both contiguous with one element per lane.
pub fn arg_reduce(t: &Tensor, dim: usize, values: Option<&Tensor>, positions: &Tensor, kind: Reduction) -> Result<bool> {
    if !supported(t) || positions.dtype != DType::I64 || values.is_some_and(|v| v.dtype != DType::F32) {
        return Ok(false);
    }
    let gpu = context()?;
    let plan = Plan::of(t, &[dim]);
    let src = buffer_of(t, false, false)?;
    let pos = buffer_of(positions, true, true)?;
    let key = format!("argreduce_{:?}_{}", kind, values.is_some());
    let params = plan.params(1, plan.count());
    match values {
        Some(v) => {
            let dst = buffer_of(v, true, true)?;
            launch(gpu, &key, || kernel(kind, true, true), &[(0, &dst), (1, &src), (2, &pos)], &params, 7, groups(plan.outputs()))?;
        }
        None => launch(gpu, &key, || kernel(kind, true, false), &[(1, &src), (2, &pos)], &params, 7, groups(plan.outputs()))?,
    }
    Ok(true)
}

/// `softmax` (or `log_softmax`) of `t` along `dim` in one pass per lane: a workgroup finds the
/// lane's maximum and its sum of exponentials with two tree reductions, then writes the lane
/// into the contiguous `out` (of `t`'s shape, `dim` last in memory only when it is last).
pub fn softmax(t: &Tensor, dim: usize, out: &Tensor, log: bool) -> Result<bool> {
    if !supported(t) || out.dtype != DType::F32 || dim + 1 != t.ndim() || !out.is_contiguous() {
        return Ok(false);
    }
    let gpu = context()?;
    let plan = Plan::of(t, &[dim]);
    let src = buffer_of(t, false, false)?;
    let dst = buffer_of(out, true, out.layout.offset == 0)?;
    let finish = if log { "v - m - log(s)" } else { "exp(v - m) / s" };
    let wgsl = || {
        format!(
            r#"@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(7) var<storage, read> params: array<i32>;
var<workgroup> acc: array<f32, {WORKGROUP}>;
{OFFSET_FN}
@compute @workgroup_size({WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let lid = lid3.x;
    let o = i32(wid.x + wid.y * nwg.x);
    let lanes = params[0]; let n = params[1]; let nk = params[4];
    if (o >= lanes) {{ return; }}
    let base = params[3] + offset_of(o, nk, 6);
    let stride = params[6 + 2 * nk + 1];
    // NaN is ignored by the maximum but then poisons the sum, as on the CPU.
    var m = -bitcast<f32>(0x7f800000u);
    for (var i = i32(lid); i < n; i = i + {WORKGROUP}) {{ let v = src[base + i * stride]; if (v > m) {{ m = v; }} }}
    acc[lid] = m;
    workgroupBarrier();
    for (var h = {half}u; h > 0u; h = h >> 1u) {{
        if (lid < h && acc[lid + h] > acc[lid]) {{ acc[lid] = acc[lid + h]; }}
        workgroupBarrier();
    }}
    m = acc[0];
    workgroupBarrier();
    var s = 0.0;
    for (var i = i32(lid); i < n; i = i + {WORKGROUP}) {{ s = s + exp(src[base + i * stride] - m); }}
    acc[lid] = s;
    workgroupBarrier();
    for (var h = {half}u; h > 0u; h = h >> 1u) {{
        if (lid < h) {{ acc[lid] = acc[lid] + acc[lid + h]; }}
        workgroupBarrier();
    }}
    s = acc[0];
    for (var i = i32(lid); i < n; i = i + {WORKGROUP}) {{
        let v = src[base + i * stride];
        dst[params[{out_offset}] + o * n + i] = {finish};
    }}
}}
"#,
            half = WORKGROUP / 2,
            out_offset = 7 + 2 * (plan.kept.len() + 1),
        )
    };
    let mut params = plan.params(1, plan.count());
    params.push(out.layout.offset as i32);
    let key = format!("softmax_{}_{}", log, plan.kept.len());
    launch(gpu, &key, wgsl, &[(0, &dst), (1, &src)], &params, 7, groups(plan.outputs()))?;
    Ok(true)
}
