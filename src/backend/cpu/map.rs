//! Elementwise kernels: unary and binary maps over strided, broadcast operands.
use super::simd::dispatch;
use super::strided::{for_each_row, Row};
use crate::dtype::Element;
use crate::tensor::Tensor;

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

/// `out[i] = f(a[i])` for every index of `out` (`a` already broadcast to out's shape).
pub fn unary_into<A: Element, O: Element>(out: &Tensor, a: &Tensor, f: impl Fn(A) -> O + Sync + Copy) {
    let (po, pa) = (Ptr::of::<O>(out), Ptr::of::<A>(a));
    for_each_row(
        out.shape(),
        [out.strides(), a.strides()],
        [out.layout.offset as isize, a.layout.offset as isize],
        |row: Row<2>| {
            let (o, x) = (po.at::<O>(row.offsets[0]), pa.at::<A>(row.offsets[1]));
            // SAFETY: the row lies within both storages; only `out`'s row is written.
            unsafe {
                if row.is_contiguous() {
                    dispatch(|| {
                        for i in 0..row.len {
                            *o.add(i) = f(*x.add(i));
                        }
                    })
                } else {
                    let [so, sa] = row.strides;
                    for i in 0..row.len as isize {
                        *o.offset(i * so) = f(*x.offset(i * sa));
                    }
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
    for_each_row(
        out.shape(),
        [out.strides(), a.strides(), b.strides()],
        [out.layout.offset as isize, a.layout.offset as isize, b.layout.offset as isize],
        |row: Row<3>| {
            let (o, x, y) = (po.at::<O>(row.offsets[0]), pa.at::<A>(row.offsets[1]), pb.at::<B>(row.offsets[2]));
            // SAFETY: the row lies within all storages; only `out`'s row is written.
            unsafe {
                match row.strides {
                    [1, 1, 1] => dispatch(|| {
                        for i in 0..row.len {
                            *o.add(i) = f(*x.add(i), *y.add(i));
                        }
                    }),
                    [1, 1, 0] => dispatch(|| {
                        let yv = *y;
                        for i in 0..row.len {
                            *o.add(i) = f(*x.add(i), yv);
                        }
                    }),
                    [1, 0, 1] => dispatch(|| {
                        let xv = *x;
                        for i in 0..row.len {
                            *o.add(i) = f(xv, *y.add(i));
                        }
                    }),
                    [so, sa, sb] => {
                        for i in 0..row.len as isize {
                            *o.offset(i * so) = f(*x.offset(i * sa), *y.offset(i * sb));
                        }
                    }
                }
            }
        },
    );
}

pub fn fill<T: Element>(out: &Tensor, value: T) {
    let po = Ptr::of::<T>(out);
    for_each_row(out.shape(), [out.strides()], [out.layout.offset as isize], |row: Row<1>| {
        let o = po.at::<T>(row.offsets[0]);
        // SAFETY: the row lies within the storage.
        unsafe {
            for i in 0..row.len as isize {
                *o.offset(i * row.strides[0]) = value;
            }
        }
    });
}

/// Copies `src` (of out's shape) into `out`, converting the element type.
pub fn copy_cast(out: &Tensor, src: &Tensor) {
    crate::with_dtype!(out.dtype, O => crate::with_dtype!(src.dtype, S => {
        unary_into::<S, O>(out, src, |x| x.cast::<O>())
    }))
}
