#!/usr/bin/env bash
# CI test of the workflow on a real single-node SLURM cluster (../shared/slurm/start_cluster.sh):
#   1. the example workflow locally (the reference),
#   2. cluster "cpu gpu" with 1 GPU GRES and accounting: the preflight stops a wrong partition and
#      a wrong account (one line, exit 2, seconds); workflows/profiles/slurm runs to the end,
#   3. the same cluster without accounting: workflows/profiles/slurm runs to the end unchanged
#      (job status via squeue, chosen by the workflow); a profile that insists on sacct is stopped,
#   4. the default partition only, no GRES, no accounting: workflows/profiles/slurm-cpu runs; the
#      GPU profile's GRES is refused up front,
# comparing every SLURM run's merged tables with the local run (cmp) and scan.h5 by dataset.
# The cluster is stopped whatever happens. Skipped (one line, exit 0) without the script or root.
#   make test-slurm          (.ci/run calls it after `make test`)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SLURM_DIR=${ATTNBIO_SLURM_DIR:-$ROOT/../shared/slurm}
if [ ! -x "$SLURM_DIR/start_cluster.sh" ]; then
    echo "slurm-ci: skipped: no $SLURM_DIR/start_cluster.sh"; exit 0
fi
if [ "$(id -u)" != 0 ]; then echo "slurm-ci: skipped: start_cluster.sh needs root"; exit 0; fi

cd "$ROOT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/attnbio-slurm-ci.XXXXXX")
export SLURM_PREFIX=$WORK/cluster
export PATH="$ROOT/.venv/bin:$PATH" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export SLURM_CONF=$SLURM_PREFIX/etc/slurm.conf
SNAKE=(snakemake -s workflows/Snakefile)
FAILS=0
T_START=$(date +%s)

