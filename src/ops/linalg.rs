//! Matrix products: `mm`, `mv`, `dot`, `matmul` (with PyTorch's 1-D/2-D/batched rules and
//! batch broadcasting), `bmm`, the `add*` fused forms, `outer` and `inner`. Floating products
//! run on the `gemm` crate (runtime CPU dispatch, rayon-parallel in the intra-op pool) and read
//! strided operands in place, so transposed views are never copied; integer products use a
//! straightforward row kernel.
use crate::backend::cpu::simd::dispatch;
use crate::backend::cpu::threads;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Result};
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::binary::{binary, type_label, Arith, BinOp, Other};
use crate::tensor::Tensor;
use gemm::Parallelism;
use half::{bf16, f16};

/// The C++ type names PyTorch's `mm` dtype error uses ("float != long int").
fn c_type_name(d: DType) -> &'static str {
    match d {
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

fn check_same_dtype(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype != b.dtype {
        return runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            c_type_name(a.dtype),
            c_type_name(b.dtype)
        ));
    }
    Ok(())
}

/// The dtypes the product kernel lacks; PyTorch checks them only when there is an element to
/// compute, so an empty product of bools is fine.
fn check_product_dtype(d: DType) -> Result<()> {
    if d == DType::Bool {
        return runtime("\"addmm_impl_cpu_\" not implemented for 'Bool'");
    }
    if d.is_complex() || d.is_limited_uint() {
        // Complex products go through `matmul`, which splits them into real ones.
        return Err(crate::dtype::not_implemented_for("addmm_impl_cpu_", d));
    }
    Ok(())
}

/// A view of `t` with its last two dims swapped (`mT`).
fn transposed(t: &Tensor) -> Tensor {
    let n = t.ndim();
    let mut l = t.layout.clone();
    l.shape.swap(n - 2, n - 1);
    l.strides.swap(n - 2, n - 1);
    t.with_layout(l)
}

/// A view with a size-1 dim inserted at `dim` (stride chosen so the view stays valid).
fn unsqueeze(t: &Tensor, dim: usize) -> Tensor {
    let mut l = t.layout.clone();
    let stride = if dim < t.ndim() { l.strides[dim] * l.shape[dim] as isize } else { 1 };
    l.shape.insert(dim, 1);
    l.strides.insert(dim, stride);
    t.with_layout(l)
}

/// `mm`: (m×k) @ (k×n).
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 {
        return runtime("self must be a matrix");
    }
    if b.ndim() != 2 {
        return runtime("mat2 must be a matrix");
    }
    check_mm_shapes(a.shape()[0], a.shape()[1], b.shape()[0], b.shape()[1])?;
    check_same_dtype(a, b)?;
    let out = Tensor::empty(&[a.shape()[0], b.shape()[1]], a.dtype)?;
    product_into(&out, a, b, None)?;
    Ok(out)
}

fn check_mm_shapes(m: usize, k: usize, k2: usize, n: usize) -> Result<()> {
    if k != k2 {
        return runtime(format!("mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", m, k, k2, n));
    }
    Ok(())
}

fn check_mv_shapes(rows: usize, k: usize, kv: usize) -> Result<()> {
    if k != kv {
        return runtime(format!("size mismatch, got input ({}), mat ({}x{}), vec ({})", rows, rows, k, kv));
    }
    Ok(())
}

/// `mv`: (m×k) @ (k) -> (m).
pub fn mv(a: &Tensor, v: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 || v.ndim() != 1 {
        return runtime(format!("vector + matrix @ vector expected, got 1, {}, {}", a.ndim(), v.ndim()));
    }
    check_mv_shapes(a.shape()[0], a.shape()[1], v.shape()[0])?;
    check_same_dtype(a, v)?;
    let out = Tensor::empty(&[a.shape()[0], 1], a.dtype)?;
    product_into(&out, a, &unsqueeze(v, 1), None)?;
    out.reshape(&[a.shape()[0] as i64])
}

