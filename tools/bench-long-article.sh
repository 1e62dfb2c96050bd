#!/usr/bin/env bash
# Memory of one long article (issue 21 #1): a 20 MB plain-text article (by default) made of
# the example articles' paragraphs, numbered so that no two sentences are alike, translated
# with the tiny test model; then the same text as articles of about 60 sentences each, a
# normal batch. Prints each run's time and peak memory (the kernel's, via GNU time).
#
#   bash tools/bench-long-article.sh [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes="${1:-20}"
bin="${CARGO_TARGET_DIR:-target}/release/passeur"
model="tests/fixtures/tiny-fr-en"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/long" "$work/batch"
python3 - "$megabytes" "$work" <<'PY'
import pathlib, sys
megabytes, work = int(sys.argv[1]), pathlib.Path(sys.argv[2])
paragraphs = []
for path in sorted(pathlib.Path("examples/articles").glob("*")):
    paragraphs += [p.strip() for p in path.read_text().split("\n") if len(p.strip()) > 40]
out, size, n = [], 0, 0
while size < megabytes * 1_000_000:
    # A number per sentence: every sentence differs, so that the engine has all of it to do.
    text = paragraphs[n % len(paragraphs)].replace(". ", f" ({n}). ") + f" ({n})"
    out.append(text)
    size += len(text.encode()) + 1
    n += 1
(work / "long" / "long.txt").write_text("\n".join(out) + "\n")
for k in range(0, len(out), 12):
    (work / "batch" / f"a{k:07}.txt").write_text("\n".join(out[k:k + 12]) + "\n")
print(f"{size / 1e6:.1f} MB, {len(out)} paragraphs")
PY
for input in long batch; do
    /usr/bin/time -f "$input: %e s, peak %M KB" \
        "$bin" translate "$work/$input" -o "$work/out-$input" --model "$model" --quiet
done
cmp <(cat "$work/out-long/long.en.txt") <(cat "$work"/out-batch/*.en.txt) &&
    echo "the long article's English equals the batch's"
