#!/usr/bin/env bash
# The Slurm example for real: starts a one-node Slurm cluster on this machine (Debian's
# slurm-wlm and munge; slurmctld and slurmd on localhost, root as SlurmUser), submits a
# batch as a job array of 3 shards plus the merge step with examples/slurm/submit.sh,
# waits for it, and compares the merged folder with a single-process run of the same batch.
# Prints "1 passed, 0 failed" or fails. .ci/run runs it.
#
#   tools/slurm-test.sh [PASSEUR_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
passeur="${1:-${CARGO_TARGET_DIR:-target}/release/passeur}"
passeur=$(realpath "$passeur")

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/passeur-slurm.XXXXXX)
conf="$work/etc"
mkdir -p "$conf" "$work/state" "$work/spool" "$work/munge"
cleanup() {
    [ -f "$work/slurmd.pid" ] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null || true
    [ -f "$work/slurmctld.pid" ] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null || true
    [ -f "$work/munge/munged.pid" ] && kill "$(cat "$work/munge/munged.pid")" 2>/dev/null || true
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT

# munge, with a key and socket of our own so that nothing of the machine's is touched.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/seed"

node=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$conf/slurm.conf" <<CONF
ClusterName=passeur-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf/slurm.conf"
slurmctld
slurmd
for _ in $(seq 60); do
    sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)' && break
    sleep 1
done
sinfo -h -o '%P %T %D' || { cat "$work"/slurm*.log; exit 1; }

# The batch: the example articles and 24 variations of them.
batch="$work/batch"
mkdir -p "$batch/in"
cp examples/articles/* "$batch/in/"
for n in $(seq 1 24); do
    sed "s/\$/ (dépêche $n)/" examples/articles/onu-climat.txt > "$batch/in/onu-$n.txt"
done
model="$repo/tests/fixtures/tiny-fr-en"
export INPUT="$batch/in" OUT="$batch/slurm" PASSEUR="$passeur"
export PASSEUR_ARGS="--model $model -g $repo/glossaries/fr-en.json --offline"

start=$(date +%s)
merge_job=$(examples/slurm/submit.sh --wait 3) || {
    echo "the Slurm job failed"; cat "$OUT"/*.log "$work"/slurm*.log 2>/dev/null | tail -50; exit 1; }
seconds=$(( $(date +%s) - start ))
echo "slurm: array of 3 shards and merge job $merge_job done in ${seconds} s"

"$passeur" translate "$INPUT" -o "$batch/single" $PASSEUR_ARGS --quiet || true
status=0
for f in $(cd "$batch/single" && find . -type f ! -path './.passeur/*' ! -name run.json | sort); do
    if ! cmp -s "$batch/single/$f" "$OUT/merged/$f"; then
        echo "differs from a single run: $f"; status=1
    fi
done
extra=$(cd "$OUT/merged" && find . -type f ! -path './.passeur/*' ! -name run.json | sort | \
    while read -r f; do [ -e "$batch/single/$f" ] || echo "$f"; done)
[ -z "$extra" ] || { echo "only in the merged folder: $extra"; status=1; }
if [ "$status" -eq 0 ]; then
    echo "slurm: merged folder equals a single run ($(ls "$OUT/merged" | wc -l) entries)"
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed"
fi
exit "$status"
