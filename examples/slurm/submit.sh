#!/bin/bash
# Submits a batch translation as a Slurm job array of SHARDS tasks plus a merge step:
#
#   INPUT=/data/articles OUT=/shared/run1 PASSEUR=/opt/passeur/passeur \
#   PASSEUR_ARGS="--model /opt/models/opus-mt-fr-en -g /opt/glossaries/fr-en.json" \
#   examples/slurm/submit.sh 8
#
# Prints the merge job's id. Add --wait (as the first argument) to block until the merge
# has finished, with the merge's exit status.
set -euo pipefail
wait=()
if [ "${1:-}" = "--wait" ]; then wait=(--wait); shift; fi
shards="${1:?usage: submit.sh [--wait] SHARDS}"
here="$(cd "$(dirname "$0")" && pwd)"
: "${INPUT:?set INPUT}" "${OUT:?set OUT}"
mkdir -p "$OUT"
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" --chdir="$OUT" \
    "$here/translate.sbatch")
sbatch --parsable "${wait[@]}" --export=ALL --dependency="afterok:${array%%;*}" \
    --kill-on-invalid-dep=yes --chdir="$OUT" "$here/merge.sbatch"
