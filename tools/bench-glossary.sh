#!/usr/bin/env bash
# A large glossary's costs: an agency-sized term base (100,000 entries by default, made up
# of recurring French organisation names) loaded by `translate` on the four example
# articles (tiny test model), linted, and added to. Prints seconds and peak memory.
#
#   bash tools/bench-glossary.sh [ENTRIES]
set -euo pipefail
cd "$(dirname "$0")/.."
entries="${1:-100000}"
bin="${CARGO_TARGET_DIR:-target}/release/passeur"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$entries" "$work/big.json" <<'PY'
import json, random, sys
random.seed(1)
heads = ["conseil", "ministère", "agence", "comité", "office", "bureau", "commission",
         "institut", "fonds", "autorité", "union", "banque", "cour", "tribunal"]
kinds = ["européen", "national", "régional", "fédéral", "international", "central",
         "supérieur", "général", "public", "mondial"]
n = int(sys.argv[1])
english = {"conseil": "council", "ministère": "ministry", "agence": "agency",
           "comité": "committee", "office": "office", "bureau": "bureau",
           "commission": "commission", "institut": "institute", "fonds": "fund",
           "autorité": "authority", "union": "union", "banque": "bank", "cour": "court",
           "tribunal": "tribunal"}
out = []
for i in range(n):
    head, kind = random.choice(heads), random.choice(kinds)
    out.append({"source": f"{head} {kind} n{i}", "target": f"{kind} {english[head]} no. {i}"})
json.dump(out, open(sys.argv[2], "w"), ensure_ascii=False, indent=0)
PY
measure() {
    local what="$1"
    shift
    /usr/bin/time -f "$what: %e s, %M KB peak" "$@" >/dev/null
}
measure "translate (4 articles, $entries entries)" "$bin" translate examples/articles \
    -g "$work/big.json" -o "$work/out" --model tests/fixtures/tiny-fr-en --offline --quiet
measure "glossary lint" "$bin" glossary lint "$work/big.json"
measure "glossary add" "$bin" glossary add "$work/big.json" --source "Nouvelle agence" --target "New agency"
