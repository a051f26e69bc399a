//! Sliding windows over a batch of images, the ground of convolution and pooling: `unfold`
//! (im2col) lays every kernel window out as a column and `fold` (col2im) sums columns back into
//! images. They are each other's adjoint, so convolutions are matmuls on them, pooling is a
//! reduction over the window axis, and each one's gradient is the other.
use super::binary::{binary_, BinOp, Other};
use super::shape::{narrow, select};
use crate::dtype::Scalar;
use crate::error::{runtime, Result};
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Kernel geometry over the two spatial dims. `padding` is `[top, bottom, left, right]`
/// (pooling with `ceil_mode` pads one side more than the other).
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub kernel: [usize; 2],
    pub dilation: [usize; 2],
    pub padding: [usize; 4],
    pub stride: [usize; 2],
}

impl Window {
    fn padded(&self, size: [usize; 2]) -> [usize; 2] {
        [size[0] + self.padding[0] + self.padding[1], size[1] + self.padding[2] + self.padding[3]]
    }

    /// The number of window positions along each spatial dim for an image of `size`.
    pub fn blocks(&self, size: [usize; 2]) -> Result<[usize; 2]> {
        if self.kernel.contains(&0) || self.dilation.contains(&0) || self.stride.contains(&0) {
            return runtime(format!(
                "kernel size, dilation and stride should be greater than zero, but got kernel_size={:?}, dilation={:?}, stride={:?}",
                self.kernel, self.dilation, self.stride
            ));
        }
        let padded = self.padded(size);
        let count = |d: usize| {
            let span = self.dilation[d] * (self.kernel[d] - 1) + 1;
            (padded[d] >= span).then(|| (padded[d] - span) / self.stride[d] + 1).unwrap_or(0)
        };
        let blocks = [count(0), count(1)];
        if blocks.contains(&0) {
            return runtime(format!(
                "Given input with spatial size ({}, {}), kernel_size=({}, {}), dilation=({}, {}), padding=({}, {}), calculated shape of the array of sliding blocks as ({}, {}), but its components must be at least one.",
                size[0], size[1], self.kernel[0], self.kernel[1], self.dilation[0], self.dilation[1],
                self.padding[0], self.padding[2], blocks[0] as i64, blocks[1] as i64
            ));
        }
        Ok(blocks)
    }

    /// The `[N, C, kh, kw, bh, bw]` view of every window of a padded `[N, C, H, W]` image.
    fn windows_of(&self, padded: &Tensor, blocks: [usize; 2]) -> Tensor {
        let (s, l) = (padded.strides(), &padded.layout);
        let (sh, sw) = (s[2], s[3]);
        padded.with_layout(Layout {
            shape: [l.shape[0], l.shape[1], self.kernel[0], self.kernel[1], blocks[0], blocks[1]][..].into(),
            strides: [
                s[0],
                s[1],
                sh * self.dilation[0] as isize,
                sw * self.dilation[1] as isize,
                sh * self.stride[0] as isize,
                sw * self.stride[1] as isize,
            ][..]
                .into(),
            offset: l.offset,
        })
    }

    /// The view of a padded image without its padding.
    fn interior(&self, padded: &Tensor, size: [usize; 2]) -> Result<Tensor> {
        let rows = narrow(padded, 2, self.padding[0] as i64, size[0] as i64)?;
        narrow(&rows, 3, self.padding[2] as i64, size[1] as i64)
    }
}

fn image_dims(t: &Tensor, what: &str) -> Result<[usize; 4]> {
    match *t.shape() {
        [n, c, h, w] => Ok([n, c, h, w]),
        _ => runtime(format!("{}: expected a 4-D (N, C, H, W) tensor, but got a {}-D tensor", what, t.ndim())),
    }
}

/// im2col: `[N, C, H, W]` → `[N, C·kh·kw, L]`, one column per window position (row-major over
/// the output grid), the padding filled with `pad_value` (0 for convolutions, -inf for max pooling).
pub fn unfold(input: &Tensor, w: &Window, pad_value: Scalar) -> Result<Tensor> {
    let [n, c, h, wd] = image_dims(input, "unfold")?;
    let blocks = w.blocks([h, wd])?;
    let padded = if w.padding == [0; 4] {
        input.clone()
    } else {
        let padded = Tensor::full(&[n, c, w.padded([h, wd])[0], w.padded([h, wd])[1]], pad_value, input.dtype)?;
        w.interior(&padded, [h, wd])?.copy_(input)?;
        padded
    };
    let columns = w.windows_of(&padded, blocks).copy_to_new(input.dtype)?;
    columns.view(&[n as i64, (c * w.kernel[0] * w.kernel[1]) as i64, (blocks[0] * blocks[1]) as i64])
}

