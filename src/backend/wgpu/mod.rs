//! The GPU backend over wgpu (Vulkan, Metal, DX12), exposed as PyTorch's `cuda` device.
//!
//! Nothing here runs at import: the first GPU query creates the instance, picks the adapter and
//! opens the device (`context()`). Adapter policy: hardware adapters only, unless
//! `RUSTORCH_WGPU_ALLOW_SOFTWARE=1` admits software ones (Mesa lavapipe, WARP, SwiftShader), so a
//! machine without a GPU never runs `cuda` code on a slow fake one; OpenGL is never used.
pub mod kernels;
pub mod memory;

pub use memory::GpuMemory;

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The opened adapter: device, queue, the command encoder that batches work, caches.
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub limits: wgpu::Limits,
    pub features: wgpu::Features,
    /// Commands recorded but not yet submitted (submitted when the host waits for results).
    pending: Mutex<Pending>,
    /// Compiled kernels by their WGSL source's key (op, dtypes, layout class).
    pipelines: Mutex<HashMap<String, wgpu::ComputePipeline>>,
    pub pool: memory::Pool,
}

#[derive(Default)]
struct Pending {
    encoder: Option<wgpu::CommandEncoder>,
    commands: usize,
}

/// Commands batched into one submission before the encoder is flushed anyway.
const MAX_BATCH: usize = 256;

static CONTEXT: OnceLock<std::result::Result<Gpu, String>> = OnceLock::new();

/// The GPU, opened on first use; an error (naming why) when no usable adapter exists.
pub fn context() -> Result<&'static Gpu> {
    CONTEXT.get_or_init(open).as_ref().map_err(|why| Error::Runtime(why.clone()))
}

/// Whether a usable adapter exists (opens it on the first call).
pub fn is_available() -> bool {
    context().is_ok()
}

/// Whether the GPU was opened already (without opening it).
pub fn is_initialized() -> bool {
    matches!(CONTEXT.get(), Some(Ok(_)))
}

fn software_allowed() -> bool {
    std::env::var("RUSTORCH_WGPU_ALLOW_SOFTWARE").is_ok_and(|v| v == "1")
}

/// Mesa's loader prints "XDG_RUNTIME_DIR is invalid or not set" to stderr when the variable is
/// missing; a private directory keeps that noise out of the user's output.
fn quiet_mesa() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        let dir = std::env::temp_dir().join(format!("rustorch-xdg-{}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(builder.recursive(true), 0o700);
        if builder.recursive(true).create(&dir).is_ok() {
            // SAFETY: runs once, before wgpu starts any thread that could read the environment.
            std::env::set_var("XDG_RUNTIME_DIR", &dir);
        }
    }
}

fn open() -> std::result::Result<Gpu, String> {
    quiet_mesa();
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12;
    // Validation layers are for debugging wgpu itself; they slow every call.
    desc.flags = wgpu::InstanceFlags::empty();
    let instance = wgpu::Instance::new(desc);
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12));
    let rank = |t: wgpu::DeviceType| match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    };
    let allow_software = software_allowed();
    let adapter = adapters
        .into_iter()
        .filter(|a| allow_software || a.get_info().device_type != wgpu::DeviceType::Cpu)
        .min_by_key(|a| rank(a.get_info().device_type))
        .ok_or_else(|| {
            "No GPU found: rustorch's cuda device needs a Vulkan, Metal or DX12 adapter (software adapters count only with RUSTORCH_WGPU_ALLOW_SOFTWARE=1)".to_string()
        })?;
    let wanted = wgpu::Features::SHADER_F16 | wgpu::Features::SHADER_INT64;
    let features = adapter.features() & wanted;
    let limits = adapter.limits();
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("rustorch"),
        required_features: features,
        required_limits: limits.clone(),
        ..Default::default()
    }))
    .map_err(|e| format!("could not open the GPU {}: {}", adapter.get_info().name, e))?;
    Ok(Gpu {
        device,
        queue,
        info: adapter.get_info(),
        limits,
        features,
        pending: Mutex::default(),
        pipelines: Mutex::default(),
        pool: memory::Pool::default(),
    })
}

impl Gpu {
    /// Records commands into the batch encoder (flushed when full or when the host reads).
    pub fn record(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut p = self.pending.lock().unwrap();
        let enc = p.encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default()));
        f(enc);
        p.commands += 1;
        if p.commands >= MAX_BATCH {
            self.submit(&mut p);
        }
    }

    fn submit(&self, p: &mut Pending) {
        if let Some(enc) = p.encoder.take() {
            self.queue.submit([enc.finish()]);
            memory::STATS.submits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        p.commands = 0;
    }

    /// Submits the batch.
    pub fn flush(&self) {
        self.submit(&mut self.pending.lock().unwrap());
    }

    /// Submits the batch and waits until the GPU has run all of it (`torch.cuda.synchronize`).
    pub fn synchronize(&self) -> Result<()> {
        self.flush();
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| Error::Runtime(format!("GPU error while waiting for the queue: {}", e)))
    }

    /// The compute pipeline of a generated kernel, compiled on first use and cached by `key`.
    pub fn pipeline(&self, key: &str, wgsl: impl FnOnce() -> String) -> wgpu::ComputePipeline {
        let mut cache = self.pipelines.lock().unwrap();
        if let Some(p) = cache.get(key) {
            return p.clone();
        }
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(key),
            source: wgpu::ShaderSource::Wgsl(wgsl().into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(key),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        cache.insert(key.to_string(), pipeline.clone());
        pipeline
    }

    /// The backend, adapter and driver, for `rustorch.backends.wgpu` and device properties.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("backend", format!("{:?}", self.info.backend)),
            ("name", self.info.name.clone()),
            ("device_type", format!("{:?}", self.info.device_type)),
            ("driver", self.info.driver.clone()),
            ("driver_info", self.info.driver_info.clone()),
            ("vendor", format!("{:#06x}", self.info.vendor)),
            ("shader_f16", self.features.contains(wgpu::Features::SHADER_F16).to_string()),
            ("shader_int64", self.features.contains(wgpu::Features::SHADER_INT64).to_string()),
            ("max_buffer_size", self.limits.max_buffer_size.to_string()),
            ("max_storage_buffer_binding_size", self.limits.max_storage_buffer_binding_size.to_string()),
        ]
    }
}
