#!/usr/bin/env bash
# Memory of one long article (issue 21 #1): a 20 MB plain-text article (by default) made of
# the example articles' paragraphs, numbered so that no two sentences are alike, translated
# with the tiny test model; then the same text as articles of about 60 sentences each, a
# normal batch. Prints each run's time and peak memory (the kernel's, via GNU time). With
# --html, the same paragraphs as one HTML page too (each a <p> with a title and an image's
# alt), translated in parts and as one chunk, and the two pages compared.
#
#   bash tools/bench-long-article.sh [MEGABYTES] [--html]
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes="${1:-20}"
html="${2:-}"
bin="${CARGO_TARGET_DIR:-target}/release/passeur"
model="tests/fixtures/tiny-fr-en"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/long" "$work/batch" "$work/page"
python3 - "$megabytes" "$work" <<'PY'
import html, pathlib, sys
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
page = "".join(
    f'<p title="Paragraphe {k}."><img alt="Image {k}." src="i.png"> {html.escape(p)}</p>\n'
    for k, p in enumerate(out)
)
(work / "page" / "long.html").write_text(
    f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>Long</title></head>'
    f"<body>\n{page}</body></html>\n"
)
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
if [ "$html" = "--html" ]; then
    for chunk in 2000 100000000; do
        /usr/bin/time -f "page, --chunk-segments $chunk: %e s, peak %M KB" \
            "$bin" translate "$work/page" -o "$work/out-page-$chunk" --model "$model" --quiet \
            --chunk-segments "$chunk"
    done
    cmp "$work/out-page-2000/long.en.html" "$work/out-page-100000000/long.en.html" &&
        echo "the page translated in parts equals the page translated in one chunk"
fi
