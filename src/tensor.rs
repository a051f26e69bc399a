//! `Tensor` = storage + layout + dtype + autograd metadata. Cloning one is cheap and yields
//! another handle on the same tensor (sharing its autograd history); ops that make views build a
//! new `Tensor` over the same `Arc<Storage>` with no history of its own.
use crate::autograd::AutogradMeta;
use crate::backend;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::{contiguous_strides, numel, Dims, Layout};
use crate::storage::{Device, Storage};
use std::sync::Arc;

#[derive(Clone)]
pub struct Tensor {
    pub storage: Arc<Storage>,
    pub layout: Layout,
    pub dtype: DType,
    /// Autograd state (requires_grad, grad, grad_fn); None for tensors outside any graph.
    pub autograd: Option<Arc<AutogradMeta>>,
}

impl Tensor {
    /// An uninitialised contiguous tensor.
    pub fn empty(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Self::alloc(shape, dtype, false)
    }

    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Self::alloc(shape, dtype, true)
    }

    /// An uninitialised contiguous tensor on `device` (`empty` allocates on the running op's
    /// device, `backend::alloc_device`).
    pub fn empty_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let _on = backend::on_device(device);
        Self::alloc(shape, dtype, false)
    }

    fn alloc(shape: &[usize], dtype: DType, zeroed: bool) -> Result<Tensor> {
        let n = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .and_then(|n| n.checked_mul(dtype.size()))
            .ok_or_else(|| Error::Runtime(format!("Trying to create tensor with size {:?} that overflows", shape)))?;
        let device = backend::alloc_device();
        if device == Device::Cuda && (dtype.is_complex() || dtype.is_limited_uint()) {
            return runtime(format!("{} tensors are not supported on the cuda (wgpu) device; keep them on the cpu", dtype.name()));
        }
        let storage = Storage::new_on(n, zeroed, device)?;
        Ok(Tensor::from_storage(Arc::new(storage), Layout::contiguous(shape), dtype))
    }

    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
        let t = Self::empty(shape, dtype)?;
        t.fill_(value)?;
        Ok(t)
    }

    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        if data.len() != numel(shape) {
            return runtime(format!("data of {} elements does not fill shape {:?}", data.len(), shape));
        }
        let t = Self::empty(shape, T::DTYPE)?;
        // SAFETY: `t` is a fresh contiguous buffer of exactly data.len() elements of T.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), t.data_ptr::<T>(), data.len()) };
        Ok(t)
    }

    /// A 0-dim tensor for an operand (wrapping into `dtype` as C casts do; `fill_` is checked).
    pub fn scalar(value: Scalar, dtype: DType) -> Result<Tensor> {
        let t = Self::empty(&[], dtype)?;
        backend::fill(&t, value)?;
        Ok(t)
    }

    /// A Python number written into `dtype` by an op that checks it as PyTorch's
    /// `checked_convert` does (`where`, fills, index writes): out of range is an error, where
    /// arithmetic (`int8_tensor + 300`) wraps. `check_float`: a float type's range too.
    pub fn scalar_checked(value: Scalar, dtype: DType, check_float: bool) -> Result<Tensor> {
        value.check_fits(dtype, check_float)?;
        Self::scalar(value, dtype)
    }

    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }
    pub fn strides(&self) -> &[isize] {
        &self.layout.strides
    }
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }
    pub fn device(&self) -> Device {
        self.storage.device
    }
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    /// Pointer to the element at the layout's offset, typed as `T` (which must match dtype).
    pub fn data_ptr<T: Element>(&self) -> *mut T {
        debug_assert_eq!(T::DTYPE, self.dtype);
        // SAFETY: offset lies within the storage by construction of every layout.
        unsafe { (self.storage.as_ptr() as *mut T).add(self.layout.offset) }
    }

    /// Address of the first element of this view, for foreign consumers (NumPy, `data_ptr()`).
    pub fn data_ptr_raw(&self) -> *mut u8 {
        self.storage.as_ptr().wrapping_add(self.layout.offset * self.dtype.size())
    }

    /// A tensor over existing storage (e.g. memory borrowed from a NumPy array), with no
    /// autograd history.
    pub fn from_storage(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Tensor {
        Tensor { storage, layout, dtype, autograd: None }
    }

    /// A view with another layout over the same storage.
    pub fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor::from_storage(self.storage.clone(), layout, self.dtype)
    }

    pub fn dim_size(&self, dim: i64) -> Result<usize> {
        Ok(self.layout.shape[crate::layout::wrap_existing_dim(dim, self.ndim())?])
    }

    /// This tensor if already contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.copy_to_new(self.dtype)
    }

    /// A fresh contiguous copy (`clone`), cast to `dtype`.
    pub fn copy_to_new(&self, dtype: DType) -> Result<Tensor> {
        self.copy_to(self.device(), dtype)
    }

    /// A fresh contiguous copy on `device`, cast to `dtype` (`to(device, dtype)`).
    pub fn copy_to(&self, device: Device, dtype: DType) -> Result<Tensor> {
        let out = Tensor::empty_on(self.shape(), dtype, device)?;
        backend::copy_cast(&out, self)?;
        Ok(out)
    }

    /// `to(dtype)`: the same tensor when the dtype already matches. Ops convert their inputs
    /// with it, so it refuses to drop imaginary parts: an op without a complex kernel fails on a
    /// complex input instead of computing on its real part (user casts use `copy_to_new`).
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype {
            return Ok(self.clone());
        }
        if self.dtype.is_complex() && !dtype.is_complex() && dtype != DType::Bool {
            return Err(crate::dtype::not_implemented_for("kernel", self.dtype));
        }
        self.copy_to_new(dtype)
    }

    /// PyTorch's `assert_no_internal_overlap`: an in-place op may not write through a view in
    /// which several elements share one memory location (an expanded, stride-0 dim).
    pub fn assert_no_internal_overlap(&self) -> Result<()> {
        let layout = &self.layout;
        // An empty tensor has no element to alias (PyTorch's check says so too).
        let aliased = layout.shape.iter().zip(layout.strides.iter()).any(|(&size, &stride)| size > 1 && stride == 0);
        if aliased && self.numel() > 0 {
            return crate::error::runtime(
                "unsupported operation: more than one element of the written-to tensor refers to a single memory \
                 location. Please clone() the tensor before performing the operation.",
            );
        }
        Ok(())
    }

    /// PyTorch's `assert_no_partial_overlap` between an op's output (`self`) and one input: two
    /// dense views of one buffer must be the same view or disjoint, since an op reading an input
    /// while writing it would see some elements before and some after. Non-dense views are left
    /// alone, as in PyTorch (the ops then read a copy of an aliasing input).
    pub fn assert_no_partial_overlap(&self, input: &Tensor) -> Result<()> {
        if !self.overlaps(input) || self.numel() == 0 || input.numel() == 0 {
            return Ok(());
        }
        if !self.layout.is_non_overlapping_and_dense() || !input.layout.is_non_overlapping_and_dense() {
            return Ok(());
        }
        let bytes = |t: &Tensor| {
            let size = t.dtype.size();
            (t.layout.offset * size, (t.layout.offset + t.numel()) * size)
        };
        let ((out_begin, out_end), (in_begin, in_end)) = (bytes(self), bytes(input));
        let same_view = out_begin == in_begin && out_end == in_end && self.layout.strides == input.layout.strides;
        if !same_view && out_begin < in_end && in_begin < out_end {
            return crate::error::runtime(
                "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single \
                 memory location. Please clone() the tensor before performing the operation.",
            );
        }
        Ok(())
    }

    /// `copy_`: writes `src` (broadcast and cast) into this view.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        self.assert_no_internal_overlap()?;
        self.assert_no_partial_overlap(src)?;
        let src = src.broadcast_to(self.shape())?;
        let src = if self.overlaps(&src) && src.layout != self.layout { src.copy_to_new(src.dtype)? } else { src };
        backend::copy_cast(self, &src)?;
        self.storage.bump_version();
        Ok(())
    }

    pub fn fill_(&self, value: Scalar) -> Result<()> {
        // PyTorch's CPU fill of one element takes a shortcut that range-checks integers only
        // (a float out of range becomes inf there).
        let one_on_cpu = self.numel() == 1 && self.device() == crate::storage::Device::Cpu;
        value.check_fits(self.dtype, !one_on_cpu)?;
        backend::fill(self, value)?;
        self.storage.bump_version();
        Ok(())
    }

    /// Whether two tensors' memory may overlap (same storage; conservative).
    pub fn overlaps(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        Ok(self.with_layout(self.layout.broadcast_to(shape)?))
    }

    /// The single value of a one-element tensor.
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            return runtime(format!(
                "a Tensor with {} elements cannot be converted to Scalar",
                self.numel()
            ));
        }
        // SAFETY: one element lives at the offset.
        let value = crate::with_any_dtype!(self.dtype, T => unsafe { *self.data_ptr::<T>() }.to_scalar());
        self.check_device()?;
        Ok(value)
    }

    /// Raises a GPU error found while this tensor's bytes were read (a failed device->host copy).
    pub fn check_device(&self) -> Result<()> {
        if self.device() == Device::Cuda {
            backend::wgpu::faults::check()?;
        }
        Ok(())
    }

    /// The elements in row-major order, cast to `T`.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let t = if self.dtype == T::DTYPE && self.is_contiguous() { self.clone() } else { self.copy_to_new(T::DTYPE)? };
        let n = t.numel();
        // SAFETY: `t` is contiguous with n elements of T.
        let values = unsafe { std::slice::from_raw_parts(t.data_ptr::<T>(), n) }.to_vec();
        t.check_device()?;
        Ok(values)
    }

    /// `view`: the same memory under a new shape, or PyTorch's error when strides forbid it.
    pub fn view(&self, shape: &[i64]) -> Result<Tensor> {
        let shape = crate::layout::infer_shape(shape, self.numel())?;
        match self.layout.view_strides(&shape) {
            Some(strides) => Ok(self.with_layout(Layout { shape, strides, offset: self.layout.offset })),
            None => runtime(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
            ),
        }
    }

    /// `reshape`: a view when possible, else a copy.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        let dims = crate::layout::infer_shape(shape, self.numel())?;
        match self.layout.view_strides(&dims) {
            Some(strides) => Ok(self.with_layout(Layout { shape: dims, strides, offset: self.layout.offset })),
            None => {
                let c = self.copy_to_new(self.dtype)?;
                Ok(c.with_layout(Layout { strides: contiguous_strides(&dims), shape: dims, offset: 0 }))
            }
        }
    }

    pub fn shape_dims(&self) -> Dims {
        self.layout.shape.clone()
    }
}
