//! Row-wise iteration over strided, broadcast operands.
use super::simd::PARALLEL_GRAIN;
use super::threads;
use crate::layout::{Layout, Strides};

/// One innermost run of an iteration: `len` elements, starting at `offsets[k]` (in elements)
/// in operand k and stepping by `strides[k]`.
#[derive(Clone, Copy)]
pub struct Row<const N: usize> {
    pub offsets: [isize; N],
    pub strides: [isize; N],
    pub len: usize,
}

impl<const N: usize> Row<N> {
    /// True when every operand steps by one element, so the row is N plain slices.
    pub fn is_contiguous(&self) -> bool {
        self.strides.iter().all(|&s| s == 1)
    }
}

/// Calls `f` for every innermost row of the index space `shape`, where operand k has
/// `strides[k]` and starts at `bases[k]`. Rows run in parallel once the work is large enough;
/// callers must only write to positions that no other row reads. `f` is a trait object so
/// that this walk is compiled once per operand count, not once per kernel (one call per row).
pub fn for_each_row<const N: usize>(shape: &[usize], strides: [&[isize]; N], bases: [isize; N], f: &(dyn Fn(Row<N>) + Sync)) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    let mut owned: Vec<Strides> = strides.iter().map(|s| Strides::from_slice(s)).collect();
    let dims = Layout::collapse(shape, &mut owned);
    if dims.is_empty() {
        return f(Row { offsets: bases, strides: [0; N], len: 1 });
    }
    let nd = dims.len();
    let inner = dims[nd - 1];
    let inner_strides: [isize; N] = std::array::from_fn(|k| owned[k][nd - 1]);
    let rows = numel / inner;
    // Offsets of the row with linear index `r` over the outer dims.
    let row_offsets = |mut r: usize| -> [isize; N] {
        let mut off = bases;
        for d in (0..nd - 1).rev() {
            let i = (r % dims[d]) as isize;
            r /= dims[d];
            for k in 0..N {
                off[k] += i * owned[k][d];
            }
        }
        off
    };
    let run = |start: usize, end: usize| {
        for r in start..end {
            f(Row { offsets: row_offsets(r), strides: inner_strides, len: inner });
        }
    };
    if numel < PARALLEL_GRAIN || threads::num_threads() == 1 {
        return run(0, rows);
    }
    if rows == 1 {
        // One long row: split it into chunks.
        let chunk = PARALLEL_GRAIN;
        let chunks = inner.div_ceil(chunk);
        return threads::parallel_for(chunks, &|c| {
            let start = c * chunk;
            let len = chunk.min(inner - start);
            let offsets = std::array::from_fn(|k| bases[k] + start as isize * inner_strides[k]);
            f(Row { offsets, strides: inner_strides, len });
        });
    }
    let rows_per_task = (PARALLEL_GRAIN / inner).max(1);
    let tasks = rows.div_ceil(rows_per_task);
    threads::parallel_for(tasks, &|t| {
        let start = t * rows_per_task;
        run(start, (start + rows_per_task).min(rows));
    });
}
