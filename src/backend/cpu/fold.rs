//! Associative reductions (`sum`, `prod`, `amax`, `all`, …) over any set of dims and any
//! strides, without copying the input. The input's dims are visited in memory order: when the
//! fastest-moving dim is reduced, each output folds a run of elements (vectorised over
//! independent lanes); when it is kept, whole rows of accumulators are updated at once (the
//! `sum(dim=0)` case). Large reductions split the work across the intra-op pool, along a kept
//! dim (disjoint outputs) or along a reduced dim (partial accumulators merged in order).
use super::simd::{dispatch_if, vectorised, PARALLEL_GRAIN};
use super::threads;
use crate::dtype::Element;
use crate::tensor::Tensor;

/// A reduction: accumulators start at `init`, take elements with `step`, combine with `merge`,
/// and `finish` turns one into an output element.
pub struct Fold<A, S, M, F> {
    pub init: A,
    pub step: S,
    pub merge: M,
    pub finish: F,
}

/// Reductions are cheaper per element than maps, so they go parallel later.
const REDUCE_GRAIN: usize = 4 * PARALLEL_GRAIN;
/// Contiguous runs are folded in blocks of this many elements, each over independent lanes,
/// and block results merged pairwise: a blocked summation that keeps float error small.
const BLOCK: usize = 2048;

/// One dim of the iteration: its size, the input's stride and the accumulators' stride
/// (0 for a reduced dim).
#[derive(Clone, Copy, Debug)]
struct Dim {
    size: usize,
    input: isize,
    acc: isize,
}

/// Reduces `input` over `reduced` (sorted dim indices) into `out`, a fresh contiguous tensor
/// holding one element per kept position (in the kept dims' order).
pub fn fold<T, O, A, S, M, F>(input: &Tensor, reduced: &[usize], out: &Tensor, f: &Fold<A, S, M, F>)
where
    T: Element,
    O: Element,
    A: Copy + Send + Sync,
    S: Fn(A, T) -> A + Sync,
    M: Fn(A, A) -> A + Sync,
    F: Fn(A) -> O + Sync,
{
    let out_len = out.numel();
    if out_len == 0 {
        return;
    }
    let mut acc = vec![f.init; out_len];
    if input.numel() > 0 {
        let dims = iteration_dims(input, reduced);
        let base = input.data_ptr::<T>() as usize;
        accumulate(&dims, base, &mut acc, f);
    }
    // SAFETY: `out` is contiguous with `out_len` elements of O.
    let dst = unsafe { std::slice::from_raw_parts_mut(out.data_ptr::<O>(), out_len) };
    dst.iter_mut().zip(acc).for_each(|(o, a)| *o = (f.finish)(a));
}

/// The input's dims (size-1 dims dropped), outermost first, in memory order, merged where
/// contiguous in both the input and the accumulators.
fn iteration_dims(input: &Tensor, reduced: &[usize]) -> Vec<Dim> {
    let shape = input.shape();
    let mut acc_stride = 1isize;
    let mut dims: Vec<Dim> = Vec::with_capacity(shape.len());
    for d in (0..shape.len()).rev() {
        let is_reduced = reduced.contains(&d);
        if shape[d] != 1 {
            dims.push(Dim { size: shape[d], input: input.strides()[d], acc: if is_reduced { 0 } else { acc_stride } });
        }
        if !is_reduced {
            acc_stride *= shape[d] as isize;
        }
    }
    dims.reverse();
    // Stable: equal strides keep their logical order.
    dims.sort_by_key(|d| std::cmp::Reverse(d.input.unsigned_abs()));
    // A short kept innermost dim would make every row tiny: fold along a reduced dim instead.
    if let Some(last) = dims.last() {
        if last.acc != 0 && last.size < 8 {
            if let Some(pos) = dims.iter().enumerate().filter(|(_, d)| d.acc == 0).max_by_key(|(_, d)| d.size).map(|(i, _)| i) {
                let r = dims.remove(pos);
                dims.push(r);
            }
        }
    }
    let mut merged: Vec<Dim> = Vec::with_capacity(dims.len());
    for d in dims {
        match merged.last_mut() {
            Some(o) if o.input == d.input * d.size as isize && o.acc == d.acc * d.size as isize => {
                o.size *= d.size;
                o.input = d.input;
                o.acc = d.acc;
            }
            _ => merged.push(d),
        }
    }
    merged
}

