//! Elementwise kernels: unary and binary maps over strided, broadcast operands.
//!
//! Each op and dtype compiles only its row loops (`unary_into`/`binary_into`'s closures, one
//! per instruction set); the layout walk, the thread split, the in-place buffering and the
//! broadcast fill are compiled once (`map_rows`), seeing element types only as byte sizes.
//! There are ~1400 op/dtype pairs: a generic driver per pair made up ~4 MB of the library.
//!
//! A float32 kernel also runs on float16 and bfloat16 tensors (PyTorch's "opmath"): their rows
//! are widened into f32 buffers a chunk at a time and the result rounded once, so the 16-bit
//! floats need no kernels of their own and compute exactly as PyTorch's CPU kernels do.
use super::simd::{dispatch_if, dispatch_wide_if, vectorised, PARALLEL_GRAIN};
use super::strided::{for_each_row, Row};
use super::threads;
use crate::dtype::{DType, Element};
use crate::tensor::Tensor;
use super::widen::{narrow, widen};
use std::mem::MaybeUninit;

/// One row of an elementwise op, operand 0 the output: each operand's address of its first
/// element, its step in elements, and the row length. A row loop reads a step-0 operand once,
/// before it writes.
type RowLoop<'a, const N: usize> = dyn Fn([usize; N], [isize; N], usize) + Sync + 'a;

/// Bytes per stack buffer holding an input that overlaps the output (in-place ops).
const BUFFER_BYTES: usize = 8192;

/// Elements per chunk of a row widened from 16-bit floats to f32.
const WIDE_CHUNK: usize = 1024;

/// `out[i] = f(a[i])` for every index of `out` (`a` already broadcast to out's shape). With
/// `A` or `O` f32, the matching tensor may hold f16 or bf16 (see the module's note).
pub fn unary_into<A: Element, O: Element>(out: &Tensor, a: &Tensor, f: impl Fn(A) -> O + Sync + Copy) {
    let row = move |p: [usize; 2], s: [isize; 2], len: usize| {
        let (o, x) = (p[0] as *mut O, p[1] as *const A);
        let wide = vectorised::<A>() || vectorised::<O>();
        // SAFETY: `map_rows` passes rows inside both storages, where a step-1 input does not
        // overlap the output; only the output is written.
        unsafe {
            if s == [1, 1] {
                let (os, xs) = (std::slice::from_raw_parts_mut(o, len), std::slice::from_raw_parts(x, len));
                dispatch_wide_if(wide, || os.iter_mut().zip(xs).for_each(|(o, &x)| *o = f(x)))
            } else {
                // Under `dispatch` too, so the element function's FMA use compiles to
                // instructions rather than libm calls.
                dispatch_if(wide, || {
                    for i in 0..len as isize {
                        *o.offset(i * s[0]) = f(*x.offset(i * s[1]));
                    }
                })
            }
        }
    };
    map_rows([out, a], [O::DTYPE, A::DTYPE], &row);
}

/// `out[i] = f(a[i], b[i])` (`a`, `b` already broadcast to out's shape).
pub fn binary_into<A: Element, B: Element, O: Element>(
    out: &Tensor,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(A, B) -> O + Sync + Copy,
) {
    let row = move |p: [usize; 3], s: [isize; 3], len: usize| {
        let (o, x, y) = (p[0] as *mut O, p[1] as *const A, p[2] as *const B);
        let wide = vectorised::<A>() || vectorised::<B>() || vectorised::<O>();
        // SAFETY: as in `unary_into`.
        unsafe {
            let os = || std::slice::from_raw_parts_mut(o, len);
            match s {
                [1, 1, 1] => {
                    let (xs, ys) = (std::slice::from_raw_parts(x, len), std::slice::from_raw_parts(y, len));
                    dispatch_if(wide, || os().iter_mut().zip(xs.iter().zip(ys)).for_each(|(o, (&x, &y))| *o = f(x, y)))
                }
                [1, 1, 0] => {
                    let (xs, yv) = (std::slice::from_raw_parts(x, len), *y);
                    dispatch_if(wide, || os().iter_mut().zip(xs).for_each(|(o, &x)| *o = f(x, yv)))
                }
                [1, 0, 1] => {
                    let (xv, ys) = (*x, std::slice::from_raw_parts(y, len));
                    dispatch_if(wide, || os().iter_mut().zip(ys).for_each(|(o, &y)| *o = f(xv, y)))
                }
                [so, sa, sb] => dispatch_if(wide, || {
                    for i in 0..len as isize {
                        *o.offset(i * so) = f(*x.offset(i * sa), *y.offset(i * sb));
                    }
                }),
            }
        }
    };
    map_rows([out, a, b], [O::DTYPE, A::DTYPE, B::DTYPE], &row);
}