/// `dot` / `vdot` (real tensors): 1-D tensors of one dtype and length.
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 1 || b.ndim() != 1 {
        return runtime(format!("1D tensors expected, but got {}D and {}D tensors", a.ndim(), b.ndim()));
    }
    if a.dtype != b.dtype {
        return runtime(format!(
            "dot : expected both vectors to have same dtype, but found {} and {}",
            type_label(a.dtype),
            type_label(b.dtype)
        ));
    }
    let (n, nb) = (a.numel(), b.numel());
    if n != nb {
        return runtime(format!(
            "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
            n, nb, n, nb
        ));
    }
    if a.dtype == DType::Bool {
        return runtime("\"dot\" not implemented for 'Bool'");
    }
    if a.device() == crate::storage::Device::Cuda {
        // The GPU's matrix product, as (1 x n) @ (n x 1).
        return mm(&unsqueeze(a, 0), &unsqueeze(b, 1))?.reshape(&[]);
    }
    let (sa, sb) = (a.strides()[0], b.strides()[0]);
    crate::with_dtype!(a.dtype, T => {
        // SAFETY: both vectors hold n elements `sa`/`sb` apart.
        let v = unsafe { dot_kernel(a.data_ptr::<T>(), sa, b.data_ptr::<T>(), sb, n) };
        Tensor::from_vec(vec![v], &[])
    })
}

/// Dot product with 8 independent accumulators (vectorised when both strides are 1).
unsafe fn dot_kernel<T: Element + Arith>(a: *const T, sa: isize, b: *const T, sb: isize, n: usize) -> T {
    dispatch(#[inline(always)] || dot_lanes(a, sa, b, sb, n))
}

/// `dot_kernel`'s body, forced inline (with the closure calling it) so it is compiled inside
/// each `dispatch` variant.
#[inline(always)]
unsafe fn dot_lanes<T: Element + Arith>(a: *const T, sa: isize, b: *const T, sb: isize, n: usize) -> T {
    const L: usize = 8;
    let mut acc = [T::ZERO; L];
    let full = n / L * L;
    for c in (0..full).step_by(L) {
        for i in 0..L {
            let j = (c + i) as isize;
            acc[i] = acc[i].add(a.offset(j * sa).read().mul(b.offset(j * sb).read()));
        }
    }
    let mut total = T::ZERO;
    for j in full..n {
        total = total.add(a.offset(j as isize * sa).read().mul(b.offset(j as isize * sb).read()));
    }
    acc.iter().fold(total, |s, &x| s.add(x))
}

/// `outer` / `ger`: a[i] * b[j], with the usual type promotion.
pub fn outer(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    for (t, name) in [(a, "self"), (b, "vec2")] {
        if t.ndim() != 1 {
            return runtime(format!("outer: Expected 1-D argument {}, but got {}-D", name, t.ndim()));
        }
    }
    binary(BinOp::Mul, &unsqueeze(a, 1), &Other::Tensor(unsqueeze(b, 0)))
}

/// `inner`: sums over the last dim of both; the result has a's then b's leading dims.
pub fn inner(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return binary(BinOp::Mul, a, &Other::Tensor(b.clone()));
    }
    let (ka, kb) = (a.shape()[a.ndim() - 1], b.shape()[b.ndim() - 1]);
    if ka != kb {
        return runtime(format!(
            "inner() the last dimension must match on both input tensors but got shapes {:?} and {:?}",
            a.shape(),
            b.shape()
        ));
    }
    let lhs = a.reshape(&[-1, ka as i64])?;
    let rhs = b.reshape(&[-1, kb as i64])?;
    let out = mm(&lhs, &transposed(&rhs))?;
    let shape: Vec<i64> = a.shape()[..a.ndim() - 1].iter().chain(&b.shape()[..b.ndim() - 1]).map(|&d| d as i64).collect();
    out.reshape(&shape)
}

/// `bmm`: (B×m×k) @ (B×k×n).
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (bs, m, n) = check_bmm(a, b)?;
    // batch2's dtype, as PyTorch allocates the result (it differs from batch1's only when empty).
    let out = Tensor::empty(&[bs, m, n], b.dtype)?;
    product_into(&out, a, b, None)?;
    Ok(out)
}