/// Raw addresses cross into rayon tasks as integers; tasks write disjoint accumulators.
fn accumulate<T, A, S, M, F>(dims: &[Dim], base: usize, acc: &mut [A], f: &Fold<A, S, M, F>)
where
    T: Element,
    A: Copy + Send + Sync,
    S: Fn(A, T) -> A + Sync,
    M: Fn(A, A) -> A + Sync,
    F: Sync,
{
    let total: usize = dims.iter().map(|d| d.size).product();
    let threads = threads::num_threads();
    let acc_addr = acc.as_mut_ptr() as usize;
    if total < REDUCE_GRAIN || threads == 1 || dims.is_empty() {
        // SAFETY: `dims` describe `input`'s elements and positions within `acc`.
        return unsafe { run::<T, A, S, M, F>(dims, base as *const T, acc_addr as *mut A, f) };
    }
    let largest = |want_kept: bool| {
        dims.iter().enumerate().filter(|(_, d)| (d.acc != 0) == want_kept).max_by_key(|(_, d)| d.size).map(|(i, d)| (i, d.size))
    };
    let pieces_of = |size: usize| size.min(4 * threads);
    match (largest(true), largest(false)) {
        (Some((k, size)), _) if size >= threads => {
            // Disjoint outputs: every piece updates its own accumulators in place.
            let pieces = pieces_of(size);
            threads::parallel_for(pieces, &|p| {
                let (sub, in_off, acc_off) = narrow(dims, k, p, pieces);
                // SAFETY: piece p covers a distinct range of dim k, hence distinct accumulators.
                unsafe { run::<T, A, S, M, F>(&sub, (base as *const T).offset(in_off), (acc_addr as *mut A).offset(acc_off), f) }
            });
        }
        (_, Some((r, size))) if size >= 2 => {
            // Partial accumulators per piece, merged in piece order (deterministic).
            let pieces = pieces_of(size);
            let init = f.init;
            let len = acc.len();
            let mut partials = vec![init; pieces * len];
            threads::parallel_chunks(&mut partials, len, &|p, part| {
                let (sub, in_off, _) = narrow(dims, r, p, pieces);
                // SAFETY: the piece reads a sub-range of the input and writes its own `part`.
                unsafe { run::<T, A, S, M, F>(&sub, (base as *const T).offset(in_off), part.as_mut_ptr(), f) };
            });
            for part in partials.chunks(len) {
                acc.iter_mut().zip(part).for_each(|(a, &b)| *a = (f.merge)(*a, b));
            }
        }
        // SAFETY: as in the serial case above.
        _ => unsafe { run::<T, A, S, M, F>(dims, base as *const T, acc_addr as *mut A, f) },
    }
}

/// Piece `p` of `pieces` along dim `k`: the sub-iteration and its input/accumulator offsets.
fn narrow(dims: &[Dim], k: usize, p: usize, pieces: usize) -> (Vec<Dim>, isize, isize) {
    let size = dims[k].size;
    let (start, end) = (size * p / pieces, size * (p + 1) / pieces);
    let mut sub = dims.to_vec();
    sub[k].size = end - start;
    (sub, start as isize * dims[k].input, start as isize * dims[k].acc)
}

/// Serial reduction of the elements `dims` describe from `input` into `acc`.
///
/// # Safety
/// Every input position must be readable and every accumulator position writable.
unsafe fn run<T, A, S, M, F>(dims: &[Dim], input: *const T, acc: *mut A, f: &Fold<A, S, M, F>)
where
    T: Element,
    A: Copy,
    S: Fn(A, T) -> A,
    M: Fn(A, A) -> A,
{
    let Some((inner, outer)) = dims.split_last() else {
        *acc = (f.step)(*acc, *input);
        return;
    };
    if outer.iter().any(|d| d.size == 0) || inner.size == 0 {
        return;
    }
    let mut index = vec![0usize; outer.len()];
    let (mut in_off, mut acc_off) = (0isize, 0isize);
    loop {
        let x = input.offset(in_off);
        let a = acc.offset(acc_off);
        if inner.acc == 0 {
            *a = (f.merge)(*a, fold_run(x, inner.input, inner.size, f));
        } else {
            update_row(x, inner.input, a, inner.acc, inner.size, &f.step);
        }
        // Odometer step over the outer dims.
        let mut d = outer.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            in_off += outer[d].input;
            acc_off += outer[d].acc;
            if index[d] < outer[d].size {
                break;
            }
            in_off -= outer[d].input * outer[d].size as isize;
            acc_off -= outer[d].acc * outer[d].size as isize;
            index[d] = 0;
        }
    }
}