/// How one operand of a row is stored: its element size in bytes, and whether it is a 16-bit
/// float that the kernel reads and writes as f32.
#[derive(Clone, Copy)]
struct Stored {
    size: usize,
    widened: Option<DType>,
}

impl Stored {
    fn of(tensor: &Tensor, kernel: DType) -> Stored {
        let widened = matches!(tensor.dtype, DType::F16 | DType::BF16) && kernel == DType::F32;
        debug_assert!(widened || tensor.dtype.size() == kernel.size(), "{:?} tensor for a {kernel:?} kernel", tensor.dtype);
        Stored { size: tensor.dtype.size(), widened: widened.then_some(tensor.dtype) }
    }
}

/// Runs `row` over every innermost row of `tensors[0]`'s index space (the inputs already
/// broadcast to its shape); `kernel` are the element types `row` computes in.
fn map_rows<const N: usize>(tensors: [&Tensor; N], kernel: [DType; N], row: &RowLoop<N>) {
    let out = tensors[0];
    let stored: [Stored; N] = std::array::from_fn(|k| Stored::of(tensors[k], kernel[k]));
    let bases = tensors.map(|t| t.storage.as_ptr() as usize);
    let offsets = tensors.map(|t| t.layout.offset as isize);
    let address = move |k: usize, offset: isize| bases[k].wrapping_add_signed(offset * stored[k].size as isize);
    if out.is_contiguous() && tensors[1..].iter().all(|t| t.shape() == out.shape() && t.is_contiguous()) {
        // One flat run over all elements.
        return flat_chunks(out.numel(), |start, len| {
            let p = std::array::from_fn(|k| address(k, offsets[k] + start as isize));
            run_row(p, [1; N], len, stored, row)
        });
    }
    for_each_row(out.shape(), tensors.map(|t| t.strides()), offsets, &|r: Row<N>| {
        let p = std::array::from_fn(|k| address(k, r.offsets[k]));
        run_row(p, r.strides, r.len, stored, row)
    });
}

/// One row, made safe for `row`'s slice loops: a step-1 input that overlaps a step-1 output
/// (an in-place op) is copied through a stack buffer a chunk at a time, which reads each input
/// element before it is overwritten. A row whose inputs are all broadcast (`g.expand(...) / n`
/// in a mean's backward) computes one value and copies it along the row.
fn run_row<const N: usize>(p: [usize; N], s: [isize; N], len: usize, stored: [Stored; N], row: &RowLoop<N>) {
    let sizes = stored.map(|o| o.size);
    if len > 1 && s[1..].iter().all(|&step| step == 0) {
        run_row(p, s, 1, stored, row);
        // SAFETY: the row's positions lie within the output's storage.
        return unsafe { repeat_first(p[0] as *mut u8, s[0], len, sizes[0]) };
    }
    if stored.iter().any(|o| o.widened.is_some()) {
        return run_widened(p, s, len, stored, row);
    }
    let out_bytes = p[0]..p[0] + len * sizes[0];
    let overlapping: [bool; N] = std::array::from_fn(|k| {
        k > 0 && s[0] == 1 && s[k] == 1 && p[k] < out_bytes.end && out_bytes.start < p[k] + len * sizes[k]
    });
    if !overlapping.contains(&true) {
        return row(p, s, len);
    }
    let mut buffers = [[MaybeUninit::<u64>::uninit(); BUFFER_BYTES / 8]; N];
    let widest = (0..N).filter(|&k| overlapping[k]).map(|k| sizes[k]).max().unwrap_or(1);
    let chunk = BUFFER_BYTES / widest;
    let mut start = 0;
    while start < len {
        let n = chunk.min(len - start);
        let mut q: [usize; N] = std::array::from_fn(|k| p[k] + start * sizes[k]);
        for k in (1..N).filter(|&k| overlapping[k]) {
            let buffer = buffers[k].as_mut_ptr() as *mut u8;
            // SAFETY: `n * sizes[k]` bytes fit the buffer and lie within operand k's row.
            unsafe { std::ptr::copy_nonoverlapping(q[k] as *const u8, buffer, n * sizes[k]) };
            q[k] = buffer as usize;
        }
        row(q, s, n);
        start += n;
    }
}