fn check_bmm(a: &Tensor, b: &Tensor) -> Result<(usize, usize, usize)> {
    if a.ndim() != 3 {
        return runtime("batch1 must be a 3D tensor");
    }
    if b.ndim() != 3 {
        return runtime("batch2 must be a 3D tensor");
    }
    let (bs, k) = (a.shape()[0], a.shape()[2]);
    check_batch2(bs, k, b.shape()[0], b.shape()[1])?;
    let (m, n) = (a.shape()[1], b.shape()[2]);
    // PyTorch's batched kernel returns an empty result before it compares the dtypes.
    if bs * m * n > 0 {
        check_same_dtype(a, b)?;
    }
    Ok((bs, m, n))
}

fn check_batch2(bs: usize, k: usize, bs2: usize, k2: usize) -> Result<()> {
    if bs != bs2 || k != k2 {
        return runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            bs, k, bs2, k2
        ));
    }
    Ok(())
}

/// `matmul` / `@`.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.dtype.is_complex() || b.dtype.is_complex() {
        return super::complex::matmul(a, b, matmul);
    }
    let (da, db) = (a.ndim(), b.ndim());
    if da == 0 || db == 0 {
        return runtime(format!("both arguments to matmul need to be at least 1D, but they are {}D and {}D", da, db));
    }
    match (da, db) {
        (1, 1) => return dot(a, b),
        (2, 1) => return mv(a, b),
        (1, 2) => {
            check_mm_shapes(1, a.shape()[0], b.shape()[0], b.shape()[1])?;
            return mm(&unsqueeze(a, 0), b)?.reshape(&[b.shape()[1] as i64]);
        }
        (2, 2) => return mm(a, b),
        _ => {}
    }
    let k = a.shape()[da - 1];
    let kb = b.shape()[if db == 1 { 0 } else { db - 2 }];
    let m = if da >= 2 { a.shape()[da - 2] } else { 1 };
    // (…, m, k) @ (k) or (k, n) folds a's batch into its rows, as PyTorch does when it can.
    if da >= 3 && db <= 2 {
        let rows: usize = a.shape()[..da - 1].iter().product();
        if let Some(strides) = a.layout.view_strides(&[rows, k]) {
            let folded = a.with_layout(Layout { shape: [rows, k].as_slice().into(), strides, offset: a.layout.offset });
            let mut shape: Vec<i64> = a.shape()[..da - 1].iter().map(|&d| d as i64).collect();
            return if db == 1 {
                check_mv_shapes(rows, k, kb)?;
                mv(&folded, b)?.reshape(&shape)
            } else {
                check_mm_shapes(rows, k, kb, b.shape()[1])?;
                shape.push(b.shape()[1] as i64);
                mm(&folded, b)?.reshape(&shape)
            };
        }
    }
    let batch_a = if da >= 3 { &a.shape()[..da - 2] } else { &[][..] };
    let batch_b = if db >= 3 { &b.shape()[..db - 2] } else { &[][..] };
    let batch = broadcast_shapes(batch_a, batch_b)?;
    let bs: usize = batch.iter().product();
    check_batch2(bs, k, bs, kb)?;
    check_same_dtype(a, b)?;
    let n = if db >= 2 { b.shape()[db - 1] } else { 1 };
    let a3 = if da == 1 { unsqueeze(a, 0) } else { a.clone() };
    let b3 = if db == 1 { unsqueeze(b, 1) } else { b.clone() };
    let with_batch = |t: &Tensor, rows: usize, cols: usize| -> Result<Tensor> {
        let shape: Vec<usize> = batch.iter().copied().chain([rows, cols]).collect();
        t.broadcast_to(&shape)
    };
    let (a3, b3) = (with_batch(&a3, m, k)?, with_batch(&b3, k, n)?);
    let full: Vec<usize> = batch.iter().copied().chain([m, n]).collect();
    let out = Tensor::empty(&full, a.dtype)?;
    product_into(&out, &a3, &b3, None)?;
    let mut shape: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
    if da >= 2 {
        shape.push(m as i64);
    }
    if db >= 2 {
        shape.push(n as i64);
    }
    out.reshape(&shape)
}

