//! Sliding windows over a batch of images, the ground of convolution and pooling: `unfold`
//! (im2col) lays every kernel window out as a column and `fold` (col2im) sums columns back into
//! images. They are each other's adjoint, so convolutions are matmuls on them, pooling is a
//! reduction over the window axis, and each one's gradient is the other.
use super::unary::Float;
use crate::backend::cpu::simd::PARALLEL_GRAIN;
use crate::backend::cpu::threads;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Result};
use crate::tensor::Tensor;
use crate::with_float_dtype;

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

    /// The image row that kernel row `k` of window row `o` reads (negative or past the image
    /// in the padding).
    fn source_row(&self, o: usize, k: usize) -> isize {
        (o * self.stride[0] + k * self.dilation[0]) as isize - self.padding[0] as isize
    }

    /// For kernel column `k`: the first image column read (window column 0) and the range of
    /// window columns that read inside an image of `width`.
    fn columns_inside(&self, k: usize, width: usize, blocks: usize) -> (isize, usize, usize) {
        let first = (k * self.dilation[1]) as isize - self.padding[2] as isize;
        let s = self.stride[1] as isize;
        let lo = if first >= 0 { 0 } else { ((-first + s - 1) / s) as usize };
        let past = width as isize - first; // window columns with first + o*s < width
        let hi = if past <= 0 { 0 } else { (((past + s - 1) / s) as usize).min(blocks) };
        (first, lo.min(hi), hi)
    }
}

