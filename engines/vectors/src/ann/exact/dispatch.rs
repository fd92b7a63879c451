//! Runtime instruction-set dispatch for the batched scan.
//!
//! The crate is built for the x86-64 baseline (SSE2: 4-wide, two-operand
//! instructions). On a CPU with AVX the very same Rust code, compiled with
//! AVX enabled, runs 8-wide with three-operand instructions. Results are
//! bit-identical either way: the kernel is plain `f32` multiplies and adds
//! in a fixed order, vector width only decides how many items are computed
//! per instruction, and Rust never contracts a multiply and an add into a
//! fused multiply-add (which would round once instead of twice).

use super::ExactIndex;
use super::kernel::QueryTile;
use super::topk::TopK;

/// [`ExactIndex::scan_tiles_with`], with AVX when the CPU has it.
pub(super) fn scan_tiles(index: &ExactIndex, tiles: &[QueryTile], tops: &mut [TopK]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        #[allow(unsafe_code)]
        // SAFETY: `scan_tiles_avx` only requires the AVX instruction set,
        // which the CPU was just found to support.
        unsafe {
            return scan_tiles_avx(index, tiles, tops);
        }
    }
    index.scan_tiles_with::<false>(tiles, tops);
}

/// [`ExactIndex::scan_tiles_with`] compiled with AVX enabled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn scan_tiles_avx(index: &ExactIndex, tiles: &[QueryTile], tops: &mut [TopK]) {
    index.scan_tiles_with::<true>(tiles, tops);
}