/// How an `add*` op scales the existing output (`beta`) and the product (`alpha`).
#[derive(Clone, Copy)]
pub struct Scale {
    pub beta: Scalar,
    pub alpha: Scalar,
}

/// `beta * input + alpha * product`, with `input` broadcast to the product's shape (and
/// ignored when beta is 0, so its NaNs do not propagate).
fn add_product(input: &Tensor, shape: &[usize], scale: Scale, compute: impl FnOnce(&Tensor, Option<Scale>) -> Result<()>) -> Result<Tensor> {
    let out = Tensor::empty(shape, input.dtype)?;
    if scale.beta.to_f64() == 0.0 {
        out.fill_(Scalar::Int(0))?;
    } else {
        out.copy_(input)?;
    }
    compute(&out, Some(scale))?;
    Ok(out)
}

fn check_input_dtype(input: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype != b.dtype {
        return runtime(format!("mat1 and mat2 must have the same dtype, but got {} and {}", type_label(a.dtype), type_label(b.dtype)));
    }
    if input.dtype != b.dtype {
        return runtime(format!("self and mat2 must have the same dtype, but got {} and {}", type_label(input.dtype), type_label(b.dtype)));
    }
    Ok(())
}

/// `addmm`: beta * input + alpha * (a @ b).
pub fn addmm(input: &Tensor, a: &Tensor, b: &Tensor, scale: Scale) -> Result<Tensor> {
    check_input_dtype(input, a, b)?;
    for (t, name) in [(a, "mat1"), (b, "mat2")] {
        if t.ndim() != 2 {
            return runtime(format!("{} must be a matrix, got {}-D tensor", name, t.ndim()));
        }
    }
    check_mm_shapes(a.shape()[0], a.shape()[1], b.shape()[0], b.shape()[1])?;
    check_same_dtype(a, b)?;
    add_product(input, &[a.shape()[0], b.shape()[1]], scale, |out, s| product_into(out, a, b, s))
}

/// `addmv`: beta * input + alpha * (a @ v).
pub fn addmv(input: &Tensor, a: &Tensor, v: &Tensor, scale: Scale) -> Result<Tensor> {
    if a.ndim() != 2 || v.ndim() != 1 || input.ndim() > 1 {
        return runtime(format!("vector + matrix @ vector expected, got {}, {}, {}", input.ndim(), a.ndim(), v.ndim()));
    }
    check_mv_shapes(a.shape()[0], a.shape()[1], v.shape()[0])?;
    check_input_dtype(input, a, v)?;
    check_same_dtype(a, v)?;
    let m = a.shape()[0];
    let column = input.broadcast_to(&[m])?;
    let out = add_product(&unsqueeze(&column, 1), &[m, 1], scale, |out, s| product_into(out, a, &unsqueeze(v, 1), s))?;
    out.reshape(&[m as i64])
}

/// `baddbmm`: beta * input + alpha * bmm(a, b).
pub fn baddbmm(input: &Tensor, a: &Tensor, b: &Tensor, scale: Scale) -> Result<Tensor> {
    let (bs, m, n) = check_bmm(a, b)?;
    if bs * m * n == 0 {
        input.broadcast_to(&[bs, m, n])?;
        return bmm(a, b);
    }
    check_input_dtype(input, a, b)?;
    add_product(input, &[bs, m, n], scale, |out, s| product_into(out, a, b, s))
}

/// `addbmm`: beta * input + alpha * sum over the batch of a[i] @ b[i].
pub fn addbmm(input: &Tensor, a: &Tensor, b: &Tensor, scale: Scale) -> Result<Tensor> {
    let (bs, m, n) = check_bmm(a, b)?;
    check_input_dtype(input, a, b)?;
    add_product(input, &[m, n], scale, |out, s| {
        let mut s = s.expect("add_product passes its scale");
        for i in 0..bs {
            product_into(out, &select0(a, i), &select0(b, i), Some(s))?;
            // Later products add onto the running sum.
            s.beta = Scalar::Int(1);
        }
        Ok(())
    })
}

