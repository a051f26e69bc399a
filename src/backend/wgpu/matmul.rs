//! Matrix products on the GPU: `out = alpha * a @ b (+ beta * out)` for every matrix of a
//! batch, in f32. A workgroup of 16x16 threads computes a 64x64 tile of `out`, each thread a 4x4
//! block held in registers, stepping through K in tiles of 16 staged in workgroup memory.
//! Operands may have any strides (transposed views, broadcast batch dims); the batch offsets
//! come from the batch shape and strides as in the elementwise kernels.
use super::context;
use super::launch::{buffer_of, covers_storage, fits_i32, launch};
use crate::dtype::DType;
use crate::error::Result;
use crate::storage::Device;
use crate::tensor::Tensor;
use std::sync::Arc;

const TILE: u32 = 64;

const KERNEL: &str = r#"
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> lhs: array<f32>;
@group(0) @binding(2) var<storage, read> rhs: array<f32>;
@group(0) @binding(7) var<storage, read> params: array<i32>;
// A tile: [k][row], B tile: [k][col].
var<workgroup> tile_a: array<f32, 1024>;
var<workgroup> tile_b: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let m = params[0]; let n = params[1]; let k = params[2]; let nb = params[3];
    let read_dst = params[4] != 0;
    let alpha = bitcast<f32>(params[5]); let beta = bitcast<f32>(params[6]);
    var off_o = params[7]; var off_a = params[8]; var off_b = params[9];
    let a_rs = params[10]; let a_cs = params[11]; let b_rs = params[12]; let b_cs = params[13];
    let o_rs = params[14]; let o_cs = params[15];
    var rem = i32(wid.z);
    for (var d = nb - 1; d >= 0; d = d - 1) {
        let size = params[16 + d];
        let idx = rem % size;
        rem = rem / size;
        off_o = off_o + idx * params[16 + nb + d];
        off_a = off_a + idx * params[16 + 2 * nb + d];
        off_b = off_b + idx * params[16 + 3 * nb + d];
    }
    let row0 = i32(wid.y) * 64;
    let col0 = i32(wid.x) * 64;
    let tx = i32(lid % 16u);
    let ty = i32(lid / 16u);
    var acc: array<f32, 16>;
    for (var k0 = 0; k0 < k; k0 = k0 + 16) {
        for (var q = 0; q < 4; q = q + 1) {
            let e = i32(lid) + 256 * q;
            // A: 64 rows x 16 k; B: 16 k x 64 cols (zero outside the matrices).
            let ar = e / 16; let ak = e % 16;
            let gr = row0 + ar; let gk = k0 + ak;
            var va = 0.0;
            if (gr < m && gk < k) { va = lhs[off_a + gr * a_rs + gk * a_cs]; }
            tile_a[ak * 64 + ar] = va;
            let bk = e / 64; let bc = e % 64;
            let hk = k0 + bk; let gc = col0 + bc;
            var vb = 0.0;
            if (hk < k && gc < n) { vb = rhs[off_b + hk * b_rs + gc * b_cs]; }
            tile_b[bk * 64 + bc] = vb;
        }
        workgroupBarrier();
        for (var kk = 0; kk < 16; kk = kk + 1) {
            var ra: array<f32, 4>;
            var rb: array<f32, 4>;
            for (var i = 0; i < 4; i = i + 1) {
                ra[i] = tile_a[kk * 64 + ty * 4 + i];
                rb[i] = tile_b[kk * 64 + tx * 4 + i];
            }
            for (var i = 0; i < 4; i = i + 1) {
                for (var j = 0; j < 4; j = j + 1) {
                    acc[i * 4 + j] = fma(ra[i], rb[j], acc[i * 4 + j]);
                }
            }
        }
        workgroupBarrier();
    }
    for (var i = 0; i < 4; i = i + 1) {
        let r = row0 + ty * 4 + i;
        for (var j = 0; j < 4; j = j + 1) {
            let c = col0 + tx * 4 + j;
            if (r < m && c < n) {
                let at = off_o + r * o_rs + c * o_cs;
                var v = alpha * acc[i * 4 + j];
                if (read_dst) { v = v + beta * dst[at]; }
                dst[at] = v;
            }
        }
    }
}
"#;

/// `out = alpha * a @ b + beta * out` (`beta` ignored unless `read_dst`) on the GPU; `out` is
/// (…, m, n), `a` (…, m, k), `b` (…, k, n) with equal (possibly broadcast) batch dims.
/// `Ok(false)`: not an f32 product the kernel does.
pub fn product(out: &Tensor, a: &Tensor, b: &Tensor, alpha: f32, beta: f32, read_dst: bool) -> Result<bool> {
    let all = [out, a, b];
    if all.iter().any(|t| t.dtype != DType::F32 || t.device() != Device::Cuda || !fits_i32(t)) || Arc::ptr_eq(&out.storage, &a.storage) || Arc::ptr_eq(&out.storage, &b.storage) {
        return Ok(false);
    }
    let gpu = context()?;
    let nd = out.ndim();
    let (m, n, k) = (out.shape()[nd - 2], out.shape()[nd - 1], a.shape()[nd - 1]);
    let batch = &out.shape()[..nd - 2];
    let count: usize = batch.iter().product();
    if count == 0 || m == 0 || n == 0 {
        return Ok(true);
    }
    let s = |t: &Tensor, d: usize| t.strides()[d] as i32;
    let mut params = vec![
        m as i32, n as i32, k as i32, batch.len() as i32, read_dst as i32,
        alpha.to_bits() as i32, beta.to_bits() as i32,
        out.layout.offset as i32, a.layout.offset as i32, b.layout.offset as i32,
        s(a, nd - 2), s(a, nd - 1), s(b, nd - 2), s(b, nd - 1), s(out, nd - 2), s(out, nd - 1),
    ];
    params.extend(batch.iter().map(|&d| d as i32));
    for t in all {
        params.extend((0..nd - 2).map(|d| s(t, d)));
    }
    let groups = ((n as u32).div_ceil(TILE), (m as u32).div_ceil(TILE), count as u32);
    if groups.0 > 65535 || groups.1 > 65535 || groups.2 > 65535 {
        return Ok(false);
    }
    let (lhs, rhs) = (buffer_of(a, false, false)?, buffer_of(b, false, false)?);
    let dst = buffer_of(out, true, !read_dst && covers_storage(out))?;
    launch(gpu, "matmul_f32_64x64_4x4_k16", || KERNEL.to_string(), &[(0, &dst), (1, &lhs), (2, &rhs)], &params, 7, groups)?;
    Ok(true)
}
