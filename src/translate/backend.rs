//! Which matrix-multiplication (GEMM) backend CTranslate2 runs on the CPU, and the one
//! setting passeur gives it before a model is loaded.
//!
//! The backend decides the engine's speed far more than anything around it. On x86-64,
//! passeur is built as the official CTranslate2 wheels are: with Intel MKL and with oneDNN
//! (see `tools/setup.sh`). CTranslate2 picks MKL on Intel CPUs and oneDNN on the others
//! (MKL's int8 kernels are several times slower than Ruy on AMD CPUs, oneDNN's are not;
//! measured figures in the README). Elsewhere (aarch64) the build has Ruy, the fast
//! backend there. CTranslate2 makes that choice in a static initialiser, before `main`, so
//! only the environment passeur is started with can change it: `CT2_USE_MKL=1` or `0`.
//!
//! `CT2_PACKED_GEMM`, read when a model is loaded, is the setting passeur gives: with MKL,
//! CTranslate2 packs the weights for MKL's packed GEMM by default, and with two or more
//! replicas in one process (passeur's default layout) the packed int8 kernels ran several
//! times slower than with one (two replicas did not finish in 200 s what one replica did
//! in 55 s; `perf` showed the time inside MKL's `gemm_s8u8s32` kernel). Unpacked, two
//! replicas run at the wheel's speed. passeur sets it to `0` unless the user set it.

use std::sync::Once;

/// True when this build links Intel MKL and oneDNN (see `Cargo.toml`).
pub const HAS_MKL_AND_DNNL: bool = cfg!(target_arch = "x86_64");
/// True when this build can run on CUDA GPUs (the `cuda` cargo feature).
pub const HAS_CUDA: bool = cfg!(feature = "cuda");

static PREPARE: Once = Once::new();

/// Sets passeur's default for `CT2_PACKED_GEMM`, once, before any model is loaded (the
/// engine calls it first thing in [`super::ct2::Ct2Engine::load`], before CTranslate2
/// starts any thread).
pub fn prepare() {
    PREPARE.call_once(|| {
        if std::env::var_os("CT2_PACKED_GEMM").is_none() {
            std::env::set_var("CT2_PACKED_GEMM", "0");
        }
    });
}

/// The CPU backend CTranslate2 runs for int8 and float32 GEMM, decided as CTranslate2
/// decides it (`src/cpu/backend.cc`).
pub fn describe() -> String {
    prepare();
    // CTranslate2's own reading of a boolean variable (`string_to_bool` in `utils.cc`).
    let flag = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| matches!(v.as_str(), "1" | "true" | "TRUE"))
    };
    if !HAS_MKL_AND_DNNL {
        return "Ruy".to_string();
    }
    if flag("CT2_USE_MKL").unwrap_or_else(cpu_is_genuine_intel) {
        let packing = if flag("CT2_PACKED_GEMM").unwrap_or(true) {
            "packed"
        } else {
            "unpacked"
        };
        format!("Intel MKL ({packing} weights)")
    } else {
        "oneDNN".to_string()
    }
}

/// The CPU vendor test CTranslate2 makes (`cpu_is_genuine_intel` in `cpu_info.cc`).
fn cpu_is_genuine_intel() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        // CPUID leaf 0 holds the vendor string in EBX, EDX, ECX.
        let leaf = std::arch::x86_64::__cpuid(0);
        let mut vendor = Vec::with_capacity(12);
        for register in [leaf.ebx, leaf.edx, leaf.ecx] {
            vendor.extend_from_slice(&register.to_le_bytes());
        }
        vendor == b"GenuineIntel"
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