/// col2im: `[N, C·kh·kw, L]` → `[N, C, H, W]` with `size = [H, W]`, summing the columns of
/// overlapping windows (the adjoint of `unfold`).
pub fn fold(columns: &Tensor, size: [usize; 2], w: &Window) -> Result<Tensor> {
    let [n, ckk, l] = match *columns.shape() {
        [n, ckk, l] => [n, ckk, l],
        _ => return runtime(format!("fold: expected a 3-D (N, C*kh*kw, L) tensor, but got a {}-D tensor", columns.ndim())),
    };
    let kernel_area = w.kernel[0] * w.kernel[1];
    if kernel_area == 0 || ckk % kernel_area != 0 {
        return runtime(format!(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={} and kernel_size=({}, {})",
            ckk, w.kernel[0], w.kernel[1]
        ));
    }
    let blocks = w.blocks(size)?;
    if blocks[0] * blocks[1] != l {
        return runtime(format!(
            "Given output_size=({}, {}), kernel_size=({}, {}), dilation=({}, {}), padding=({}, {}), stride=({}, {}), expected size of input's dimension 2 to match the calculated number of sliding blocks {} * {} = {}, but got input.size(2)={}.",
            size[0], size[1], w.kernel[0], w.kernel[1], w.dilation[0], w.dilation[1], w.padding[0], w.padding[2],
            w.stride[0], w.stride[1], blocks[0], blocks[1], blocks[0] * blocks[1], l
        ));
    }
    let c = ckk / kernel_area;
    let columns = columns.reshape(&[n as i64, c as i64, w.kernel[0] as i64, w.kernel[1] as i64, blocks[0] as i64, blocks[1] as i64])?;
    let padded_size = w.padded(size);
    let padded = Tensor::zeros(&[n, c, padded_size[0], padded_size[1]], columns.dtype)?;
    let windows = w.windows_of(&padded, blocks);
    // One strided add per kernel offset: within an offset the window positions never overlap.
    for ki in 0..w.kernel[0] {
        let (dst_row, src_row) = (select(&windows, 2, ki as i64)?, select(&columns, 2, ki as i64)?);
        for kj in 0..w.kernel[1] {
            binary_(BinOp::Add, &select(&dst_row, 2, kj as i64)?, &Other::Tensor(select(&src_row, 2, kj as i64)?))?;
        }
    }
    if w.padding == [0; 4] {
        return Ok(padded);
    }
    w.interior(&padded, size)?.contiguous()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(k: usize, d: usize, p: usize, s: usize) -> Window {
        Window { kernel: [k, k], dilation: [d, d], padding: [p; 4], stride: [s, s] }
    }

    #[test]
    fn unfold_lays_windows_out_as_columns() {
        // 1x1x3x3 image 0..9, 2x2 kernel, stride 1: four windows.
        let x = Tensor::from_vec((0..9).map(|v| v as f64).collect(), &[1, 1, 3, 3]).unwrap();
        let cols = unfold(&x, &window(2, 1, 0, 1), Scalar::Float(0.0)).unwrap();
        assert_eq!(cols.shape(), &[1, 4, 4]);
        assert_eq!(
            cols.to_vec::<f64>().unwrap(),
            vec![0., 1., 3., 4., 1., 2., 4., 5., 3., 4., 6., 7., 4., 5., 7., 8.]
        );
    }

    #[test]
    fn fold_is_the_adjoint_of_unfold() {
        // <unfold(x), y> == <x, fold(y)> for every geometry tried.
        for (k, d, p, s) in [(3, 1, 1, 1), (2, 2, 0, 2), (3, 1, 2, 3), (1, 1, 0, 1)] {
            let w = window(k, d, p, s);
            let x = Tensor::from_vec((0..2 * 3 * 5 * 6).map(|v| ((v * 7 % 11) as f64) - 5.0).collect(), &[2, 3, 5, 6]).unwrap();
            let cols = unfold(&x, &w, Scalar::Float(0.0)).unwrap();
            let y_data: Vec<f64> = (0..cols.numel()).map(|v| ((v * 5 % 13) as f64) - 6.0).collect();
            let y = Tensor::from_vec(y_data.clone(), cols.shape()).unwrap();
            let lhs: f64 = cols.to_vec::<f64>().unwrap().iter().zip(&y_data).map(|(a, b)| a * b).sum();
            let folded = fold(&y, [5, 6], &w).unwrap();
            let rhs: f64 = x.to_vec::<f64>().unwrap().iter().zip(folded.to_vec::<f64>().unwrap()).map(|(a, b)| a * b).sum();
            assert_eq!(lhs, rhs, "geometry k={k} d={d} p={p} s={s}");
        }
    }

    #[test]
    fn bad_geometry_is_an_error() {
        let x = Tensor::zeros(&[1, 1, 2, 2], crate::dtype::DType::F32).unwrap();
        assert!(unfold(&x, &window(3, 1, 0, 1), Scalar::Float(0.0)).is_err());
        assert!(unfold(&x, &window(2, 1, 0, 0), Scalar::Float(0.0)).is_err());
        let cols = Tensor::zeros(&[1, 3, 1], crate::dtype::DType::F32).unwrap();
        assert!(fold(&cols, [2, 2], &window(2, 1, 0, 1)).is_err());
    }
}