/// A row with 16-bit float operands, through f32 buffers a chunk at a time: widened inputs are
/// read into them (a broadcast one once), the kernel writes a widened output into its buffer,
/// which is then rounded into the row. Reading every input before writing makes in-place use
/// safe too; other operands are passed through.
fn run_widened<const N: usize>(p: [usize; N], s: [isize; N], len: usize, stored: [Stored; N], row: &RowLoop<N>) {
    let mut buffers = [[MaybeUninit::<f32>::uninit(); WIDE_CHUNK]; N];
    let mut steps = s;
    for k in 1..N {
        if let (Some(dtype), 0) = (stored[k].widened, s[k]) {
            // SAFETY: the element lies within operand k's storage.
            unsafe { widen(dtype, p[k], 0, &mut buffers[k][..1]) };
        }
    }
    let mut start = 0;
    while start < len {
        let n = WIDE_CHUNK.min(len - start);
        let at = |k: usize| p[k].wrapping_add_signed(start as isize * s[k] * stored[k].size as isize);
        let mut q: [usize; N] = std::array::from_fn(at);
        for k in 0..N {
            if stored[k].widened.is_some() {
                if k > 0 && s[k] != 0 {
                    // SAFETY: the chunk's elements lie within operand k's storage.
                    unsafe { widen(stored[k].widened.unwrap(), q[k], s[k], &mut buffers[k][..n]) };
                }
                steps[k] = if k > 0 && s[k] == 0 { 0 } else { 1 };
                q[k] = buffers[k].as_mut_ptr() as usize;
            }
        }
        row(q, steps, n);
        if let Some(dtype) = stored[0].widened {
            // SAFETY: `row` wrote the buffer's first n values; the chunk's positions lie within
            // the output's storage.
            unsafe { narrow(dtype, std::slice::from_raw_parts(buffers[0].as_ptr() as *const f32, n), at(0), s[0]) };
        }
        start += n;
    }
}

/// Copies the element at `o` (of `size` bytes) to the next `len - 1` positions `stride` apart.
///
/// # Safety
/// Every position must be writable and `o`'s element initialised.
unsafe fn repeat_first(o: *mut u8, stride: isize, len: usize, size: usize) {
    unsafe fn repeat<T: Copy>(o: *mut T, stride: isize, len: usize) {
        fill_row(o, stride, len, *o);
    }
    match size {
        1 => repeat(o, stride, len),
        2 => repeat(o as *mut u16, stride, len),
        4 => repeat(o as *mut u32, stride, len),
        8 => repeat(o as *mut u64, stride, len),
        _ => repeat(o as *mut [u64; 2], stride, len),
    }
}

/// Runs `f(start, len)` over `0..n` in chunks, on the pool's threads when `n` is large.
pub fn flat_chunks(n: usize, f: impl Fn(usize, usize) + Sync) {
    if n < PARALLEL_GRAIN {
        return f(0, n);
    }
    let chunks = n.div_ceil(PARALLEL_GRAIN);
    threads::parallel_for(chunks, &|c| {
        let start = c * PARALLEL_GRAIN;
        f(start, PARALLEL_GRAIN.min(n - start));
    });
}

pub fn fill<T: Element>(out: &Tensor, value: T) {
    // An address, not a pointer, so the row closure can be shared across threads.
    let base = out.storage.as_ptr() as usize;
    for_each_row(out.shape(), [out.strides()], [out.layout.offset as isize], &|row: Row<1>| {
        // SAFETY: the row lies within the storage.
        unsafe { fill_row((base as *mut T).wrapping_offset(row.offsets[0]), row.strides[0], row.len, value) }
    });
}

/// `len` elements from `o`, `stride` apart, set to `value`.
///
/// # Safety
/// Every position must be writable.
unsafe fn fill_row<T: Copy>(o: *mut T, stride: isize, len: usize, value: T) {
    for i in 0..len as isize {
        *o.offset(i * stride) = value;
    }
}

/// Copies `src` (of out's shape) into `out`, converting the element type.
pub fn copy_cast(out: &Tensor, src: &Tensor) {
    // 16-bit floats convert through f32 with the widening rows' vector instructions (float64
    // to 16 bits stays direct: through f32 it would round twice).
    let sixteen = |dtype: DType| matches!(dtype, DType::F16 | DType::BF16);
    match (out.dtype, src.dtype) {
        (o, s) if o != s && (sixteen(o) || o == DType::F32) && (sixteen(s) || s == DType::F32) => {
            return unary_into::<f32, f32>(out, src, |x| x)
        }
        (DType::F64, s) if sixteen(s) => return unary_into::<f32, f64>(out, src, |x| x as f64),
        _ => {}
    }
    crate::with_any_dtype!(out.dtype, O => crate::with_any_dtype!(src.dtype, S => {
        unary_into::<S, O>(out, src, |x| x.cast::<O>())
    }))
}
