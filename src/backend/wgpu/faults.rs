//! GPU errors reach Python as exceptions, never as panics: wgpu reports a failed kernel
//! compilation, an out-of-memory or a lost device to an error scope or to the uncaptured-error
//! handler installed here, and the next GPU call (or read) raises it (`check`).
use crate::error::{Error, Result};
use std::sync::{Arc, Mutex};

/// An error wgpu reported outside any error scope, waiting to be raised.
static FAULT: Mutex<Option<Error>> = Mutex::new(None);
/// Why the device was lost; every later GPU call fails with it.
static LOST: Mutex<Option<String>> = Mutex::new(None);

/// A wgpu error as the exception PyTorch raises for its CUDA counterpart.
pub fn convert(e: &wgpu::Error, adapter: &str) -> Error {
    match e {
        wgpu::Error::OutOfMemory { .. } => Error::OutOfMemory(format!("CUDA out of memory on cuda:0 ({}): {}", adapter, e)),
        _ => Error::Runtime(format!("GPU error on cuda:0 ({}): {}", adapter, e)),
    }
}

/// Routes the device's uncaptured errors and its loss into the slots above.
pub fn install(device: &wgpu::Device, adapter: &str) {
    let name = adapter.to_string();
    device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
        let mut slot = FAULT.lock().unwrap();
        if slot.is_none() {
            *slot = Some(convert(&e, &name));
        }
    }));
    let name = adapter.to_string();
    device.set_device_lost_callback(move |reason, message| {
        *LOST.lock().unwrap() = Some(format!("CUDA error: the GPU device was lost ({}, {:?}): {}", name, reason, message));
    });
}

/// The pending GPU error, if any (a lost device stays an error).
pub fn check() -> Result<()> {
    if let Some(why) = LOST.lock().unwrap().as_ref() {
        return Err(Error::Runtime(why.clone()));
    }
    match FAULT.lock().unwrap().take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Records an error found where no `Result` can carry it (a host read of a GPU buffer inside a
/// CPU kernel); `check` raises it at the end of the op.
pub fn record(e: Error) {
    let mut slot = FAULT.lock().unwrap();
    if slot.is_none() {
        *slot = Some(e);
    }
}
