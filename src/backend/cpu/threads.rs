//! The intra-op thread pool (`torch.set_num_threads`). Rayon's global pool cannot be resized,
//! so kernels run their parallel sections on a pool of our own that is replaced whenever the
//! thread count changes: `parallel_for` for index ranges, `install` for rayon's iterators and
//! for gemm's own splitting. Rayon's global pool is never used: that keeps
//! `set_num_threads(1)` honest, and a forked child (a DataLoader worker), whose copy of the
//! pool has no threads, builds a pool of its own instead of waiting on threads that are gone.
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

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

/// Runs `task(i)` for every `i < tasks`, on the calling thread and up to `num_threads() - 1`
/// pool workers. Type-erased on purpose: all kernels share one instantiation (generic closures
/// instantiated rayon's machinery per kernel and dtype, which was most of the library's size).
///
/// The caller works too, and waits only for tasks a worker has already started: on a virtual
/// machine waking a sleeping worker can take longer than a kernel's share, and a caller that
/// blocked until its helpers woke made two threads slower than one (add on 1M floats: 557 µs
/// on two threads against 307 µs on one). Each participant first takes the tasks of its own
/// share, in order (one product band each), then those of shares nobody has started.
pub fn parallel_for(tasks: usize, task: &(dyn Fn(usize) + Sync)) {
    let threads = num_threads().min(tasks);
    let pool = if threads > 1 { pool() } else { None };
    let Some(pool) = pool else {
        return (0..tasks).for_each(task);
    };
    // SAFETY: the task is only called for claimed indices, and this function returns only
    // after every index was claimed and finished; late helpers find nothing left to claim.
    let task: &'static (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(task) };
    let region = Arc::new(Region::new(tasks, threads, task));
    for share in 1..threads {
        let region = region.clone();
        pool.spawn(move || region.work(share));
    }
    region.work(0);
    region.wait();
}

/// One `parallel_for` call: `shares` ranges of task indices, each with its claim counter.
struct Region {
    task: &'static (dyn Fn(usize) + Sync),
    tasks: usize,
    next: Vec<AtomicUsize>,
    finished: AtomicUsize,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Region {
    fn new(tasks: usize, shares: usize, task: &'static (dyn Fn(usize) + Sync)) -> Region {
        let next = (0..shares).map(|s| AtomicUsize::new(s * tasks / shares)).collect();
        Region { task, tasks, next, finished: AtomicUsize::new(0), panic: Mutex::new(None) }
    }

    /// Runs unclaimed tasks, those of share `first` before the others'.
    fn work(&self, first: usize) {
        let shares = self.next.len();
        for s in (first..shares).chain(0..first) {
            let end = (s + 1) * self.tasks / shares;
            loop {
                let i = self.next[s].fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (self.task)(i))) {
                    self.panic.lock().unwrap().get_or_insert(payload);
                }
                self.finished.fetch_add(1, Ordering::Release);
            }
        }
    }

    /// Waits for the tasks other threads claimed; re-raises a task's panic here.
    fn wait(&self) {
        let mut spins = 0u32;
        while self.finished.load(Ordering::Acquire) < self.tasks {
            spins += 1;
            if spins < 1 << 12 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        if let Some(payload) = self.panic.lock().unwrap().take() {
            resume_unwind(payload);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` with the pool at `n` threads (tests share the pool, so they hold this lock).
    fn with_threads(n: usize, f: impl FnOnce()) {
        static LOCK: Mutex<()> = Mutex::new(());
        let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(n);
        f();
    }

    #[test]
    fn every_task_runs_once_on_any_thread_count() {
        for threads in [1, 2, 3, 5] {
            with_threads(threads, || {
                for tasks in [0, 1, 2, 3, 7, 64, 1000] {
                    let runs: Vec<AtomicUsize> = (0..tasks).map(|_| AtomicUsize::new(0)).collect();
                    parallel_for(tasks, &|i| {
                        runs[i].fetch_add(1, Ordering::Relaxed);
                    });
                    assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1), "{tasks} tasks on {threads} threads");
                }
            });
        }
    }

    #[test]
    fn nested_sections_finish() {
        with_threads(2, || {
            let total = AtomicUsize::new(0);
            parallel_for(4, &|_| {
                parallel_for(8, &|j| {
                    total.fetch_add(j, Ordering::Relaxed);
                })
            });
            assert_eq!(total.load(Ordering::Relaxed), 4 * 28);
        });
    }

    #[test]
    fn a_task_panic_reaches_the_caller_after_the_others_finish() {
        with_threads(2, || {
            let finished = AtomicUsize::new(0);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                parallel_for(16, &|i| {
                    if i == 11 {
                        panic!("task 11 failed");
                    }
                    finished.fetch_add(1, Ordering::Relaxed);
                })
            }));
            assert!(outcome.is_err());
            assert_eq!(finished.load(Ordering::Relaxed), 15);
        });
    }
}
