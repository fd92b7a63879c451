//! The distance kernel: inner product of two padded rows stored as `f32` bit patterns.
//!
//! Rows are padded with zeros to a multiple of [`LANES`], so the kernel runs whole
//! 16-lane chunks only, with no remainder loop. The fixed-width accumulator array is
//! what LLVM turns into SIMD registers (4 × SSE2 on the baseline x86-64 target, 2 × AVX
//! or 1 × AVX-512 when those are enabled); the summation order is fixed, so results are
//! identical between runs on the same binary.

/// Width of one accumulation chunk; rows are padded to a multiple of this.
pub(crate) const LANES: usize = 16;

/// `<a, b>` of two rows of `f32` bit patterns of equal length, a multiple of [`LANES`].
#[inline(always)]
pub(crate) fn dot(a: &[u32], b: &[u32]) -> f32 {
    let (ca, _) = a.as_chunks::<LANES>();
    let (cb, _) = b.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..LANES {
            acc[l] += f32::from_bits(x[l]) * f32::from_bits(y[l]);
        }
    }
    let mut h = [0.0f32; 8];
    for l in 0..8 {
        h[l] = acc[l] + acc[l + 8];
    }
    let q = [h[0] + h[4], h[1] + h[5], h[2] + h[6], h[3] + h[7]];
    (q[0] + q[2]) + (q[1] + q[3])
}

/// Distance on unit vectors: `1 - <a, b>`.
#[inline(always)]
pub(crate) fn distance(a: &[u32], b: &[u32]) -> f32 {
    1.0 - dot(a, b)
}
