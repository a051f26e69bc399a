//! Random number generators: `torch.manual_seed`, `torch.Generator`, and the streams that every
//! random op draws from.
//!
//! A generator's state is a seed and an offset (the number of draws made so far), like
//! PyTorch's Philox generators. Each random op makes one draw: a ChaCha8 stream keyed by the
//! seed, with the offset as stream id. The op splits its output into fixed-size chunks and
//! chunk k reads its own region of that stream, so large outputs fill in parallel and the
//! values never depend on the number of threads. Seeding makes everything reproducible.
use crate::error::{runtime, Result};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};

/// The seed PyTorch's default CPU generator starts with (`torch.initial_seed()`).
pub const DEFAULT_SEED: u64 = 67280421310721;

/// Elements per chunk: each chunk gets its own position in the draw's stream.
pub const CHUNK: usize = 1 << 14;
/// Chunk k starts at word k << CHUNK_WORD_SHIFT, leaving each chunk 2^40 words, far more
/// than any sampler (even with rejection) consumes for CHUNK elements.
const CHUNK_WORD_SHIFT: u32 = 40;

/// Bytes of `get_state()`: the seed and the offset, little-endian.
pub const STATE_BYTES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct State {
    seed: u64,
    offset: u64,
}

pub struct Generator {
    state: Mutex<State>,
}

/// The random stream of one op.
pub struct Draw {
    key: [u8; 32],
    stream: u64,
}

impl Draw {
    /// The generator for chunk `chunk` of this draw.
    pub fn rng(&self, chunk: usize) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(self.stream);
        rng.set_word_pos((chunk as u128) << CHUNK_WORD_SHIFT);
        rng
    }

    /// Fills `out` chunk by chunk (in parallel when there are several chunks), each chunk from
    /// its own region of the stream. `fill` gets the chunk's rng, the index of its first
    /// element in `out`, and the chunk.
    pub fn fill<T: Send>(&self, out: &mut [T], fill: impl Fn(&mut ChaCha8Rng, usize, &mut [T]) + Sync) {
        if out.len() <= CHUNK {
            return fill(&mut self.rng(0), 0, out);
        }
        out.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| fill(&mut self.rng(k), k * CHUNK, chunk));
    }
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { state: Mutex::new(State { seed, offset: 0 }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the two integers inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn manual_seed(&self, seed: u64) {
        *self.lock() = State { seed, offset: 0 };
    }

    /// Seeds from fresh OS-seeded randomness and returns the new seed (`Generator.seed()`).
    pub fn seed(&self) -> u64 {
        // 63 bits, so the seed also round-trips through APIs that take a signed int64.
        let seed = rand::random::<u64>() >> 1;
        self.manual_seed(seed);
        seed
    }

    pub fn initial_seed(&self) -> u64 {
        self.lock().seed
    }

    pub fn get_state(&self) -> [u8; STATE_BYTES] {
        let s = *self.lock();
        let mut out = [0u8; STATE_BYTES];
        out[..8].copy_from_slice(&s.seed.to_le_bytes());
        out[8..].copy_from_slice(&s.offset.to_le_bytes());
        out
    }

    pub fn set_state(&self, bytes: &[u8]) -> Result<()> {
        if bytes.len() != STATE_BYTES {
            return runtime(format!("Expected a generator state of {} bytes, but got {}", STATE_BYTES, bytes.len()));
        }
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        *self.lock() = State { seed: word(0), offset: word(8) };
        Ok(())
    }

    /// The stream for the next random op; advances the generator.
    pub fn draw(&self) -> Draw {
        let mut s = self.lock();
        let stream = s.offset;
        s.offset = s.offset.wrapping_add(1);
        Draw { key: key_of(s.seed), stream }
    }
}

/// The ChaCha key for a seed (rand's standard seed expansion).
fn key_of(seed: u64) -> [u8; 32] {
    ChaCha8Rng::seed_from_u64(seed).get_seed()
}

/// The process-wide generator behind `torch.manual_seed` and ops without `generator=`.
pub fn default_generator() -> &'static Arc<Generator> {
    static DEFAULT: OnceLock<Arc<Generator>> = OnceLock::new();
    DEFAULT.get_or_init(|| Arc::new(Generator::new(DEFAULT_SEED)))
}

/// A uniform sample in [0, 1) with `bits` random bits (at most 53), so that it is exactly
/// representable in a float type with `bits` mantissa digits and never rounds up to 1.
#[inline(always)]
pub fn unit_f64(rng: &mut ChaCha8Rng, bits: u32) -> f64 {
    (rng.next_u64() >> (64 - bits)) as f64 * (-(bits as f64)).exp2()
}

/// As `unit_f64`, in single precision (at most 24 bits).
#[inline(always)]
pub fn unit_f32(rng: &mut ChaCha8Rng, bits: u32) -> f32 {
    (rng.next_u32() >> (32 - bits)) as f32 * (-(bits as f32)).exp2()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(g: &Generator, n: usize) -> Vec<u32> {
        let mut v = vec![0u32; n];
        g.draw().fill(&mut v, |rng, _, c| c.iter_mut().for_each(|x| *x = rng.next_u32()));
        v
    }

    #[test]
    fn seeding_reproduces_and_draws_differ() {
        let g = Generator::new(7);
        let a = sample(&g, 3 * CHUNK + 5);
        let b = sample(&g, 3 * CHUNK + 5);
        assert_ne!(a, b);
        g.manual_seed(7);
        assert_eq!(sample(&g, 3 * CHUNK + 5), a);
        // Chunks are distinct regions of the stream.
        assert_ne!(a[..16], a[CHUNK..CHUNK + 16]);
    }

    #[test]
    fn state_round_trips() {
        let g = Generator::new(1);
        sample(&g, 10);
        let st = g.get_state();
        let a = sample(&g, 10);
        g.set_state(&st).unwrap();
        assert_eq!(sample(&g, 10), a);
        assert!(g.set_state(&st[..3]).is_err());
    }

    #[test]
    fn unit_samples_stay_below_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for _ in 0..1000 {
            let (x, y) = (unit_f64(&mut rng, 53), unit_f32(&mut rng, 11));
            assert!((0.0..1.0).contains(&x) && (0.0..1.0).contains(&y));
        }
    }
}
