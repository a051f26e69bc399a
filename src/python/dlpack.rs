//! DLPack capsules both ways (`Tensor.__dlpack__`, `from_dlpack`): zero-copy exchange with
//! NumPy, PyTorch, JAX, CuPy… The capsule is built here rather than borrowed from NumPy because
//! NumPy has no bfloat16. Structs follow dlpack.h (ABI version 1.0) field for field.
use super::tensor::{wrap, PyTensor};
use crate::dtype::DType;
use crate::layout::Layout;
use crate::storage::{Device, Storage};
use crate::tensor::Tensor;
use pyo3::exceptions::{PyBufferError, PyRuntimeError};
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_void, CStr};
use std::sync::Arc;

const KDL_CPU: i32 = 1;
const FLAG_IS_COPIED: u64 = 2;

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

const LEGACY_NAME: &CStr = c"dltensor";
const LEGACY_USED: &CStr = c"used_dltensor";
const VERSIONED_NAME: &CStr = c"dltensor_versioned";
const VERSIONED_USED: &CStr = c"used_dltensor_versioned";

// DLPack type codes: kDLInt 0, kDLUInt 1, kDLFloat 2, kDLBfloat 4, kDLComplex 5, kDLBool 6.
fn dl_dtype(dtype: DType) -> DLDataType {
    let code = match dtype {
        DType::Bool => 6,
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => 1,
        DType::Complex64 | DType::Complex128 => 5,
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => 0,
        DType::F16 | DType::F32 | DType::F64 => 2,
        DType::BF16 => 4,
    };
    DLDataType { code, bits: (dtype.size() * 8) as u8, lanes: 1 }
}

fn dtype_from_dl(t: DLDataType) -> PyResult<DType> {
    let dtype = match (t.code, t.bits, t.lanes) {
        (6, 8, 1) => DType::Bool,
        (1, 8, 1) => DType::U8,
        (1, 16, 1) => DType::U16,
        (1, 32, 1) => DType::U32,
        (1, 64, 1) => DType::U64,
        (5, 64, 1) => DType::Complex64,
        (5, 128, 1) => DType::Complex128,
        (0, 8, 1) => DType::I8,
        (0, 16, 1) => DType::I16,
        (0, 32, 1) => DType::I32,
        (0, 64, 1) => DType::I64,
        (2, 16, 1) => DType::F16,
        (2, 32, 1) => DType::F32,
        (2, 64, 1) => DType::F64,
        (4, 16, 1) => DType::BF16,
        (code, bits, lanes) => {
            return Err(PyBufferError::new_err(format!(
                "Unsupported DLPack dtype (code={}, bits={}, lanes={})",
                code, bits, lanes
            )))
        }
    };
    Ok(dtype)
}

