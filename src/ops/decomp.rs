//! Matrix factorizations behind `torch.linalg`, on the `faer` crate: LU with partial pivoting,
//! Cholesky, Householder QR, the symmetric eigendecomposition, the SVD and triangular solves.
//! Each takes a batch (..., m, n) and factors its matrices in parallel, in f64 (f32 inputs are
//! widened and the results narrowed back). These are the forward kernels only: the Python layer
//! (`rustorch.linalg`) composes everything else from them and writes the backward formulas with
//! differentiable tensor ops.
use crate::backend::cpu::threads;
use crate::dtype::DType;
use crate::error::{runtime, Result};
use crate::ops::binary::type_label;
use crate::tensor::Tensor;
use faer::{MatRef, Side};
use rayon::prelude::*;

/// A batch of row-major f64 matrices read from a tensor of shape (..., rows, cols).
struct Batch {
    batch_dims: Vec<usize>,
    rows: usize,
    cols: usize,
    data: Vec<f64>,
    dtype: DType,
}

impl Batch {
    fn of(a: &Tensor, name: &str) -> Result<Batch> {
        if a.ndim() < 2 {
            return runtime(format!("{name}: The input tensor A must have at least 2 dimensions."));
        }
        if !matches!(a.dtype, DType::F32 | DType::F64) {
            return runtime(format!("{name}: Expected a floating point tensor as input. Got {}", type_label(a.dtype)));
        }
        let n = a.ndim();
        Ok(Batch {
            batch_dims: a.shape()[..n - 2].to_vec(),
            rows: a.shape()[n - 2],
            cols: a.shape()[n - 1],
            data: a.to_dtype(DType::F64)?.contiguous()?.to_vec::<f64>()?,
            dtype: a.dtype,
        })
    }

    fn len(&self) -> usize {
        self.batch_dims.iter().product()
    }

    fn matrix(&self, b: usize) -> MatRef<'_, f64> {
        let size = self.rows * self.cols;
        MatRef::from_row_major_slice(&self.data[b * size..(b + 1) * size], self.rows, self.cols)
    }

    /// Factors every matrix (in parallel) with `f`, which returns one value per output.
    fn map<const N: usize>(&self, f: impl Fn(MatRef<'_, f64>) -> [Vec<f64>; N] + Sync) -> [Vec<f64>; N] {
        let parts: Vec<[Vec<f64>; N]> = threads::install(|| (0..self.len()).into_par_iter().map(|b| f(self.matrix(b))).collect());
        std::array::from_fn(|k| parts.iter().flat_map(|p| p[k].iter().copied()).collect())
    }

    /// A tensor of shape (..., `tail`) in the input's dtype (or `dtype`).
    fn output(&self, tail: &[usize], data: Vec<f64>, dtype: DType) -> Result<Tensor> {
        let shape: Vec<usize> = self.batch_dims.iter().chain(tail).copied().collect();
        Tensor::from_vec(data, &shape)?.to_dtype(dtype)
    }
}

/// The row-major values of a faer matrix.
fn row_major(m: MatRef<'_, f64>) -> Vec<f64> {
    (0..m.nrows()).flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)])).collect()
}

/// `linalg.lu_factor_ex`: the packed LU factors (unit-diagonal L below the diagonal, U on and
/// above it), LAPACK's 1-based row-swap pivots, and info (the first zero pivot, 1-based; 0 if none).
pub fn lu_factor(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let batch = Batch::of(a, "linalg.lu_factor")?;
    let (m, n) = (batch.rows, batch.cols);
    let k = m.min(n);
    let [lu, pivots, info] = batch.map(|mat| {
        let lu = mat.partial_piv_lu();
        let (l, u) = (lu.L(), lu.U());
        let packed = (0..m).flat_map(|i| (0..n).map(move |j| if i > j { l[(i, j)] } else { u[(i, j)] }));
        let zero_pivot = (0..k).find(|&i| u[(i, i)] == 0.0).map_or(0, |i| i + 1);
        [packed.collect(), lapack_pivots(lu.P().arrays().0, k), vec![zero_pivot as f64]]
    });
    let int = |tail: &[usize], v: Vec<f64>| -> Result<Tensor> {
        let shape: Vec<usize> = batch.batch_dims.iter().chain(tail).copied().collect();
        Tensor::from_vec(v.into_iter().map(|x| x as i32).collect::<Vec<i32>>(), &shape)
    };
    Ok((batch.output(&[m, n], lu, batch.dtype)?, int(&[k], pivots)?, int(&[], info)?))
}

/// The sequence of row swaps (LAPACK's `ipiv`, 1-based) that brings row `order[i]` of the input
/// to position i, for the first `k` positions.
fn lapack_pivots(order: &[usize], k: usize) -> Vec<f64> {
    let mut at: Vec<usize> = (0..order.len()).collect(); // at[p]: the input row now at position p
    let mut position: Vec<usize> = (0..order.len()).collect(); // inverse of `at`
    (0..k)
        .map(|i| {
            let j = position[order[i]];
            let (ri, rj) = (at[i], at[j]);
            at.swap(i, j);
            position[ri] = j;
            position[rj] = i;
            (j + 1) as f64
        })
        .collect()
}

