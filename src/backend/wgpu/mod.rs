//! The GPU backend over wgpu (Vulkan, Metal, DX12), exposed as PyTorch's `cuda` device.
//!
//! Nothing here runs at import: the first GPU query creates the instance, picks the adapter and
//! opens the device (`context()`). Adapter policy: hardware adapters only, unless
//! `RUSTORCH_WGPU_ALLOW_SOFTWARE=1` admits software ones (Mesa lavapipe, WARP, SwiftShader), so a
//! machine without a GPU never runs `cuda` code on a slow fake one; OpenGL is never used.
pub mod elementwise;
pub mod faults;
pub mod kernels;
pub mod launch;
pub mod matmul;
pub mod memory;
pub mod optim;
pub mod reduce;

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
    /// The buffer carrying the batch's dispatch parameters (shapes, strides, scalars), and how
    /// much of it the batch uses: one buffer for the process, so a step allocates none.
    arena: Option<wgpu::Buffer>,
    arena_used: u64,
}

/// Bytes of dispatch parameters one batch may carry before it is submitted.
const ARENA_BYTES: u64 = 1 << 20;

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
    faults::install(&device, &adapter.get_info().name);
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
        p.arena_used = 0;
    }

    /// Places a dispatch's parameter words in the batch's arena: (buffer, offset, size). The
    /// write lands when the batch is submitted, before its commands run; batches run in order,
    /// so the next batch may reuse the space.
    pub fn params(&self, words: &[i32]) -> Result<(wgpu::Buffer, u64, wgpu::BufferSize)> {
        let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        if bytes.is_empty() {
            bytes.resize(4, 0);
        }
        let size = bytes.len() as u64;
        let align = (self.limits.min_storage_buffer_offset_alignment as u64).max(4);
        let mut p = self.pending.lock().unwrap();
        let mut offset = p.arena_used.next_multiple_of(align);
        if offset + size > ARENA_BYTES {
            self.submit(&mut p);
            offset = 0;
        }
        let arena = match &p.arena {
            Some(a) => a.clone(),
            None => {
                let a = self.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("params"),
                    size: ARENA_BYTES,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                memory::STATS.buffers_created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                p.arena = Some(a.clone());
                a
            }
        };
        self.queue.write_buffer(&arena, offset, &bytes);
        p.arena_used = offset + size;
        Ok((arena, offset, wgpu::BufferSize::new(size).expect("non-empty")))
    }

    /// Submits the batch.
    pub fn flush(&self) {
        self.submit(&mut self.pending.lock().unwrap());
    }

    /// Submits the batch and waits until the GPU has run all of it (`torch.cuda.synchronize`).
    pub fn synchronize(&self) -> Result<()> {
        faults::check()?;
        self.flush();
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Runtime(format!("GPU error while waiting for the queue: {}", e)))?;
        faults::check()
    }

    /// The compute pipeline of a generated kernel, compiled on first use and cached by `key`;
    /// a kernel the adapter rejects is a RuntimeError naming it.
    pub fn pipeline(&self, key: &str, wgsl: impl FnOnce() -> String) -> Result<wgpu::ComputePipeline> {
        let mut cache = self.pipelines.lock().unwrap();
        if let Some(p) = cache.get(key) {
            return Ok(p.clone());
        }
        faults::check()?;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
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
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::Runtime(format!("GPU kernel '{}' failed to compile on {}: {}", key, self.info.name, e)));
        }
        cache.insert(key.to_string(), pipeline.clone());
        Ok(pipeline)
    }

    /// Test hook (`_C._cuda_test_fault`): a kernel that does not compile, or a lost device.
    pub fn inject_fault(&self, what: &str) -> Result<()> {
        match what {
            "wgsl" => self.pipeline("broken_kernel", || "fn main( {".to_string()).map(|_| ()),
            "lose_device" => {
                self.device.destroy();
                Ok(())
            }
            _ => Err(Error::Value(format!("unknown fault {}", what))),
        }
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