/// What a capsule owns: the exported view (its Arc keeps the storage alive) and the shape and
/// strides arrays the DLTensor points into.
struct ExportContext {
    _tensor: Tensor,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

fn export_tensor(t: &Tensor) -> (Box<ExportContext>, DLTensor) {
    let mut ctx = Box::new(ExportContext {
        _tensor: t.clone(),
        shape: t.shape().iter().map(|&d| d as i64).collect(),
        strides: t.strides().iter().map(|&s| s as i64).collect(),
    });
    let dl = DLTensor {
        data: t.data_ptr_raw() as *mut c_void,
        device: DLDevice { device_type: KDL_CPU, device_id: 0 },
        ndim: t.ndim() as i32,
        dtype: dl_dtype(t.dtype),
        shape: ctx.shape.as_mut_ptr(),
        strides: ctx.strides.as_mut_ptr(),
        byte_offset: 0,
    };
    (ctx, dl)
}

unsafe extern "C" fn delete_legacy(m: *mut DLManagedTensor) {
    let m = Box::from_raw(m);
    drop(Box::from_raw(m.manager_ctx as *mut ExportContext));
}

unsafe extern "C" fn delete_versioned(m: *mut DLManagedTensorVersioned) {
    let m = Box::from_raw(m);
    drop(Box::from_raw(m.manager_ctx as *mut ExportContext));
}

/// A capsule nobody consumed still owns its tensor: free it (the consumer renames it otherwise).
unsafe extern "C" fn capsule_destructor(capsule: *mut ffi::PyObject) {
    if ffi::PyCapsule_IsValid(capsule, LEGACY_NAME.as_ptr()) == 1 {
        let m = ffi::PyCapsule_GetPointer(capsule, LEGACY_NAME.as_ptr()) as *mut DLManagedTensor;
        if let Some(del) = (*m).deleter {
            del(m);
        }
    } else if ffi::PyCapsule_IsValid(capsule, VERSIONED_NAME.as_ptr()) == 1 {
        let m = ffi::PyCapsule_GetPointer(capsule, VERSIONED_NAME.as_ptr()) as *mut DLManagedTensorVersioned;
        if let Some(del) = (*m).deleter {
            del(m);
        }
    }
}

/// `_to_dlpack(tensor, versioned, copied)`: a "dltensor" capsule (DLPack 0.x consumers) or a
/// "dltensor_versioned" one (1.x), sharing the tensor's memory.
#[pyfunction]
fn _to_dlpack(py: Python<'_>, tensor: &PyTensor, versioned: bool, copied: bool) -> PyResult<Py<PyAny>> {
    let t = tensor.tensor();
    if t.device() != Device::Cpu {
        return Err(PyBufferError::new_err("DLPack export supports CPU tensors only"));
    }
    let (ctx, dl_tensor) = export_tensor(&t);
    let manager_ctx = Box::into_raw(ctx) as *mut c_void;
    let (pointer, name) = if versioned {
        let m = Box::new(DLManagedTensorVersioned {
            version: DLPackVersion { major: 1, minor: 0 },
            manager_ctx,
            deleter: Some(delete_versioned),
            flags: if copied { FLAG_IS_COPIED } else { 0 },
            dl_tensor,
        });
        (Box::into_raw(m) as *mut c_void, VERSIONED_NAME)
    } else {
        let m = Box::new(DLManagedTensor { dl_tensor, manager_ctx, deleter: Some(delete_legacy) });
        (Box::into_raw(m) as *mut c_void, LEGACY_NAME)
    };
    // SAFETY: `pointer` is a leaked box the destructor (or the consumer's deleter call) frees.
    unsafe {
        let capsule = ffi::PyCapsule_New(pointer, name.as_ptr(), Some(capsule_destructor));
        Bound::from_owned_ptr_or_err(py, capsule).map(|c| c.unbind())
    }
}

/// Calls the producer's deleter when the last view of the imported memory goes away.
struct ImportGuard {
    managed: *mut c_void,
    versioned: bool,
}

// SAFETY: DLPack deleters may be called from any thread (the standard requires it).
unsafe impl Send for ImportGuard {}
unsafe impl Sync for ImportGuard {}

impl Drop for ImportGuard {
    fn drop(&mut self) {
        // SAFETY: `managed` came from a consumed capsule of the matching kind; called once.
        unsafe {
            if self.versioned {
                let m = self.managed as *mut DLManagedTensorVersioned;
                if let Some(del) = (*m).deleter {
                    del(m);
                }
            } else {
                let m = self.managed as *mut DLManagedTensor;
                if let Some(del) = (*m).deleter {
                    del(m);
                }
            }
        }
    }
}

/// `_from_dlpack(capsule)`: a tensor over the capsule's memory; the capsule is marked used and
/// its producer is released when the tensor's storage is freed.
#[pyfunction]
fn _from_dlpack(py: Python<'_>, capsule: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let obj = capsule.as_ptr();
    // SAFETY: capsule validity is checked before each pointer is read.
    unsafe {
        let (managed, versioned, dl) = if ffi::PyCapsule_IsValid(obj, VERSIONED_NAME.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(obj, VERSIONED_NAME.as_ptr()) as *mut DLManagedTensorVersioned;
            if (*m).version.major > 1 {
                return Err(PyBufferError::new_err(format!(
                    "DLPack version {}.{} is newer than the 1.x this build understands",
                    (*m).version.major,
                    (*m).version.minor
                )));
            }
            (m as *mut c_void, true, &(*m).dl_tensor as *const DLTensor)
        } else if ffi::PyCapsule_IsValid(obj, LEGACY_NAME.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(obj, LEGACY_NAME.as_ptr()) as *mut DLManagedTensor;
            (m as *mut c_void, false, &(*m).dl_tensor as *const DLTensor)
        } else {
            ffi::PyErr_Clear();
            return Err(PyRuntimeError::new_err(
                "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only once, so you might have already constructed a tensor from it once.",
            ));
        };
        let dl = &*dl;
        if dl.device.device_type != KDL_CPU {
            return Err(PyBufferError::new_err(format!(
                "from_dlpack: DLPack device type {} is not supported (CPU only)",
                dl.device.device_type
            )));
        }
        let dtype = dtype_from_dl(dl.dtype)?;
        let ndim = dl.ndim as usize;
        let shape: Vec<usize> = if ndim == 0 { vec![] } else { std::slice::from_raw_parts(dl.shape, ndim).iter().map(|&d| d as usize).collect() };
        let strides: Vec<isize> = if dl.strides.is_null() || ndim == 0 {
            crate::layout::contiguous_strides(&shape).to_vec()
        } else {
            std::slice::from_raw_parts(dl.strides, ndim).iter().map(|&s| s as isize).collect()
        };
        if strides.iter().any(|&s| s < 0) {
            return Err(PyBufferError::new_err("from_dlpack: negative strides are not supported"));
        }
        let span = if shape.contains(&0) {
            0
        } else {
            shape.iter().zip(&strides).map(|(&d, &s)| (d as isize - 1) * s).sum::<isize>() as usize + 1
        };
        let data = (dl.data as *mut u8).wrapping_add(dl.byte_offset as usize);
        let used = if versioned { VERSIONED_USED } else { LEGACY_USED };
        if ffi::PyCapsule_SetName(obj, used.as_ptr()) != 0 {
            return Err(PyErr::fetch(py));
        }
        let guard = ImportGuard { managed, versioned };
        let storage = Storage::from_foreign(data, span * dtype.size(), Box::new(guard));
        let layout = Layout { shape: shape.into(), strides: strides.into(), offset: 0 };
        wrap(py, Tensor::from_storage(Arc::new(storage), layout, dtype))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_to_dlpack, m)?)?;
    m.add_function(wrap_pyfunction!(_from_dlpack, m)?)?;
    Ok(())
}
