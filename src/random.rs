//! Random number generators: `torch.manual_seed`, `torch.Generator`, and the engine every random
//! op draws from.
//!
//! This is PyTorch's CPU generator, bit for bit (ATen's `CPUGeneratorImpl`): an MT19937 engine
//! seeded with the seed's low 32 bits, plus the cached second sample of the scalar Box-Muller
//! transform. Draws are sequential, as in PyTorch, so that after `manual_seed(s)` every op
//! produces PyTorch's numbers. `get_state` uses PyTorch's 5056-byte layout, so states move
//! between the two libraries.
use crate::error::{runtime, Result};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// The seed of a new `torch.Generator()` (ATen's `default_rng_seed_val`).
pub const DEFAULT_SEED: u64 = 67280421310721;

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// Bytes of `get_state()`: `sizeof(CPUGeneratorImplState)` on 64-bit platforms.
pub const STATE_BYTES: usize = 5056;
// Field offsets of that C struct (legacy MT state with 64-bit words, then the normal caches).
const OFF_SEED: usize = 0;
const OFF_LEFT: usize = 8;
const OFF_SEEDED: usize = 12;
const OFF_NEXT: usize = 16;
const OFF_WORDS: usize = 24;
const OFF_NORMAL_Y: usize = OFF_WORDS + 8 * N + 8;
const OFF_NORMAL_VALID: usize = OFF_NORMAL_Y + 16;
const OFF_FLOAT_NORMAL: usize = OFF_NORMAL_VALID + 8;
const OFF_FLOAT_NORMAL_VALID: usize = OFF_FLOAT_NORMAL + 4;

/// The MT19937 engine as ATen implements it (`left` counts down to the next twist).
#[derive(Clone)]
struct Mt19937 {
    seed: u64,
    left: u32,
    next: u32,
    words: [u32; N],
}

impl Mt19937 {
    fn new(seed: u64) -> Mt19937 {
        let mut words = [0u32; N];
        words[0] = seed as u32;
        for j in 1..N {
            words[j] = 1812433253u32.wrapping_mul(words[j - 1] ^ (words[j - 1] >> 30)).wrapping_add(j as u32);
        }
        Mt19937 { seed, left: 1, next: 0, words }
    }

    fn twist(&mut self) {
        #[inline(always)]
        fn mix(u: u32, v: u32) -> u32 {
            (((u & UPPER_MASK) | (v & LOWER_MASK)) >> 1) ^ if v & 1 == 1 { MATRIX_A } else { 0 }
        }
        let w = &mut self.words;
        for k in 0..N - M {
            w[k] = w[k + M] ^ mix(w[k], w[k + 1]);
        }
        for k in N - M..N - 1 {
            w[k] = w[k + M - N] ^ mix(w[k], w[k + 1]);
        }
        w[N - 1] = w[M - 1] ^ mix(w[N - 1], w[0]);
        self.left = N as u32;
        self.next = 0;
    }

    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.twist();
        }
        let mut y = self.words[self.next as usize];
        self.next += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }
}

/// A generator's state: the engine and the cached Box-Muller samples.
#[derive(Clone)]
pub struct Engine {
    mt: Mt19937,
    next_double_normal: Option<f64>,
    // Never produced by a CPU kernel, but part of PyTorch's state, so it round-trips.
    next_float_normal: Option<f32>,
}

impl Engine {
    fn new(seed: u64) -> Engine {
        Engine { mt: Mt19937::new(seed), next_double_normal: None, next_float_normal: None }
    }