/// Matrix `i` of a batch.
fn select0(t: &Tensor, i: usize) -> Tensor {
    let l = &t.layout;
    t.with_layout(Layout {
        shape: l.shape[1..].into(),
        strides: l.strides[1..].into(),
        offset: (l.offset as isize + i as isize * l.strides[0]) as usize,
    })
}

/// Multiply-adds below which a product runs on the calling thread (a 64x64x64 product takes
/// ~7 µs alone and ~25 µs split over two threads).
const PARALLEL_PRODUCT: usize = 1 << 20;

/// One matrix operand: element offset from the storage start, row and column strides.
#[derive(Clone, Copy)]
struct Mat {
    offset: isize,
    rows: isize,
    cols: isize,
}

/// `out = a @ b` (or `beta * out + alpha * a @ b`) for every matrix of a batch: `out` is a
/// contiguous (…, m, n) tensor, `a` and `b` are (…, m, k) and (…, k, n) views with the same
/// batch dims (possibly broadcast, stride 0).
fn product_into(out: &Tensor, a: &Tensor, b: &Tensor, scale: Option<Scale>) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    check_product_dtype(out.dtype)?;
    if out.dtype == DType::BF16 {
        // No bf16 kernel: compute in f32 and round once.
        let wide = out.to_dtype(DType::F32)?;
        product_into(&wide, &a.to_dtype(DType::F32)?, &b.to_dtype(DType::F32)?, scale)?;
        return out.copy_(&wide);
    }
    if out.device() == crate::storage::Device::Cuda {
        let (alpha, beta) = scale.map_or((1.0, 0.0), |s| (s.alpha.to_f64() as f32, s.beta.to_f64() as f32));
        let read_dst = scale.is_some_and(|s| s.beta.to_f64() != 0.0);
        if crate::backend::wgpu::matmul::product(out, a, b, alpha, beta, read_dst)? {
            return Ok(());
        }
    }
    let nd = out.ndim();
    let (m, n, k) = (out.shape()[nd - 2], out.shape()[nd - 1], a.shape()[nd - 1]);
    let batch = &out.shape()[..nd - 2];
    let count: usize = batch.iter().product();
    if count == 0 || m == 0 || n == 0 {
        return Ok(());
    }
    let mats: Vec<[Mat; 3]> = (0..count)
        .map(|i| {
            let mut r = i;
            let mut offs = [out.layout.offset as isize, a.layout.offset as isize, b.layout.offset as isize];
            for d in (0..batch.len()).rev() {
                let c = (r % batch[d]) as isize;
                r /= batch[d];
                offs[0] += c * out.strides()[d];
                offs[1] += c * a.strides()[d];
                offs[2] += c * b.strides()[d];
            }
            let mat = |t: &Tensor, off: isize| Mat { offset: off, rows: t.strides()[nd - 2], cols: t.strides()[nd - 1] };
            [mat(out, offs[0]), mat(a, offs[1]), mat(b, offs[2])]
        })
        .collect();
    // Work per product and in all: small products stay on the calling thread (a hand-off to
    // the pool costs more than they do).
    let work = m * n * k.max(1);
    let parallel = threads::num_threads() > 1 && work * count >= PARALLEL_PRODUCT;
    let run = || -> Result<()> {
        crate::with_dtype!(out.dtype, T => {
            let ptrs = [out.storage.as_ptr() as usize, a.storage.as_ptr() as usize, b.storage.as_ptr() as usize];
            let (beta, alpha) = match scale {
                Some(s) => (T::from_scalar(s.beta), T::from_scalar(s.alpha)),
                None => (T::ZERO, T::ONE),
            };
            let read_dst = scale.is_some_and(|s| s.beta.to_f64() != 0.0);
            let one = |d: Dims, mats: &[Mat; 3]| {
                // SAFETY: the offsets and strides come from valid layouts of these storages,
                // and each task writes its own block of an output matrix.
                unsafe {
                    T::product(
                        d,
                        Operand { ptr: ptrs[0] as *mut T, mat: mats[0] },
                        Operand { ptr: ptrs[1] as *mut T, mat: mats[1] },
                        Operand { ptr: ptrs[2] as *mut T, mat: mats[2] },
                        read_dst,
                        beta,
                        alpha,
                    )
                }
            };
            if !parallel {
                mats.iter().for_each(|x| one(Dims { m, n, k }, x));
            } else {
                // Each task computes one block of rows or columns of one product on one
                // thread: gemm's own rayon splitting scaled to only ~1.5x on two cores.
                let blocks = if count >= threads::num_threads() { 1 } else { threads::num_threads() };
                let split = ProductSplit::new(Dims { m, n, k }, blocks);
                threads::parallel_for(count * split.blocks, &|t| {
                    let (d, block) = split.block(&mats[t / split.blocks], t % split.blocks);
                    one(d, &block)
                });
            }
        });
        Ok(())
    };
    run()
}

