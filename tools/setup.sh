#!/usr/bin/env bash
# What a fresh Debian machine needs before the first `cargo build`: CMake and a C++ compiler
# (ct2rs compiles CTranslate2 from source) and, on x86-64, the two GEMM backends that the
# official CTranslate2 wheels use (the README's "How it uses CTranslate2" says why):
#
# - Intel MKL (used on Intel CPUs), from PyPI (`mkl-static`, `mkl-include`: static
#   libraries and headers, no download from Intel), installed under /opt/intel, one of the
#   places ct2rs's MKL finder (intel-mkl-tool) looks in;
# - oneDNN (used on other CPUs), built from the sources of the onednn-src crate (crates.io)
#   with only what CTranslate2 uses, as its wheels are built: about 18 minutes on 2 cores,
#   once; installed under /opt/onednn, where .cargo/config.toml points the build;
# - ct2rs with one change (tools/ct2rs-shared-replicas.patch: replicas on one device share
#   one copy of the weights, as the wheel's `inter_threads` does, instead of one copy each;
#   the patch also allows its warnings, which cargo caps for registry crates but not paths),
#   the crate fetched by cargo (so mirrors and offline caches work), checked against its
#   crates.io checksum, patched and put in /opt/ct2rs-passeur, where .cargo/config.toml's
#   [patch] points cargo.
#
# Idempotent: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

MKL_VERSION=2026.2.0
MKL_PREFIX="${MKL_PREFIX:-/opt/intel}"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
command -v patch >/dev/null 2>&1 || missing+=(patch)
if [ ${#missing[@]} -gt 0 ]; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$(uname -m)" = x86_64 ] && [ ! -f "$MKL_PREFIX/lib/libmkl_core.a" ]; then
    echo "setup: installing Intel MKL $MKL_VERSION (static, from PyPI) into $MKL_PREFIX"
    # --break-system-packages: Debian's own Python refuses --prefix installs without it
    # (PEP 668); nothing of the system's Python is touched, the files go to $MKL_PREFIX.
    $sudo python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        --break-system-packages --prefix "$MKL_PREFIX" \
        "mkl-static==$MKL_VERSION" "mkl-include==$MKL_VERSION"
fi
# Before anything runs cargo: .cargo/config.toml's [patch] needs this folder.
ct2rs_version=0.10.3
ct2rs_sha256=edf9167bb229e98360fe2ae650bf44936bf043f11cf6e620994bd0ef51c6cf8c
ct2rs_dir=/opt/ct2rs-passeur
ct2rs_stamp="$ct2rs_version $(sha256sum tools/ct2rs-shared-replicas.patch | cut -d' ' -f1)"
if [ "$(cat "$ct2rs_dir/.passeur-stamp" 2>/dev/null)" != "$ct2rs_stamp" ]; then
    echo "setup: ct2rs $ct2rs_version from crates.io, patched, into $ct2rs_dir"
    work=$(mktemp -d)
    # Through cargo itself, so that a mirror, a replaced source or a warm offline cache
    # (~/.cargo/config.toml's source replacement, --offline) serve it as they serve the
    # build: a throw-away manifest that depends on it, fetched; then the .crate from
    # cargo's cache, checked against its crates.io checksum.
    mkdir -p "$work/fetch/src"
    printf '[package]\nname = "fetch-ct2rs"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nct2rs = { version = "=%s", default-features = false }\n' \
        "$ct2rs_version" > "$work/fetch/Cargo.toml"
    touch "$work/fetch/src/lib.rs"
    (cd "$work/fetch" && { cargo fetch --quiet 2>/dev/null || cargo fetch --quiet --offline; })
    crate=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "ct2rs-$ct2rs_version.crate" | head -n 1)
    [ -n "$crate" ] || { echo "setup: cargo fetched no ct2rs-$ct2rs_version.crate" >&2; exit 1; }
    echo "$ct2rs_sha256  $crate" | sha256sum --check --quiet
    tar -xzf "$crate" -C "$work"
    patch --quiet -p1 -d "$work/ct2rs-$ct2rs_version" < tools/ct2rs-shared-replicas.patch
    echo "$ct2rs_stamp" > "$work/ct2rs-$ct2rs_version/.passeur-stamp"
    $sudo rm -rf "$ct2rs_dir"
    $sudo mv "$work/ct2rs-$ct2rs_version" "$ct2rs_dir"
    rm -rf "$work"
fi

onednn_prefix=/opt/onednn
if [ "$(uname -m)" = x86_64 ] && [ ! -f "$onednn_prefix/lib/libdnnl.a" ]; then
    # The sources cargo fetched for the onednn-src version in Cargo.lock.
    manifest=$(cargo metadata --format-version 1 --locked 2>/dev/null | python3 -c '
import json, sys
packages = json.load(sys.stdin)["packages"]
print(next(p["manifest_path"] for p in packages if p["name"] == "onednn-src"))')
    source="$(dirname "$manifest")/oneDNN"
    build=$(mktemp -d)
    echo "setup: building oneDNN from $source into $onednn_prefix (about 18 minutes on 2 cores)"
    cmake -S "$source" -B "$build" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$onednn_prefix" -DCMAKE_INSTALL_LIBDIR=lib \
        -DONEDNN_LIBRARY_TYPE=STATIC -DONEDNN_BUILD_EXAMPLES=OFF -DONEDNN_BUILD_TESTS=OFF \
        -DONEDNN_BUILD_DOC=OFF -DONEDNN_BUILD_GRAPH=OFF -DONEDNN_ENABLE_WORKLOAD=INFERENCE \
        -DONEDNN_ENABLE_PRIMITIVE="CONVOLUTION;REORDER" -DONEDNN_CPU_RUNTIME=OMP >/dev/null
    cmake --build "$build" -j "$(nproc)" >/dev/null
    $sudo cmake --install "$build" >/dev/null
    rm -rf "$build"
fi
echo "setup: ready (cmake, g++, ct2rs in $ct2rs_dir$( [ "$(uname -m)" = x86_64 ] && echo ", MKL in $MKL_PREFIX, oneDNN in $onednn_prefix"))"
