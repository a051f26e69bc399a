//! Rust-level kernel timings (`cargo bench`): the engine without the Python layer.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rustorch::dtype::Scalar;
use rustorch::ops::binary::{binary, BinOp, Other};
use rustorch::ops::conv::{conv2d, conv2d_backward};
use rustorch::ops::pool::scatter_planes;
use rustorch::ops::window::{max_pool2d, Window};
use rustorch::ops::reduce::sum;
use rustorch::ops::unary::{unary, UnaryOp};
use rustorch::tensor::Tensor;

fn ramp(n: usize) -> Tensor {
    Tensor::from_vec((0..n).map(|i| (i % 1000) as f32 * 1e-3).collect(), &[n]).unwrap()
}

fn elementwise(c: &mut Criterion) {
    let mut g = c.benchmark_group("elementwise_f32");
    for n in [1usize, 100, 1 << 20, 16 << 20] {
        let (a, b) = (ramp(n), ramp(n));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("add", n), &n, |bch, _| {
            bch.iter(|| binary(BinOp::Add, &a, &Other::Tensor(b.clone())).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("mul_scalar", n), &n, |bch, _| {
            bch.iter(|| binary(BinOp::Mul, &a, &Other::Scalar(Scalar::Float(2.0))).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("exp", n), &n, |bch, _| bch.iter(|| unary(UnaryOp::Exp, &a).unwrap()));
    }
    g.finish();
}

fn reductions(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum_f32");
    let n = 4096;
    let a = ramp(n * n).reshape(&[n as i64, n as i64]).unwrap();
    g.throughput(Throughput::Elements((n * n) as u64));
    g.bench_function("all", |bch| bch.iter(|| sum(&a, None, false, None).unwrap()));
    g.bench_function("dim0", |bch| bch.iter(|| sum(&a, Some(&[0]), false, None).unwrap()));
    g.bench_function("dim1", |bch| bch.iter(|| sum(&a, Some(&[1]), false, None).unwrap()));
    g.finish();
}

/// The small CNN's second convolution (batch 32, 16->32 channels, 3x3, 16x16) and its first
/// max pool, forward and backward.
fn conv_pool(c: &mut Criterion) {
    let mut g = c.benchmark_group("conv_pool_f32");
    let x = ramp(32 * 16 * 16 * 16).reshape(&[32, 16, 16, 16]).unwrap();
    let w = ramp(32 * 16 * 9).reshape(&[32, 16, 3, 3]).unwrap();
    let b = ramp(32);
    let same = Window { kernel: [3, 3], dilation: [1, 1], padding: [1; 4], stride: [1, 1] };
    let out = conv2d(&x, &w, Some(&b), &same, 1).unwrap();
    g.bench_function("conv2d_16to32_fwd", |bch| bch.iter(|| conv2d(&x, &w, Some(&b), &same, 1).unwrap()));
    g.bench_function("conv2d_16to32_bwd", |bch| bch.iter(|| conv2d_backward(&x, &w, &out, &same, 1, [true; 3]).unwrap()));
    let maps = ramp(32 * 16 * 32 * 32).reshape(&[32, 16, 32, 32]).unwrap();
    let halve = Window { kernel: [2, 2], dilation: [1, 1], padding: [0; 4], stride: [2, 2] };
    let (values, indices) = max_pool2d(&maps, &halve).unwrap();
    g.bench_function("max_pool2d_fwd", |bch| bch.iter(|| max_pool2d(&maps, &halve).unwrap()));
    g.bench_function("max_pool2d_bwd", |bch| bch.iter(|| scatter_planes(&values, &indices, [32, 32]).unwrap()));
    g.finish();
}

criterion_group!(benches, elementwise, reductions, conv_pool);
criterion_main!(benches);