stop() { "$SLURM_DIR/stop_cluster.sh" >> "$WORK/cluster.log" 2>&1 || true; }
cleanup() {
    stop
    echo "slurm-ci: cluster stopped; logs in $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "slurm-ci: $*"; }
fail() { say "FAIL: $*"; FAILS=$((FAILS + 1)); }
now() { date +%s.%N; }
secs() { printf '%.1f' "$(echo "$2 - $1" | bc)"; }

start() {  # start KIND-description (settings in the environment)
    stop
    # (nproc, which sizes the node, honours OMP_NUM_THREADS: a 1-CPU node would leave 2-thread jobs pending)
    if ! env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT "$SLURM_DIR/start_cluster.sh" >> "$WORK/cluster.log" 2>&1; then
        fail "start_cluster.sh failed ($*); last lines:"; tail -n 5 "$WORK/cluster.log"; return 1
    fi
    say "cluster up: $*"
}

same_as_local() {  # same_as_local NAME: merged outputs of run NAME equal the local run's
    local d=$WORK/$1/merged ok=1
    for f in scores.tsv sites.tsv; do
        cmp -s "$WORK/local/merged/$f" "$d/$f" || { fail "$1: merged/$f differs from the local run"; ok=0; }
    done
    python - "$WORK/local/merged/scan.h5" "$d/scan.h5" <<'EOF' || { fail "$1: merged/scan.h5 datasets differ"; ok=0; }
import sys
sys.path.insert(0, "tests/scan")
from h5compare import assert_same_content
assert_same_content(sys.argv[1], sys.argv[2])
EOF
    [ $ok = 1 ] && say "$1: merged scores.tsv, sites.tsv identical to the local run (cmp), scan.h5 equal by dataset"
}

run_workflow() {  # run_workflow NAME PROFILE: the example through PROFILE (a hang is cut off)
    local t0 t1 rc limit
    limit=$(printf '%.0f' "$(echo "300 + 4 * $LOCAL_S" | bc)")   # ~90 s on a quiet 2-CPU machine
    t0=$(now)
    timeout -k 10 "$limit" "${SNAKE[@]}" --config outdir="$WORK/$1" --profile "$2" > "$WORK/$1.log" 2>&1
    rc=$?
    t1=$(now)
    if [ $rc != 0 ]; then
        fail "$1: snakemake exit $rc after $(secs "$t0" "$t1") s; last lines of $WORK/$1.log:"
        tail -n 15 "$WORK/$1.log"; return 1
    fi
    local n; n=$(grep -c "Finished jobid" "$WORK/$1.log")
    say "$1: $2 ran to the end in $(secs "$t0" "$t1") s ($n jobs finished; local run: $LOCAL_S s; ratio $(printf '%.2f' "$(echo "($t1 - $t0) / $LOCAL_S" | bc -l)"))"
    grep "attnbio cluster-check" "$WORK/$1.log" | sed 's/^/    /'
    [ -z "$(squeue -h 2>/dev/null | grep -v ' CD ')" ] || fail "$1: jobs left in squeue"
    same_as_local "$1"
}

bad_profile() {  # bad_profile NAME SED-EXPR [BASE]: a copy of a profile with one setting changed
    mkdir -p "$WORK/profiles/$1"
    sed "$2" "${3:-workflows/profiles/slurm}/config.yaml" > "$WORK/profiles/$1/config.yaml"
    echo "$WORK/profiles/$1"
}

expect_refused() {  # expect_refused NAME PROFILE PATTERN: the preflight stops the run with one line
    local t0 t1 rc lines
    t0=$(now)
    timeout -k 10 120 "${SNAKE[@]}" --config outdir="$WORK/$1" --profile "$2" > "$WORK/$1.log" 2>&1
    rc=$?
    t1=$(now)
    lines=$(grep "^attnbio cluster-check: " "$WORK/$1.log" | grep -v "problem(s); nothing was submitted")
    if [ $rc = 2 ] && echo "$lines" | grep -q "$3" && [ "$(echo "$lines" | wc -l)" = 1 ] \
        && ! grep -q "Submitted\|has been submitted" "$WORK/$1.log"; then
        say "$1: snakemake stopped before submitting, exit $rc in $(secs "$t0" "$t1") s:"
        echo "    $lines"
    else
        fail "$1: expected exit 2 with one line matching '$3' and no job, got exit $rc in $(secs "$t0" "$t1") s"
        tail -n 15 "$WORK/$1.log"
    fi
    check_refuses "$@"
}

check_refuses() {  # check_refuses NAME PROFILE PATTERN: `attnbio cluster-check` exits 2 with that line
    local t0 out rc
    t0=$(now)
    out=$(attnbio cluster-check --profile "$2" --configfile workflows/config.yaml 2>&1); rc=$?
    if [ $rc = 2 ] && echo "$out" | grep -q "$3" && [ "$(echo "$out" | wc -l)" = 1 ]; then
        say "$1: attnbio cluster-check --profile $(basename "$2") exit $rc in $(secs "$t0" "$(now)") s:"
        echo "    $out"
    else
        fail "$1: attnbio cluster-check gave exit $rc, expected 2 and one line matching '$3': $out"
    fi
}

# --- 1. local reference ---------------------------------------------------------------------------
t0=$(now)
if ! "${SNAKE[@]}" --config outdir="$WORK/local" --profile workflows/profiles/local > "$WORK/local.log" 2>&1; then
    fail "local run failed:"; tail -n 15 "$WORK/local.log"; exit 1
fi
LOCAL_S=$(secs "$t0" "$(now)")
say "local: workflows/profiles/local in $LOCAL_S s"

# --- 2. partitions cpu, gpu; 1 GPU; accounting ----------------------------------------------------
if SLURM_PARTITIONS="cpu gpu" SLURM_GPUS=1 SLURM_ACCOUNTING=1 start 'partitions "cpu gpu", 1 GPU GRES, accounting (slurmdbd)'; then
    expect_refused wrong-partition "$(bad_profile wrong-partition 's/slurm_partition: "gpu"/slurm_partition: "gpu-a100"/')" "partition 'gpu-a100'"
    expect_refused wrong-account "$(bad_profile wrong-account 's/slurm_account: "my_account"/slurm_account: "not_my_account"/')" "slurm_account 'not_my_account'"
    expect_refused too-big "$(bad_profile too-big 's/^  scan: 1$/  scan: 64/')" "asks for 64 CPUs but the largest node"
    run_workflow slurm-accounting workflows/profiles/slurm
fi

# --- 3. the same without accounting ---------------------------------------------------------------
if SLURM_PARTITIONS="cpu gpu" SLURM_GPUS=1 SLURM_ACCOUNTING=0 start 'partitions "cpu gpu", 1 GPU GRES, no accounting'; then
    # a profile that insists on sacct is refused by the check; the workflow itself switches to squeue
    check_refuses no-accounting-sacct "$(bad_profile sacct 's/^# slurm-status-command: squeue/slurm-status-command: sacct/')" "sacct fails here"
    run_workflow slurm-no-accounting workflows/profiles/slurm
    grep -q "job status via squeue; sacct fails here" "$WORK/slurm-no-accounting.log" \
        || fail "slurm-no-accounting: no line saying that job status comes from squeue"
fi

# --- 4. default partition, no GRES, no accounting: the CPU-only profile ---------------------------
if SLURM_PARTITIONS="debug" SLURM_GPUS=0 SLURM_ACCOUNTING=0 start 'default partition "debug" only, no GRES, no accounting'; then
    expect_refused no-gres "$(bad_profile no-gres 's/slurm_partition: "\(cpu\|gpu\)"/slurm_partition: "debug"/')" "no 'gpu' GRES"
    run_workflow slurm-cpu workflows/profiles/slurm-cpu
fi

say "$( [ $FAILS = 0 ] && echo passed || echo "$FAILS check(s) FAILED" ) in $(( $(date +%s) - T_START )) s"
[ $FAILS = 0 ]
