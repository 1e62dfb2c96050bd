#!/usr/bin/env bash
# What a fresh Debian machine needs before the first `cargo build`: CMake and a C++ compiler
# (ct2rs compiles CTranslate2 from source) and, on x86-64, Intel MKL, the GEMM backend that
# the official CTranslate2 builds use (the README's "How it uses CTranslate2" says why).
#
# MKL comes from PyPI (`mkl-static`, `mkl-include`: static libraries and headers, no
# compiler, no download from Intel) and is installed under /opt/intel, one of the places
# ct2rs's MKL finder (intel-mkl-tool) looks in, so no environment variable is needed. Set
# MKL_PREFIX to install it elsewhere, then export MKLROOT=$MKL_PREFIX for the build.
# Idempotent: it installs only what is missing.
set -euo pipefail

MKL_VERSION=2026.2.0
MKL_PREFIX="${MKL_PREFIX:-/opt/intel}"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
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
echo "setup: ready (cmake, g++$( [ "$(uname -m)" = x86_64 ] && echo ", MKL in $MKL_PREFIX"))"
