//! Elementwise kernels: unary and binary maps over strided, broadcast operands.
use super::simd::{dispatch, PARALLEL_GRAIN};
use super::strided::{for_each_row, Row};
use super::threads;
use crate::dtype::Element;
use crate::tensor::Tensor;
use std::mem::MaybeUninit;

/// Raw pointers are shared across rayon tasks as addresses; rows never overlap in writes.
#[derive(Clone, Copy)]
struct Ptr(usize);

impl Ptr {
    fn of<T: Element>(t: &Tensor) -> Ptr {
        Ptr(t.storage.as_ptr() as usize)
    }
    #[inline(always)]
    fn at<T>(self, offset: isize) -> *mut T {
        (self.0 as *mut T).wrapping_offset(offset)
    }
}

/// Elements per stack buffer when an output overlaps its input (in-place ops).
const CHUNK: usize = 1024;

fn disjoint<A, B>(a: *const A, alen: usize, b: *const B, blen: usize) -> bool {
    let (a0, b0) = (a as usize, b as usize);
    a0 + alen * std::mem::size_of::<A>() <= b0 || b0 + blen * std::mem::size_of::<B>() <= a0
}

/// `o[i] = f(x[i])` over `len` contiguous elements. Written over slices so the compiler
/// vectorizes it; when `o` overlaps `x` (in place), the input goes through a stack buffer
/// first, a chunk at a time, which reads every input before it is overwritten and runs the
/// same vector loop (one copy of it per op, compiled for each instruction set).
///
/// # Safety
/// `o` and `x` must be valid for `len` elements.
#[inline(always)]
unsafe fn contiguous_unary<A: Element, O: Element>(o: *mut O, x: *const A, len: usize, f: impl Fn(A) -> O + Copy) {
    if disjoint(o, len, x, len) {
        return map_slices(std::slice::from_raw_parts_mut(o, len), std::slice::from_raw_parts(x, len), f);
    }
    // Uninitialised: filling the buffer would cost a small in-place op more than its work.
    let mut buf = [MaybeUninit::<A>::uninit(); CHUNK];
    let mut start = 0;
    while start < len {
        let n = CHUNK.min(len - start);
        map_slices(std::slice::from_raw_parts_mut(o.add(start), n), copied(x.add(start), &mut buf, n), f);
        start += n;
    }
}

/// The first `n` elements at `src` copied into `buf`.
///
/// # Safety
/// `src` must be valid for `n <= CHUNK` elements.
#[inline(always)]
unsafe fn copied<T: Copy>(src: *const T, buf: &mut [MaybeUninit<T>; CHUNK], n: usize) -> &[T] {
    std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr() as *mut T, n);
    std::slice::from_raw_parts(buf.as_ptr() as *const T, n)
}

/// Not inlined, so the in-place path shares the vector loop instead of compiling its own.
#[inline(never)]
fn map_slices<A: Element, O: Element>(os: &mut [O], xs: &[A], f: impl Fn(A) -> O + Copy) {
    dispatch(|| os.iter_mut().zip(xs).for_each(|(o, &x)| *o = f(x)))
}

/// `o[i] = f(x[i], y[i])` over `len` contiguous elements (see `contiguous_unary`).
///
/// # Safety
/// `o`, `x` and `y` must be valid for `len` elements.
#[inline(always)]
unsafe fn contiguous_binary<A: Element, B: Element, O: Element>(
    o: *mut O,
    x: *const A,
    y: *const B,
    len: usize,
    f: impl Fn(A, B) -> O + Copy,
) {
    if disjoint(o, len, x, len) && disjoint(o, len, y, len) {
        let os = std::slice::from_raw_parts_mut(o, len);
        return zip_slices(os, std::slice::from_raw_parts(x, len), std::slice::from_raw_parts(y, len), f);
    }
    // Only an operand that overlaps the output is copied (`a.add_(b)` copies `a` alone).
    let (copy_x, copy_y) = (!disjoint(o, len, x, len), !disjoint(o, len, y, len));
    let (mut xb, mut yb) = ([MaybeUninit::<A>::uninit(); CHUNK], [MaybeUninit::<B>::uninit(); CHUNK]);
    let mut start = 0;
    while start < len {
        let n = CHUNK.min(len - start);
        let xs = if copy_x { copied(x.add(start), &mut xb, n) } else { std::slice::from_raw_parts(x.add(start), n) };
        let ys = if copy_y { copied(y.add(start), &mut yb, n) } else { std::slice::from_raw_parts(y.add(start), n) };
        zip_slices(std::slice::from_raw_parts_mut(o.add(start), n), xs, ys, f);
        start += n;
    }
}

/// The binary vector loop (see `map_slices`).
#[inline(never)]
fn zip_slices<A: Element, B: Element, O: Element>(os: &mut [O], xs: &[A], ys: &[B], f: impl Fn(A, B) -> O + Copy) {
    dispatch(|| os.iter_mut().zip(xs.iter().zip(ys)).for_each(|(o, (&x, &y))| *o = f(x, y)))
}