    /// One 32-bit draw (`CPUGeneratorImpl::random`).
    #[inline(always)]
    pub fn random(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// Two draws, the first one in the high half (`CPUGeneratorImpl::random64`).
    #[inline(always)]
    pub fn random64(&mut self) -> u64 {
        let hi = self.random() as u64;
        (hi << 32) | self.random() as u64
    }

    /// `uniform_real_distribution<float>(0, 1)`: 24 random bits.
    #[inline(always)]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.random() & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// `uniform_real_distribution<double>(0, 1)`: 53 random bits.
    #[inline(always)]
    pub fn uniform_f64(&mut self) -> f64 {
        (self.random64() & ((1 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `normal_distribution<double>(mean, std)`: Box-Muller on two uniforms, whose second sample
    /// is cached for the next call (whatever its mean and std).
    pub fn normal_f64(&mut self, mean: f64, std: f64) -> f64 {
        let z = match self.next_double_normal.take() {
            Some(z) => z,
            None => {
                let u1 = self.uniform_f64();
                let u2 = self.uniform_f64();
                let r = (-2.0 * (-u2).ln_1p()).sqrt();
                let theta = 2.0 * std::f64::consts::PI * u1;
                self.next_double_normal = Some(r * theta.sin());
                r * theta.cos()
            }
        };
        // PyTorch's kernels are compiled with FMA contraction: `z * std + mean` is fused.
        z.mul_add(std, mean)
    }
}

pub struct Generator {
    engine: Mutex<Engine>,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { engine: Mutex::new(Engine::new(seed)) }
    }

    /// Exclusive access to the engine for one op's draws.
    pub fn lock(&self) -> MutexGuard<'_, Engine> {
        // A panic while holding this lock cannot leave the engine in an invalid state.
        self.engine.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn manual_seed(&self, seed: u64) {
        *self.lock() = Engine::new(seed);
    }

    /// Seeds from fresh OS randomness and returns the new seed (`Generator.seed()`).
    pub fn seed(&self) -> u64 {
        let seed = nondeterministic_seed();
        self.manual_seed(seed);
        seed
    }

    pub fn initial_seed(&self) -> u64 {
        self.lock().mt.seed
    }

    /// The state in PyTorch's `CPUGeneratorImplState` layout (little-endian, zero padding).
    pub fn get_state(&self) -> Vec<u8> {
        let e = self.lock().clone();
        let mut out = vec![0u8; STATE_BYTES];
        let mut put = |at: usize, bytes: &[u8]| out[at..at + bytes.len()].copy_from_slice(bytes);
        put(OFF_SEED, &e.mt.seed.to_le_bytes());
        put(OFF_LEFT, &(e.mt.left as i32).to_le_bytes());
        put(OFF_SEEDED, &1i32.to_le_bytes());
        put(OFF_NEXT, &(e.mt.next as u64).to_le_bytes());
        for (k, w) in e.mt.words.iter().enumerate() {
            put(OFF_WORDS + 8 * k, &(*w as u64).to_le_bytes());
        }
        if let Some(z) = e.next_double_normal {
            put(OFF_NORMAL_Y, &z.to_le_bytes());
            put(OFF_NORMAL_VALID, &1i32.to_le_bytes());
        }
        if let Some(z) = e.next_float_normal {
            put(OFF_FLOAT_NORMAL, &z.to_le_bytes());
            put(OFF_FLOAT_NORMAL_VALID, &[1]);
        }
        out
    }

    pub fn set_state(&self, bytes: &[u8]) -> Result<()> {
        if bytes.len() != STATE_BYTES {
            return runtime(format!(
                "Expected a CPUGeneratorImplState of size {} but found the input RNG state size to be {}",
                STATE_BYTES,
                bytes.len()
            ));
        }
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let int = |at: usize| i32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let (left, seeded, next) = (int(OFF_LEFT), int(OFF_SEEDED), word(OFF_NEXT) as u32);
        if seeded == 0 || !(1..=N as i32).contains(&left) || next as usize > N {
            return runtime("Invalid mt19937 state");
        }
        let mut words = [0u32; N];
        for (k, w) in words.iter_mut().enumerate() {
            // The legacy layout stores 64-bit words; the engine keeps their low halves.
            *w = word(OFF_WORDS + 8 * k) as u32;
        }
        let float_at = u32::from_le_bytes(bytes[OFF_FLOAT_NORMAL..OFF_FLOAT_NORMAL + 4].try_into().expect("4 bytes"));
        *self.lock() = Engine {
            mt: Mt19937 { seed: word(OFF_SEED), left: left as u32, next, words },
            next_double_normal: (int(OFF_NORMAL_VALID) != 0).then(|| f64::from_bits(word(OFF_NORMAL_Y))),
            next_float_normal: (bytes[OFF_FLOAT_NORMAL_VALID] != 0).then(|| f32::from_bits(float_at)),
        };
        Ok(())
    }
}

/// 64 bits of OS-seeded randomness, as PyTorch seeds its default generator and `seed()`.
fn nondeterministic_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    // `RandomState` keys come from the OS; the counter and clock make successive calls differ.
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    h.write_u128(now);
    h.write_u32(std::process::id());
    h.finish()
}

/// The process-wide generator behind `torch.manual_seed` and ops without `generator=`; like
/// PyTorch's, it starts from a non-deterministic seed.
pub fn default_generator() -> &'static Arc<Generator> {
    static DEFAULT: OnceLock<Arc<Generator>> = OnceLock::new();
    DEFAULT.get_or_init(|| Arc::new(Generator::new(nondeterministic_seed())))
}

/// The generator of random ops on `cuda` (`torch.cuda.manual_seed`). Until a counter-based GPU
/// generator lands, `cuda` samples are drawn on the host with the CPU generator's algorithm, so
/// a seed gives the same sequence on both devices.
pub fn cuda_generator() -> &'static Arc<Generator> {
    static CUDA: OnceLock<Arc<Generator>> = OnceLock::new();
    CUDA.get_or_init(|| Arc::new(Generator::new(nondeterministic_seed())))
}

/// The default generator of ops allocating on `device`.
pub fn default_generator_on(device: crate::storage::Device) -> &'static Arc<Generator> {
    match device {
        crate::storage::Device::Cpu => default_generator(),
        crate::storage::Device::Cuda => cuda_generator(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_matches_the_reference_mt19937() {
        // The published first outputs of init_genrand(5489) (std::mt19937's default seed).
        let mut e = Engine::new(5489);
        let first: Vec<u32> = (0..3).map(|_| e.random()).collect();
        assert_eq!(first, vec![3499211612, 581869302, 3890346734]);
        // std::mt19937 specifies its 10000th output for that seed.
        let mut e = Engine::new(5489);
        let last = (0..10000).map(|_| e.random()).last();
        assert_eq!(last, Some(4123659995));
    }

    #[test]
    fn state_round_trips_with_the_normal_cache() {
        let g = Generator::new(1);
        g.lock().normal_f64(0.0, 1.0);
        let st = g.get_state();
        assert_eq!(st.len(), STATE_BYTES);
        let a: Vec<f64> = (0..3).map(|_| g.lock().normal_f64(0.0, 1.0)).collect();
        g.set_state(&st).unwrap();
        let b: Vec<f64> = (0..3).map(|_| g.lock().normal_f64(0.0, 1.0)).collect();
        assert_eq!(a, b);
        assert!(g.set_state(&st[..3]).is_err());
        assert!(g.set_state(&vec![0u8; STATE_BYTES]).is_err());
    }
}