#[derive(Clone, Copy)]
struct Dims {
    m: usize,
    n: usize,
    k: usize,
}

/// Cuts a product into `blocks` bands of output rows (or columns, when there are more of
/// them), each a whole number of kernel tiles.
struct ProductSplit {
    dims: Dims,
    blocks: usize,
    by_rows: bool,
    band: usize,
}

impl ProductSplit {
    /// Rows or columns per kernel tile; bands are multiples of it.
    const TILE: usize = 16;

    fn new(dims: Dims, wanted: usize) -> Self {
        let by_rows = dims.m >= dims.n;
        let len = if by_rows { dims.m } else { dims.n };
        let band = len.div_ceil(wanted.max(1)).next_multiple_of(Self::TILE).min(len.max(1));
        ProductSplit { dims, blocks: len.div_ceil(band).max(1), by_rows, band }
    }

    /// The dimensions and operands of band `i` of the product `mats`.
    fn block(&self, mats: &[Mat; 3], i: usize) -> (Dims, [Mat; 3]) {
        let [mut dst, mut a, mut b] = *mats;
        let mut d = self.dims;
        let start = i * self.band;
        if self.by_rows {
            d.m = self.band.min(d.m - start);
            dst.offset += start as isize * dst.rows;
            a.offset += start as isize * a.rows;
        } else {
            d.n = self.band.min(d.n - start);
            dst.offset += start as isize * dst.cols;
            b.offset += start as isize * b.cols;
        }
        (d, [dst, a, b])
    }
}

#[derive(Clone, Copy)]
struct Operand<T> {
    ptr: *mut T,
    mat: Mat,
}

impl<T> Operand<T> {
    #[inline(always)]
    unsafe fn at(&self, i: usize, j: usize) -> *mut T {
        self.ptr.offset(self.mat.offset + i as isize * self.mat.rows + j as isize * self.mat.cols)
    }
}

/// Element types with a matrix-product kernel: `dst = beta * dst (if read_dst) + alpha * a @ b`.
trait Product: Element {
    #[allow(clippy::too_many_arguments)]
    unsafe fn product(d: Dims, dst: Operand<Self>, a: Operand<Self>, b: Operand<Self>, read_dst: bool, beta: Self, alpha: Self);
}

macro_rules! gemm_product {
    ($($t:ty),*) => {$(
        impl Product for $t {
            unsafe fn product(d: Dims, dst: Operand<Self>, a: Operand<Self>, b: Operand<Self>, read_dst: bool, beta: Self, alpha: Self) {
                if d.k == 0 {
                    return scale_only(d, dst, read_dst, beta);
                }
                // gemm computes dst := dst_scale * dst + product_scale * lhs @ rhs and takes
                // column strides before row strides.
                gemm::gemm(
                    d.m, d.n, d.k,
                    dst.at(0, 0), dst.mat.cols, dst.mat.rows, read_dst,
                    a.at(0, 0), a.mat.cols, a.mat.rows,
                    b.at(0, 0), b.mat.cols, b.mat.rows,
                    beta, alpha, false, false, false, Parallelism::None,
                );
            }
        }
    )*};
}
gemm_product!(f32, f64, f16);

/// The product of an empty sum: `beta * dst` or zeros.
unsafe fn scale_only<T: Element + Arith>(d: Dims, dst: Operand<T>, read_dst: bool, beta: T) {
    for i in 0..d.m {
        for j in 0..d.n {
            let p = dst.at(i, j);
            *p = if read_dst { beta.mul(*p) } else { T::ZERO };
        }
    }
}

