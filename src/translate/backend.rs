//! Which matrix-multiplication (GEMM) backend CTranslate2 runs on the CPU, and the
//! settings passeur gives it before a model is loaded.
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
//!
//! The other setting is glibc's `malloc`, which CTranslate2's CPU allocator ends in (through
//! `mkl_malloc`). Every decoding step allocates and frees buffers of several megabytes (the
//! logits alone are hypotheses × vocabulary × 4 bytes: 80 × 32,000 × 4 = 10 MB); by default
//! glibc hands them back to the kernel (`munmap` above its mmap threshold, trimming the top of
//! the heap above its trim threshold, both adjusted as it goes), and the next step faults
//! every 4 KiB page in again, zeroed. How often depends on the sizes that come up: on one
//! newstest article at one thread, 4.0 million page faults and 7.2 s of 15.9 s in the
//! kernel. passeur keeps freed memory in the process instead (no trimming, no separate
//! mappings, one arena): 0.15 million faults and 8.7 s there. Peak RSS moves little either
//! way, since what one step frees is what the next reuses (60 MB more on that article, 50 to
//! 250 MB less on the benchmark's batches). The official wheel keeps glibc's defaults.
//! Measured figures in the README. A user who sets glibc's malloc tunables or `MALLOC_*`
//! variables keeps theirs.

use std::sync::Once;

/// True when this build links Intel MKL and oneDNN (see `Cargo.toml`).
pub const HAS_MKL_AND_DNNL: bool = cfg!(target_arch = "x86_64");

static PREPARE: Once = Once::new();

/// Sets passeur's default for `CT2_PACKED_GEMM` and its `malloc` settings, once, before any
/// model is loaded. The binary calls it first thing in `main`, before any thread exists
/// (glibc limits the number of arenas made from then on, not those already made: a rayon
/// thread's arena made earlier would be shared by the replicas round-robin); the engine
/// calls it again in [`super::ct2::Ct2Engine::load`] for other users of the library.
pub fn prepare() {
    PREPARE.call_once(|| {
        if std::env::var_os("CT2_PACKED_GEMM").is_none() {
            std::env::set_var("CT2_PACKED_GEMM", "0");
        }
        if !user_tunes_malloc() {
            keep_freed_memory();
        }
    });
}

/// Gives back to the kernel what loading the model freed (its reading buffers): kept, those
/// pages would add to the peak RSS of decoding (20 MB on one newstest article with the
/// OPUS-MT-sized model).
pub fn release_load_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !user_tunes_malloc() {
        // SAFETY: malloc_trim only returns free pages; glibc takes its own lock.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// How the engine's memory is allocated, for `model info` and `run.json`.
pub fn allocator() -> &'static str {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        "the system allocator"
    } else if user_tunes_malloc() {
        "glibc malloc with the user's settings (MALLOC_* or GLIBC_TUNABLES)"
    } else {
        "glibc malloc keeping freed memory (no trim, no mmap, one arena)"
    }
}

/// True when the user has chosen glibc `malloc` settings of their own.
fn user_tunes_malloc() -> bool {
    std::env::vars_os().any(|(name, value)| {
        let name = name.to_string_lossy();
        name.starts_with("MALLOC_")
            || (name == "GLIBC_TUNABLES" && value.to_string_lossy().contains("glibc.malloc."))
    })
}

/// glibc `malloc` keeps what is freed for the next allocation instead of returning it to the
/// kernel (see the module documentation for why and what it saves).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes allocator parameters; it is called before CTranslate2
    // starts its threads and glibc takes its own lock anyway.
    unsafe {
        // Never trim the top of the heap.
        libc::mallopt(libc::M_TRIM_THRESHOLD, libc::c_int::MAX);
        // No allocation gets its own mapping (unmapped when freed): all come from the heap.
        libc::mallopt(libc::M_MMAP_MAX, 0);
        // One arena: the replicas' threads reuse each other's freed buffers (two arenas at
        // two replicas: 1.0 million faults instead of 0.24, peak RSS 1,232 MB instead of
        // 965). Its lock is cheap next to the milliseconds a decoding step computes.
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

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
