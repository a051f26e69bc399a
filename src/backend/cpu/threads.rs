//! The intra-op thread pool (`torch.set_num_threads`). Rayon's global pool cannot be resized,
//! so kernels run their parallel sections inside a pool of our own that is replaced whenever
//! the thread count changes. Code already running on one of its workers runs inline. Every
//! parallel section goes through `install`, so rayon's global pool is never used: that keeps
//! `set_num_threads(1)` honest, and a forked child (a DataLoader worker), whose copy of the
//! pool has no threads, builds a pool of its own instead of waiting on threads that are gone.
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::{Arc, OnceLock, RwLock};

struct Pool {
    threads: usize,
    pool: Option<Arc<ThreadPool>>,
    /// The process the pool's threads live in.
    pid: u32,
}

fn state() -> &'static RwLock<Pool> {
    static POOL: OnceLock<RwLock<Pool>> = OnceLock::new();
    POOL.get_or_init(|| RwLock::new(Pool { threads: default_threads(), pool: None, pid: std::process::id() }))
}

/// PyTorch defaults to one thread per physical core; the machine's available parallelism is
/// the closest portable figure.
fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Threads the parallel kernels use (`torch.get_num_threads`).
pub fn num_threads() -> usize {
    state().read().unwrap().threads
}

/// Resizes the pool (`torch.set_num_threads`); `n` must be positive (checked by the caller).
pub fn set_num_threads(n: usize) {
    let mut s = state().write().unwrap();
    if s.threads != n {
        // Kernels already inside the old pool keep their Arc until they finish.
        *s = Pool { threads: n, pool: None, pid: std::process::id() };
    }
}

fn pool() -> Option<Arc<ThreadPool>> {
    let pid = std::process::id();
    {
        let s = state().read().unwrap();
        if let Some(p) = s.pool.as_ref().filter(|_| s.pid == pid) {
            return Some(p.clone());
        }
    }
    let mut s = state().write().unwrap();
    if s.pid != pid {
        // Forked: the inherited pool's threads do not exist here, and dropping it would wait
        // for them forever.
        std::mem::forget(s.pool.take());
        s.pid = pid;
    }
    if s.pool.is_none() {
        let built = ThreadPoolBuilder::new()
            .num_threads(s.threads)
            .thread_name(|i| format!("rustorch-{}", i))
            .build()
            .ok()?;
        s.pool = Some(Arc::new(built));
    }
    s.pool.clone()
}

/// Runs `f` inside the pool, so that rayon's parallel iterators in it use `num_threads()`
/// workers (one thread: they run serially on the pool's worker). On a pool worker already,
/// it runs directly.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        return f();
    }
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Runs `task(i)` for every `i < tasks` on the pool's threads. Type-erased on purpose: all
/// kernels share one instantiation of rayon's machinery (generic closures instantiated it per
/// kernel and dtype, which was most of the library's size).
pub fn parallel_for(tasks: usize, task: &(dyn Fn(usize) + Sync)) {
    // With one thread, handing the work to the pool's worker only adds two thread switches.
    if tasks <= 1 || num_threads() == 1 {
        return (0..tasks).for_each(task);
    }
    install(|| (0..tasks).into_par_iter().for_each(task))
}

/// `parallel_for` over the `chunk`-element pieces of `out` (the last one may be shorter):
/// `task(index, piece)`.
pub fn parallel_chunks<T: Send>(out: &mut [T], chunk: usize, task: &(dyn Fn(usize, &mut [T]) + Sync)) {
    let (len, base) = (out.len(), out.as_mut_ptr() as usize);
    parallel_for(len.div_ceil(chunk.max(1)), &|c| {
        let start = c * chunk;
        // SAFETY: the pieces are disjoint sub-slices of `out`, which outlives this call.
        let piece = unsafe { std::slice::from_raw_parts_mut((base as *mut T).add(start), chunk.min(len - start)) };
        task(c, piece)
    })
}
