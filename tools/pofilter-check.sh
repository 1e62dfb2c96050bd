#!/usr/bin/env bash
# Opens passeur's review formats with Translate Toolkit, a tool reviewers use, as a check
# that other tools read them: pofilter runs its QA tests over aligned.xlf, and the toolkit's
# storage layer loads aligned.tmx and aligned.xlf and counts their units.
# Usage: tools/pofilter-check.sh OUT_DIR   (needs: pip install translate-toolkit)
set -euo pipefail
out=${1:?usage: tools/pofilter-check.sh OUT_DIR}
command -v pofilter >/dev/null || { echo "pofilter missing: pip install translate-toolkit" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pofilter "$out/aligned.xlf" "$tmp/pofilter.xlf"
echo "pofilter flagged $(grep -c '<trans-unit' "$tmp/pofilter.xlf" || true) units (see its notes)"
python3 - "$out" <<'PY'
import sys
from translate.storage import factory
out = sys.argv[1]
rows = sum(1 for line in open(f"{out}/aligned.jsonl") if line.strip())
for name in ("aligned.tmx", "aligned.xlf"):
    store = factory.getobject(f"{out}/{name}")
    units = [u for u in store.units if not u.isheader()]
    status = "ok" if len(units) == rows else "MISMATCH"
    print(f"{name}: {len(units)} units for {rows} aligned rows: {status}")
    if len(units) != rows:
        sys.exit(1)
PY