/// Folds `len` elements starting at `x`, `stride` apart, into one accumulator.
#[inline(always)]
unsafe fn fold_run<T, A, S, M, F>(x: *const T, stride: isize, len: usize, f: &Fold<A, S, M, F>) -> A
where
    T: Element,
    A: Copy,
    S: Fn(A, T) -> A,
    M: Fn(A, A) -> A,
{
    let (init, step, merge) = (f.init, &f.step, &f.merge);
    // Eight vector registers of independent accumulators (fewer hid the add's latency behind
    // only two dependency chains: sum of 16M f32 on one thread ran at 12 GB/s, PyTorch's at 18).
    // The size test is a constant, so only one branch is compiled.
    let wide = vectorised::<T>();
    match std::mem::size_of::<A>() {
        0..=4 => dispatch_if(wide, #[inline(always)] || fold_blocks::<T, A, 64>(x, stride, len, init, step, merge)),
        5..=8 => dispatch_if(wide, #[inline(always)] || fold_blocks::<T, A, 32>(x, stride, len, init, step, merge)),
        _ => dispatch_if(wide, #[inline(always)] || fold_blocks::<T, A, 16>(x, stride, len, init, step, merge)),
    }
}

/// `fold_run`'s body, forced inline (with the closure calling it) so it is compiled inside each
/// `dispatch` variant.
#[inline(always)]
unsafe fn fold_blocks<T: Copy, A: Copy, const LANES: usize>(x: *const T, stride: isize, len: usize, init: A, step: &impl Fn(A, T) -> A, merge: &impl Fn(A, A) -> A) -> A {
    // Block results are merged pairwise (a binary counter: `pending[level]` holds the merge of
    // 2^level blocks), so a float sum's error grows with log(blocks), not with their count;
    // merges keep the elements' order.
    let mut pending = [init; usize::BITS as usize];
    let mut blocks = 0usize;
    let mut start = 0usize;
    while start < len {
        let n = BLOCK.min(len - start);
        // Lanes are rebuilt whole per chunk (the tail has its own accumulator), which keeps them
        // in vector registers: indexed updates left them in a stack array (33 GB/s, not 85, on
        // an L2-resident sum).
        let mut lanes = [init; LANES];
        let p = x.offset(start as isize * stride);
        let rest = if stride == 1 {
            let (chunks, tail) = std::slice::from_raw_parts(p, n).as_chunks::<LANES>();
            for c in chunks {
                lanes = std::array::from_fn(|i| step(lanes[i], c[i]));
            }
            tail.iter().fold(init, |a, &v| step(a, v))
        } else {
            let full = n / LANES * LANES;
            for c in (0..full).step_by(LANES) {
                lanes = std::array::from_fn(|i| step(lanes[i], *p.offset((c + i) as isize * stride)));
            }
            (full..n).fold(init, |a, i| step(a, *p.offset(i as isize * stride)))
        };
        // Lanes merge as a tree (halving the width, constant trip counts), which vectorises;
        // a serial merge of 64 lanes cost as much as the block's loads.
        for width in [32, 16, 8, 4, 2, 1] {
            if width < LANES {
                for i in 0..width {
                    lanes[i] = merge(lanes[i], lanes[i + width]);
                }
            }
        }
        let mut carry = merge(lanes[0], rest);
        let mut level = 0;
        while blocks >> level & 1 == 1 {
            carry = merge(pending[level], carry);
            level += 1;
        }
        pending[level] = carry;
        blocks += 1;
        start += n;
    }
    // Only levels up to the highest set bit of `blocks` hold anything (short rows have one).
    let levels = (usize::BITS - blocks.leading_zeros()) as usize;
    (0..levels).rev().filter(|&level| blocks >> level & 1 == 1).fold(init, |total, level| merge(total, pending[level]))
}

/// `acc[i] = step(acc[i], x[i])` along a row where the fastest dim is kept.
#[inline(always)]
unsafe fn update_row<T: Element, A: Copy>(x: *const T, xs: isize, acc: *mut A, accs: isize, len: usize, step: &impl Fn(A, T) -> A) {
    if xs == 1 && accs == 1 {
        dispatch_if(vectorised::<T>(), #[inline(always)] || update_contiguous(std::slice::from_raw_parts(x, len), std::slice::from_raw_parts_mut(acc, len), step))
    } else {
        for i in 0..len as isize {
            let a = acc.offset(i * accs);
            *a = step(*a, *x.offset(i * xs));
        }
    }
}

#[inline(always)]
fn update_contiguous<T: Copy, A: Copy>(x: &[T], acc: &mut [A], step: &impl Fn(A, T) -> A) {
    for (a, &v) in acc.iter_mut().zip(x) {
        *a = step(*a, v);
    }
}