/// Runs `plane(p)` for every image plane, in parallel when the whole job is large.
pub(crate) fn for_each_plane(planes: usize, work: usize, plane: &(dyn Fn(usize) + Sync)) {
    if work < PARALLEL_GRAIN {
        (0..planes).for_each(plane);
    } else {
        threads::parallel_for(planes, plane);
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
    let image = input.contiguous()?;
    let (kernel_area, l) = (w.kernel[0] * w.kernel[1], blocks[0] * blocks[1]);
    let columns = Tensor::empty(&[n, c * kernel_area, l], input.dtype)?;
    crate::with_dtype!(input.dtype, T => {
        let pad: T = crate::dtype::Element::from_scalar(pad_value);
        im2col::<T>(&image, &columns, w, [h, wd], blocks, pad)
    });
    Ok(columns)
}

fn im2col<T: crate::dtype::Element>(image: &Tensor, columns: &Tensor, w: &Window, size: [usize; 2], blocks: [usize; 2], pad: T) {
    let (area, l) = (size[0] * size[1], blocks[0] * blocks[1]);
    let per_plane = w.kernel[0] * w.kernel[1] * l;
    let (src, dst) = (image.data_ptr::<T>() as usize, columns.data_ptr::<T>() as usize);
    let planes = image.numel() / area.max(1);
    for_each_plane(planes, planes * per_plane, &|p| {
        // SAFETY: plane p of each contiguous tensor lies within it and is written by this task only.
        let (x, out) = unsafe {
            (std::slice::from_raw_parts((src as *const T).add(p * area), area), std::slice::from_raw_parts_mut((dst as *mut T).add(p * per_plane), per_plane))
        };
        unfold_plane(x, out, w, size, blocks, pad);
    });
}

/// im2col of one `size` image plane `x` into its `kh·kw` rows of `blocks` columns.
pub(crate) fn unfold_plane<T: Copy>(x: &[T], out: &mut [T], w: &Window, size: [usize; 2], blocks: [usize; 2], pad: T) {
    let l = blocks[0] * blocks[1];
    for (row, out_rows) in out.chunks_mut(w.kernel[1] * l).enumerate() {
        for (kj, out_k) in out_rows.chunks_mut(l).enumerate() {
            let (first, lo, hi) = w.columns_inside(kj, size[1], blocks[1]);
            for (oh, line) in out_k.chunks_mut(blocks[1]).enumerate() {
                let r = w.source_row(oh, row);
                if r < 0 || r as usize >= size[0] {
                    line.fill(pad);
                    continue;
                }
                let image_row = &x[r as usize * size[1]..(r as usize + 1) * size[1]];
                line[..lo].fill(pad);
                line[hi..].fill(pad);
                let start = first + (lo * w.stride[1]) as isize;
                if w.stride[1] == 1 {
                    line[lo..hi].copy_from_slice(&image_row[start as usize..start as usize + (hi - lo)]);
                } else {
                    for (o, v) in line[lo..hi].iter_mut().enumerate() {
                        *v = image_row[start as usize + o * w.stride[1]];
                    }
                }
            }
        }
    }
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
    if !columns.dtype.is_float() {
        return Err(crate::error::Error::NotImplemented(format!("\"col2im\" not implemented for '{}'", crate::ops::binary::type_label(columns.dtype))));
    }
    let cols = columns.contiguous()?;
    let image = Tensor::zeros(&[n, ckk / kernel_area, size[0], size[1]], columns.dtype)?;
    with_float_dtype!(columns.dtype, T => col2im::<T>(&cols, &image, w, size, blocks));
    Ok(image)
}

fn col2im<T: Float>(columns: &Tensor, image: &Tensor, w: &Window, size: [usize; 2], blocks: [usize; 2]) {
    let (area, l) = (size[0] * size[1], blocks[0] * blocks[1]);
    let per_plane = w.kernel[0] * w.kernel[1] * l;
    let (src, dst) = (columns.data_ptr::<T>() as usize, image.data_ptr::<T>() as usize);
    let planes = image.numel() / area.max(1);
    for_each_plane(planes, planes * per_plane, &|p| {
        // SAFETY: plane p of each contiguous tensor lies within it and is written by this task only.
        let (cols, x) = unsafe {
            (std::slice::from_raw_parts((src as *const T).add(p * per_plane), per_plane), std::slice::from_raw_parts_mut((dst as *mut T).add(p * area), area))
        };
        fold_plane(cols, x, w, size, blocks);
    });
}

/// col2im of one plane's `kh·kw` rows of columns, added into the `size` image plane `x`.
pub(crate) fn fold_plane<T: Float>(cols: &[T], x: &mut [T], w: &Window, size: [usize; 2], blocks: [usize; 2]) {
    let l = blocks[0] * blocks[1];
    for (row, col_rows) in cols.chunks(w.kernel[1] * l).enumerate() {
        for (kj, col_k) in col_rows.chunks(l).enumerate() {
            let (first, lo, hi) = w.columns_inside(kj, size[1], blocks[1]);
            for (oh, line) in col_k.chunks(blocks[1]).enumerate() {
                let r = w.source_row(oh, row);
                if r < 0 || r as usize >= size[0] {
                    continue;
                }
                let image_row = &mut x[r as usize * size[1]..(r as usize + 1) * size[1]];
                let start = (first + (lo * w.stride[1]) as isize) as usize;
                if w.stride[1] == 1 {
                    for (at, &v) in image_row[start..start + (hi - lo)].iter_mut().zip(&line[lo..hi]) {
                        *at = T::narrow(at.widen() + v.widen());
                    }
                } else {
                    for (o, &v) in line[lo..hi].iter().enumerate() {
                        let at = &mut image_row[start + o * w.stride[1]];
                        *at = T::narrow(at.widen() + v.widen());
                    }
                }
            }
        }
    }
}

/// Max pooling of a `[N, C, H, W]` image (the padding never wins): each window's maximum and,
/// as PyTorch returns it, its flat position in the input plane (`row * W + column`). A NaN is
/// the maximum of any window it is in, as in PyTorch.
pub fn max_pool2d(input: &Tensor, w: &Window) -> Result<(Tensor, Tensor)> {
    let [n, c, h, wd] = image_dims(input, "max_pool2d")?;
    if input.dtype == DType::Bool || input.dtype.is_complex() || input.dtype.is_limited_uint() {
        return Err(crate::error::Error::NotImplemented(format!("\"max_pool2d\" not implemented for '{}'", crate::ops::binary::type_label(input.dtype))));
    }
    let blocks = w.blocks([h, wd])?;
    let image = input.contiguous()?;
    let values = Tensor::empty(&[n, c, blocks[0], blocks[1]], input.dtype)?;
    let indices = Tensor::empty(&[n, c, blocks[0], blocks[1]], DType::I64)?;
    crate::with_dtype!(input.dtype, T => pool_planes::<T>(&image, &values, &indices, w, [h, wd], blocks));
    Ok((values, indices))
}

fn pool_planes<T: Element>(image: &Tensor, values: &Tensor, indices: &Tensor, w: &Window, size: [usize; 2], blocks: [usize; 2]) {
    let (area, out_area) = (size[0] * size[1], blocks[0] * blocks[1]);
    let planes = image.numel() / area.max(1);
    let (src, dst, idx) = (image.data_ptr::<T>() as usize, values.data_ptr::<T>() as usize, indices.data_ptr::<i64>() as usize);
    for_each_plane(planes, planes * out_area * w.kernel[0] * w.kernel[1], &|p| {
        // SAFETY: plane p of each contiguous tensor lies within it and is written by this task only.
        let (x, v, at) = unsafe {
            (
                std::slice::from_raw_parts((src as *const T).add(p * area), area),
                std::slice::from_raw_parts_mut((dst as *mut T).add(p * out_area), out_area),
                std::slice::from_raw_parts_mut((idx as *mut i64).add(p * out_area), out_area),
            )
        };
        // No candidate yet (index -1): the first one is taken whatever its value. (Every window
        // holds one: the padding is at most half the kernel; a float one without would be -inf.)
        at.fill(-1);
        v.fill(T::from_f64(f64::NEG_INFINITY));
        // Kernel offsets outermost, so each output sees its candidates in PyTorch's order
        // (row by row): the first maximum wins, and so does any later NaN.
        for ki in 0..w.kernel[0] {
            for kj in 0..w.kernel[1] {
                let (first, lo, hi) = w.columns_inside(kj, size[1], blocks[1]);
                for oh in 0..blocks[0] {
                    let r = w.source_row(oh, ki);
                    if r < 0 || r as usize >= size[0] {
                        continue;
                    }
                    let row_start = r as usize * size[1];
                    let outs = oh * blocks[1];
                    for o in lo..hi {
                        let position = row_start + (first + (o * w.stride[1]) as isize) as usize;
                        let (value, k) = (x[position], outs + o);
                        // Non-short-circuit tests and selects: random data makes a branch here
                        // mispredict half the time.
                        #[allow(clippy::eq_op)] // `value != value`: NaN, for every element type
                        let take = (at[k] < 0) | (value > v[k]) | (value != value);
                        v[k] = if take { value } else { v[k] };
                        at[k] = if take { position as i64 } else { at[k] };
                    }
                }
            }
        }
    });
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
