#!/usr/bin/env bash
# Byte-identity check for the seven secondary commands (issue 14: refactor must not change outputs).
#
#   benchmarks/check_domains_identical.sh snapshot DIR      # run the seven with --seed 0 into DIR/<cmd>
#   benchmarks/check_domains_identical.sh compare  A B      # cmp every file of A against B
#
# Typical use: snapshot on the commit before a change, snapshot after it, compare. Options are
# small so each command takes seconds (one thread); none of these outputs embeds a time, so a
# plain cmp of every file (PNGs included) is the test. ATTNBIO overrides the executable, e.g.
#   cd /tmp && ATTNBIO="env PYTHONPATH=/tmp/old /repo/.venv/bin/python -m attnbio.cli" /repo/benchmarks/check_domains_identical.sh snapshot /tmp/a
# (run it outside the repository: python -m puts the working folder first on sys.path, before PYTHONPATH)
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
ATTNBIO=${ATTNBIO:-.venv/bin/attnbio}

snapshot() {
  local out=$1
  mkdir -p "$out"
  local -A args=(
    [oddoneout]="--scenes 200 --noise 0,0.3"
    [gan]="--steps 60 --seeds 2 --samples 100 --threads 1"
    [fusion]="--steps 400 --n-tau 5"
    [forecast]="--dataset co2"
    [pde]="--ratios 0.25,0.6 --cells 32 --steps 200 --threads 1"
    [rl]="--seeds 2 --steps 300"
    [causal]="--sites 6 --n-obs 300 --n-int 300 --epochs 3 --threads 1"
  )
  for cmd in oddoneout gan fusion forecast pde rl causal; do
    local t0=$SECONDS
    # shellcheck disable=SC2086
    $ATTNBIO -q "$cmd" ${args[$cmd]} --seed 0 -o "$out/$cmd"   # ATTNBIO may be a command with arguments
    echo "$cmd: $((SECONDS - t0)) s"
  done
}

compare() {   # the same file-by-file comparison as protein/refine use (cmp; HDF5 by dataset)
  "$(dirname "$0")/check_protein_refine_identical.sh" compare "$1" "$2"
}

case ${1:-} in
  snapshot) snapshot "$2" ;;
  compare) compare "$2" "$3" ;;
  *) echo "usage: $0 snapshot DIR | compare A B" >&2; exit 2 ;;
esac