/// Runs `f(start, len)` over `0..n` in chunks, on rayon's threads when `n` is large.
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

/// Whether `t` walks the same memory order as the contiguous `out` (the flat fast path).
fn same_flat_order(out: &Tensor, t: &Tensor) -> bool {
    t.shape() == out.shape() && t.is_contiguous()
}

/// `out[i] = f(a[i])` for every index of `out` (`a` already broadcast to out's shape).
pub fn unary_into<A: Element, O: Element>(out: &Tensor, a: &Tensor, f: impl Fn(A) -> O + Sync + Copy) {
    let (po, pa) = (Ptr::of::<O>(out), Ptr::of::<A>(a));
    if out.is_contiguous() && same_flat_order(out, a) {
        let (oo, oa) = (out.layout.offset as isize, a.layout.offset as isize);
        // SAFETY: both are contiguous with out.numel() elements from their offsets.
        return flat_chunks(out.numel(), |start, len| unsafe {
            contiguous_unary(po.at::<O>(oo + start as isize), pa.at::<A>(oa + start as isize), len, f)
        });
    }
    for_each_row(
        out.shape(),
        [out.strides(), a.strides()],
        [out.layout.offset as isize, a.layout.offset as isize],
        &|row: Row<2>| {
            let (o, x) = (po.at::<O>(row.offsets[0]), pa.at::<A>(row.offsets[1]));
            // SAFETY: the row lies within both storages; only `out`'s row is written.
            unsafe {
                if row.is_contiguous() {
                    contiguous_unary(o, x, row.len, f)
                } else if row.strides[1] == 0 {
                    // A broadcast input (`expand(...).contiguous()`): one value for the row.
                    fill_row(o, row.strides[0], row.len, f(*x))
                } else {
                    // Under `dispatch` too, so the element function's FMA use compiles to
                    // instructions rather than libm calls.
                    let [so, sa] = row.strides;
                    dispatch(|| {
                        for i in 0..row.len as isize {
                            *o.offset(i * so) = f(*x.offset(i * sa));
                        }
                    })
                }
            }
        },
    );
}

/// `out[i] = f(a[i], b[i])` (`a`, `b` already broadcast to out's shape).
pub fn binary_into<A: Element, B: Element, O: Element>(
    out: &Tensor,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(A, B) -> O + Sync + Copy,
) {
    let (po, pa, pb) = (Ptr::of::<O>(out), Ptr::of::<A>(a), Ptr::of::<B>(b));
    if out.is_contiguous() && same_flat_order(out, a) && same_flat_order(out, b) {
        let (oo, oa, ob) = (out.layout.offset as isize, a.layout.offset as isize, b.layout.offset as isize);
        // SAFETY: all three are contiguous with out.numel() elements from their offsets.
        return flat_chunks(out.numel(), |start, len| unsafe {
            let s = start as isize;
            contiguous_binary(po.at::<O>(oo + s), pa.at::<A>(oa + s), pb.at::<B>(ob + s), len, f)
        });
    }
    for_each_row(
        out.shape(),
        [out.strides(), a.strides(), b.strides()],
        [out.layout.offset as isize, a.layout.offset as isize, b.layout.offset as isize],
        &|row: Row<3>| {
            let (o, x, y) = (po.at::<O>(row.offsets[0]), pa.at::<A>(row.offsets[1]), pb.at::<B>(row.offsets[2]));
            // SAFETY: the row lies within all storages; only `out`'s row is written.
            unsafe {
                match row.strides {
                    [1, 1, 1] => contiguous_binary(o, x, y, row.len, f),
                    [1, 1, 0] => {
                        let yv = *y;
                        contiguous_unary(o, x, row.len, move |x| f(x, yv))
                    }
                    [1, 0, 1] => {
                        let xv = *x;
                        contiguous_unary(o, y, row.len, move |y| f(xv, y))
                    }
                    // Both operands broadcast along the row (`g.expand(...) / n` in a mean's
                    // backward): one value for the whole row.
                    [so, 0, 0] => fill_row(o, so, row.len, f(*x, *y)),
                    [so, sa, sb] => dispatch(|| {
                        for i in 0..row.len as isize {
                            *o.offset(i * so) = f(*x.offset(i * sa), *y.offset(i * sb));
                        }
                    }),
                }
            }
        },
    );
}

pub fn fill<T: Element>(out: &Tensor, value: T) {
    let po = Ptr::of::<T>(out);
    for_each_row(out.shape(), [out.strides()], [out.layout.offset as isize], &|row: Row<1>| {
        // SAFETY: the row lies within the storage.
        unsafe { fill_row(po.at::<T>(row.offsets[0]), row.strides[0], row.len, value) }
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
    crate::with_any_dtype!(out.dtype, O => crate::with_any_dtype!(src.dtype, S => {
        unary_into::<S, O>(out, src, |x| x.cast::<O>())
    }))
}