/// `linalg.cholesky_ex` from the lower triangle: L and info (the order of the first leading
/// minor that is not positive-definite; 0 on success).
pub fn cholesky(a: &Tensor) -> Result<(Tensor, Tensor)> {
    let batch = Batch::of(a, "linalg.cholesky")?;
    let n = batch.rows;
    let [l, info] = batch.map(|mat| match mat.llt(Side::Lower) {
        Ok(llt) => [row_major(llt.L()), vec![0.0]],
        Err(faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }) => {
            [vec![0.0; n * n], vec![(index + 1) as f64]]
        }
    });
    let info: Vec<i32> = info.into_iter().map(|x| x as i32).collect();
    Ok((batch.output(&[n, n], l, batch.dtype)?, Tensor::from_vec(info, &batch.batch_dims)?))
}

/// `linalg.qr`: Q and R, reduced (k = min(m, n) columns of Q) or complete (m).
pub fn qr(a: &Tensor, complete: bool) -> Result<(Tensor, Tensor)> {
    let batch = Batch::of(a, "linalg.qr")?;
    let (m, n) = (batch.rows, batch.cols);
    let k = if complete { m } else { m.min(n) };
    let [q, r] = batch.map(|mat| {
        let qr = mat.qr();
        let (q, r) = if complete { (qr.compute_Q(), qr.R().to_owned()) } else { (qr.compute_thin_Q(), qr.thin_R().to_owned()) };
        [row_major(q.as_ref()), row_major(r.as_ref())]
    });
    Ok((batch.output(&[m, k], q, batch.dtype)?, batch.output(&[k, n], r, batch.dtype)?))
}

/// `linalg.eigh` from the lower triangle: eigenvalues in ascending order and the eigenvectors
/// as columns.
pub fn eigh(a: &Tensor) -> Result<(Tensor, Tensor)> {
    let batch = Batch::of(a, "linalg.eigh")?;
    let n = batch.rows;
    let failed = std::sync::atomic::AtomicBool::new(false);
    let [w, v] = batch.map(|mat| match mat.self_adjoint_eigen(Side::Lower) {
        Ok(e) => [e.S().column_vector().iter().copied().collect(), row_major(e.U())],
        Err(_) => {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
            [vec![f64::NAN; n], vec![f64::NAN; n * n]]
        }
    });
    if failed.into_inner() {
        return runtime("linalg.eigh: The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated eigenvalues.");
    }
    Ok((batch.output(&[n], w, batch.dtype)?, batch.output(&[n, n], v, batch.dtype)?))
}

/// `linalg.svd`: U, the singular values (descending) and Vᴴ; reduced unless `full_matrices`.
pub fn svd(a: &Tensor, full_matrices: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let batch = Batch::of(a, "linalg.svd")?;
    let (m, n) = (batch.rows, batch.cols);
    let k = m.min(n);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let (ucols, vrows) = if full_matrices { (m, n) } else { (k, k) };
    let [u, s, vh] = batch.map(|mat| {
        let svd = if full_matrices { mat.svd() } else { mat.thin_svd() };
        match svd {
            Ok(svd) => [row_major(svd.U()), svd.S().column_vector().iter().copied().collect(), row_major(svd.V().transpose())],
            Err(_) => {
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
                [vec![f64::NAN; m * ucols], vec![f64::NAN; k], vec![f64::NAN; vrows * n]]
            }
        }
    });
    if failed.into_inner() {
        return runtime("linalg.svd: The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values.");
    }
    Ok((
        batch.output(&[m, ucols], u, batch.dtype)?,
        batch.output(&[k], s, batch.dtype)?,
        batch.output(&[vrows, n], vh, batch.dtype)?,
    ))
}

/// X with A X = B for triangular A (..., n, n) and B (..., n, k) of the same batch shape.
pub fn solve_triangular(a: &Tensor, b: &Tensor, upper: bool, unitriangular: bool) -> Result<Tensor> {
    let lhs = Batch::of(a, "linalg.solve_triangular")?;
    let rhs = Batch::of(b, "linalg.solve_triangular")?;
    if lhs.batch_dims != rhs.batch_dims || lhs.rows != lhs.cols || rhs.rows != lhs.rows {
        return runtime("linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B");
    }
    let (n, k) = (rhs.rows, rhs.cols);
    let parts: Vec<Vec<f64>> = threads::install(|| {
        (0..lhs.len())
            .into_par_iter()
            .map(|i| {
                let (t, mut x) = (lhs.matrix(i), rhs.matrix(i).to_owned());
                match (upper, unitriangular) {
                    (false, false) => t.solve_lower_triangular_in_place(x.as_mut()),
                    (false, true) => t.solve_unit_lower_triangular_in_place(x.as_mut()),
                    (true, false) => t.solve_upper_triangular_in_place(x.as_mut()),
                    (true, true) => t.solve_unit_upper_triangular_in_place(x.as_mut()),
                }
                row_major(x.as_ref())
            })
            .collect()
    });
    let dtype = if a.dtype == DType::F64 || b.dtype == DType::F64 { DType::F64 } else { DType::F32 };
    rhs.output(&[n, k], parts.concat(), dtype)
}
