#!/usr/bin/env bash
# The README's picture of the editor: the example articles translated by the tiny test
# model (its English is gibberish: random weights), one sentence corrected and confirmed
# through the editor's API as the page does it, then the page in headless Chromium, with a
# house glossary to add terms to (the terms panel above the list).
#
#   bash tools/editor-screenshot.sh [OUT.png]   (default examples/screenshots/editor.png)
set -euo pipefail
cd "$(dirname "$0")/.."
shot="${1:-examples/screenshots/editor.png}"
bin="${CARGO_TARGET_DIR:-target}/release/passeur"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" translate examples/articles -g glossaries/fr-en.json -o "$work/out" \
    --model tests/fixtures/tiny-fr-en --offline --quiet
echo '[{"source": "Tokyo", "target": "Tokyo"}]' >"$work/house.json"
"$bin" review serve "$work/out" --glossary "$work/house.json" >"$work/url" 2>/dev/null &
server=$!
while [ ! -s "$work/url" ]; do sleep 0.1; done
url="$(head -1 "$work/url")"
base="${url%%/?token=*}"
token="${url##*token=}"
key="otan-japon-bureau-de-liaison.txt:0:0"
curl -sf -o /dev/null -H "X-Passeur-Token: $token" -H "Content-Type: application/json" \
    -H "Origin: $base" \
    -d "{\"key\":\"$key\",\"target\":\"NATO will open a liaison office in Tokyo, its first in Asia.\",\"state\":\"translated\",\"base\":0}" \
    "$base/api/save"
mkdir -p "$(dirname "$shot")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --window-size=1400,1000 --virtual-time-budget=5000 \
    --hide-scrollbars --screenshot="$shot" "$url&segment=$key" 2>/dev/null
echo "wrote $shot"
