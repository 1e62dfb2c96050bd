#!/usr/bin/env bash
# passeur against the official CTranslate2 build (the PyPI wheel), same inputs, same run.
#
#   tools/bench-official.sh [INPUT...] [-- OPTIONS for tools/bench_official.py]
#
# Makes (once) a virtual environment with the wheel, builds passeur in release, makes the
# OPUS-MT-sized benchmark model (random weights, tools/make_test_model.py --opus-size), then
# runs tools/bench_official.py at 2 replicas x 1 thread and at 1 thread (best of 3
# alternating runs each). INPUT defaults to
# the example articles. Environment: PASSEUR_BENCH_DIR (default ~/.cache/passeur-bench)
# holds the venv and the model; CT2_VERSION picks the wheel (default 4.8.5).
set -euo pipefail
cd "$(dirname "$0")/.."

bench_dir="${PASSEUR_BENCH_DIR:-$HOME/.cache/passeur-bench}"
ct2_version="${CT2_VERSION:-4.8.5}"
venv="$bench_dir/venv-ct2-$ct2_version"
model="$bench_dir/opus-size"

inputs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do inputs+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#inputs[@]} -gt 0 ] || inputs=(examples/articles)

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "ctranslate2==$ct2_version" sentencepiece numpy
fi
[ -f "$model/model.bin" ] || "$venv/bin/python" tools/make_test_model.py "$model" --opus-size

target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
passeur="$target/release/passeur"

for layout in "--replicas 2 --threads-per-replica 1" "--replicas 1 --threads-per-replica 1"; do
    echo "== $layout"
    # shellcheck disable=SC2086
    "$venv/bin/python" tools/bench_official.py "${inputs[@]}" --passeur "$passeur" \
        --model "$model" $layout "$@"
done