macro_rules! int_product {
    ($($t:ty),*) => {$(
        impl Product for $t {
            unsafe fn product(d: Dims, dst: Operand<Self>, a: Operand<Self>, b: Operand<Self>, read_dst: bool, beta: Self, alpha: Self) {
                // Serial: the caller splits big products into bands across threads.
                for i in 0..d.m {
                    let mut acc = vec![0 as $t; d.n];
                    for p in 0..d.k {
                        let x = *a.at(i, p);
                        if x == 0 {
                            continue;
                        }
                        dispatch(#[inline(always)] || for (j, s) in acc.iter_mut().enumerate() {
                            *s = s.wrapping_add(x.wrapping_mul(*b.at(p, j)));
                        });
                    }
                    for (j, s) in acc.into_iter().enumerate() {
                        let o = dst.at(i, j);
                        let prod = alpha.wrapping_mul(s);
                        *o = if read_dst { beta.wrapping_mul(*o).wrapping_add(prod) } else { prod };
                    }
                }
            }
        }
    )*};
}
int_product!(u8, i8, i16, i32, i64);

impl Product for bool {
    unsafe fn product(_: Dims, _: Operand<Self>, _: Operand<Self>, _: Operand<Self>, _: bool, _: Self, _: Self) {
        unreachable!("bool products are rejected by check_product_dtype")
    }
}

impl Product for bf16 {
    unsafe fn product(_: Dims, _: Operand<Self>, _: Operand<Self>, _: Operand<Self>, _: bool, _: Self, _: Self) {
        unreachable!("bf16 products run in f32 (product_into)")
    }
}

#[cfg(test)]
mod dispatch_tests {
    /// gemm picks its AVX-512 kernels at run time where the CPU has them (the x86-v4 feature)
    /// and its AVX2+FMA ones elsewhere. This runs the AVX2 path by hand, as gemm's dispatcher
    /// would on a CPU without AVX-512, and checks it against the dispatched path and an f64
    /// reference, so both paths of one build are exercised on an AVX-512 machine.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn avx2_kernels_match_the_dispatched_path() {
        use gemm_common::simd::V3;
        use gemm_f32::microkernel::fma::f32::{H_M, H_N, H_UKR, MR_DIV_N, NR, UKR};
        let Some(simd) = V3::try_new() else { return }; // no AVX2+FMA: nothing to compare
        let (m, n, k) = (67, 53, 45);
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 7 % 23) as f32 - 11.0) / 8.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 5 % 19) as f32 - 9.0) / 4.0).collect();
        let mut dispatched = vec![0f32; m * n];
        let mut avx2 = vec![0f32; m * n];
        // SAFETY: row-major m×k, k×n and m×n buffers of exactly those sizes.
        unsafe {
            gemm::gemm(m, n, k, dispatched.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), 1, k as isize, b.as_ptr(), 1, n as isize, 0.0, 1.0, false, false, false, gemm::Parallelism::None);
            gemm_common::gemm::gemm_basic_generic::<_, f32, 8, { MR_DIV_N * 8 }, NR, MR_DIV_N, H_M, H_N>(
                simd, m, n, k, avx2.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), 1, k as isize, b.as_ptr(), 1, n as isize,
                0.0, 1.0, false, false, false, |x, y, z| x * y + z, &UKR, &H_UKR, false, gemm::Parallelism::None,
            );
        }
        for i in 0..m {
            for j in 0..n {
                let exact: f64 = (0..k).map(|p| a[i * k + p] as f64 * b[p * n + j] as f64).sum();
                let (d, v) = (dispatched[i * n + j] as f64, avx2[i * n + j] as f64);
                assert!((d - exact).abs() <= 1e-4 * (1.0 + exact.abs()), "dispatched ({i},{j}): {d} vs {exact}");
                assert!((v - exact).abs() <= 1e-4 * (1.0 + exact.abs()), "AVX2 ({i},{j}): {v} vs {exact}");
            }
        }
    }
}
