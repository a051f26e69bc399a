//! Operations along one dim ("lanes"): sorting, scans, softmax, arg-reductions. Each lane of
//! the input is handed to the op as a contiguous slice (gathered when strided), and the op
//! fills contiguous slices for its outputs (scattered back when strided). Lanes run in
//! parallel in the intra-op pool once the work is large enough.
use super::simd::PARALLEL_GRAIN;
use super::threads;
use crate::dtype::Element;
use crate::tensor::Tensor;

/// One tensor's view of the lane space: strides of the non-lane dims, the lane stride and
/// length, and the base pointer (as an address, shareable across tasks).
struct LaneLayout {
    outer: Vec<isize>,
    stride: isize,
    len: usize,
    base: usize,
}

impl LaneLayout {
    fn of<T: Element>(t: &Tensor, dim: usize) -> LaneLayout {
        LaneLayout {
            outer: (0..t.ndim()).filter(|&d| d != dim).map(|d| t.strides()[d]).collect(),
            stride: t.strides()[dim],
            len: t.shape()[dim],
            base: t.data_ptr::<T>() as usize,
        }
    }
    /// Pointer to the first element of lane `index` (given as coordinates of the other dims).
    fn lane_ptr<T>(&self, coords: &[usize]) -> *mut T {
        let off: isize = coords.iter().zip(&self.outer).map(|(&c, &s)| c as isize * s).sum();
        (self.base as *mut T).wrapping_offset(off)
    }
}

/// Calls `f(input_lane, out1_lane, out2_lane)` for every lane along `dim`. The outputs have
/// the input's shape except (possibly) at `dim`; a single-output op passes an `out2` whose
/// lane length is 0.
pub fn lanes2<T: Element, O: Element, P: Element>(
    input: &Tensor,
    dim: usize,
    out1: &Tensor,
    out2: &Tensor,
    f: impl Fn(&[T], &mut [O], &mut [P]) + Sync,
) {
    lanes_of(input, dim, out1, out2, &f)
}

/// `lanes2`'s walk, compiled once per element types rather than once per op (the op is a trait
/// object, called once per lane).
fn lanes_of<T: Element, O: Element, P: Element>(
    input: &Tensor,
    dim: usize,
    out1: &Tensor,
    out2: &Tensor,
    f: &(dyn Fn(&[T], &mut [O], &mut [P]) + Sync),
) {
    let sizes: Vec<usize> = (0..input.ndim()).filter(|&d| d != dim).map(|d| input.shape()[d]).collect();
    let count: usize = sizes.iter().product();
    if count == 0 {
        return;
    }
    let (li, l1, l2) = (LaneLayout::of::<T>(input, dim), LaneLayout::of::<O>(out1, dim), LaneLayout::of::<P>(out2, dim));
    let process = |start: usize, end: usize| {
        let (mut bi, mut b1, mut b2) = (Vec::<T>::new(), Vec::<O>::new(), Vec::<P>::new());
        let mut coords = vec![0usize; sizes.len()];
        for lane in start..end {
            let mut r = lane;
            for d in (0..sizes.len()).rev() {
                coords[d] = r % sizes[d];
                r /= sizes[d];
            }
            // SAFETY: each lane's elements lie within their tensors; distinct lanes of the
            // outputs never overlap, so concurrent lanes write disjoint memory.
            unsafe {
                let x = read_lane::<T>(li.lane_ptr(&coords), li.stride, li.len, &mut bi);
                let (p1, p2) = (l1.lane_ptr::<O>(&coords), l2.lane_ptr::<P>(&coords));
                let y1 = write_lane(p1, l1.stride, l1.len, &mut b1);
                let y2 = write_lane(p2, l2.stride, l2.len, &mut b2);
                f(x, y1, y2);
                scatter(p1, l1.stride, &b1, l1.len);
                scatter(p2, l2.stride, &b2, l2.len);
            }
        }
    };
    let work = count * li.len.max(1);
    if work < PARALLEL_GRAIN || count == 1 || threads::num_threads() == 1 {
        return process(0, count);
    }
    let per_task = (PARALLEL_GRAIN / li.len.max(1)).max(1);
    let tasks = count.div_ceil(per_task);
    threads::parallel_for(tasks, &|t| process(t * per_task, ((t + 1) * per_task).min(count)));
}

/// `lanes2` for an op with one output.
pub fn lanes1<T: Element, O: Element>(input: &Tensor, dim: usize, out: &Tensor, f: impl Fn(&[T], &mut [O]) + Sync) {
    let mut no_shape: Vec<usize> = out.shape().to_vec();
    no_shape[dim] = 0;
    let none = Tensor::empty(&no_shape, O::DTYPE).expect("an empty tensor allocates nothing");
    lanes2::<T, O, O>(input, dim, out, &none, |x, y, _| f(x, y));
}

/// The lane as a slice: in place when contiguous, else gathered into `buf`.
unsafe fn read_lane<'a, T: Copy>(p: *const T, stride: isize, len: usize, buf: &'a mut Vec<T>) -> &'a [T] {
    if stride == 1 || len <= 1 {
        return std::slice::from_raw_parts(p, len);
    }
    buf.clear();
    buf.extend((0..len as isize).map(|i| *p.offset(i * stride)));
    buf
}

/// Where the op writes an output lane: straight into the tensor when contiguous, else into
/// `buf` (cleared afterwards by `scatter`).
unsafe fn write_lane<'a, T: Element>(p: *mut T, stride: isize, len: usize, buf: &'a mut Vec<T>) -> &'a mut [T] {
    if stride == 1 || len <= 1 {
        buf.clear();
        return std::slice::from_raw_parts_mut(p, len);
    }
    buf.clear();
    buf.resize(len, T::ZERO);
    buf
}

unsafe fn scatter<T: Copy>(p: *mut T, stride: isize, buf: &[T], len: usize) {
    if buf.len() == len && len > 1 && stride != 1 {
        for (i, &v) in buf.iter().enumerate() {
            *p.offset(i as isize * stride) = v;
        }
    }
}
