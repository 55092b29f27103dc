#!/usr/bin/env bash
# Byte-identity check for `attnbio protein` and `attnbio refine` (issue 14: the move to
# request -> pipeline.run -> outputs.write must not change outputs).
#
#   benchmarks/check_protein_refine_identical.sh snapshot DIR   # run the five cases with --seed 0 into DIR/<case>
#   benchmarks/check_protein_refine_identical.sh compare  A B   # every file of A against B
#
# Typical use: snapshot with the commit before a change, snapshot after it, compare. For an old
# commit use a git worktree and point ATTNBIO at it, e.g.
#   git worktree add /tmp/old 279cc45
#   ATTNBIO="env PYTHONPATH=/tmp/old .venv/bin/python -m attnbio.cli" benchmarks/check_protein_refine_identical.sh snapshot /tmp/a
# Inputs are read from this checkout (absolute paths) or DIR/inputs (relative), -o is relative to DIR, so the
# `command` and `input_sha256` attributes of the HDF5 files come out the same in both snapshots.
# compare: cmp on every file; an HDF5 file that differs in bytes is then compared by dataset
# (values, dtype, shape) and attribute; a refined.pdb that differs is compared without its
# REMARK lines (issue 14 wraps REMARK text over several lines instead of cutting it at 80
# columns, a change meant to show up there only).
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ATTNBIO=${ATTNBIO:-$ROOT/.venv/bin/attnbio}
PY=${PY:-$ROOT/.venv/bin/python}

snapshot() {
  local out=$1
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  local inp="$out/inputs"
  mkdir -p "$inp"
  # A FASTA of two proteins (one with an X and a final '*'), and a noisy copy (N(0, 2^2) A per
  # residue, fixed seed) of the refine test protein so that refinement has something to do.
  printf '>query one\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQ\n>second\nMSDNGPQSNQRSAPRITFGGPTDSTDNNQNGGRSGARPKQRRPQGLPNNTASWFTALTQHGKXEL*\n' > "$inp/two.fa"
  "$PY" - "$ROOT/tests/data/refine/3a4rA.pdb.gz" "$inp/noisy.pdb" <<'EOF'
import gzip, sys
import numpy as np
rng, shift, out = np.random.default_rng(0), {}, []
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith("ATOM"):
        key = line[21:27]
        if key not in shift:
            shift[key] = rng.normal(scale=2.0, size=3)
        xyz = np.array([float(line[30:38]), float(line[38:46]), float(line[46:54])]) + shift[key]
        line = line[:30] + "".join(f"{v:8.3f}" for v in xyz) + line[54:]
    out.append(line)
open(sys.argv[2], "w").write("".join(out))
EOF
  cd "$out"
  local t0
  run() {   # name, then the command's arguments
    local name=$1; shift
    t0=$SECONDS
    # shellcheck disable=SC2086
    $ATTNBIO -q "$@" --threads 1 --seed 0 -o "$name"
    echo "$name: $((SECONDS - t0)) s"
  }
  run protein_fasta protein inputs/two.fa
  run protein_structures protein "$ROOT/data/protein/dssp50/1i8nA.pdb.gz" "$ROOT/tests/data/protein/minimal.cif" \
      "$ROOT/tests/data/protein/two_chains.pdb" --chain A
  run refine_noisy refine inputs/noisy.pdb --iterations 60
  run refine_reference refine inputs/noisy.pdb --reference "$ROOT/tests/data/refine/3a4rA.pdb.gz" --iterations 60
  run refine_two_chains refine "$ROOT/tests/data/protein/two_chains.pdb" --chains A,B --iterations 60
}

compare() {
  local a=$1 b=$2 n=0 bad=0
  for d in "$a" "$b"; do [ -d "$d" ] || { echo "no folder $d: nothing compared"; return 2; }; done
  if ! diff <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort); then
    echo "FILE LISTS DIFFER"; bad=1
  fi
  while IFS= read -r f; do
    n=$((n + 1))
    [ -f "$b/$f" ] || continue
    if cmp -s "$a/$f" "$b/$f"; then continue; fi
    case $f in
      *.h5)
        if "$PY" - "$a/$f" "$b/$f" <<'EOF'
import sys
import h5py
import numpy as np

def same(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if x.dtype.kind in "fc":
        return bool(np.array_equal(x, y, equal_nan=True))
    return bool(np.array_equal(x, y))

diffs = []
def walk(g1, g2, path):
    for k in set(g1.attrs) | set(g2.attrs):
        if k not in g1.attrs or k not in g2.attrs or not same(g1.attrs[k], g2.attrs[k]):
            diffs.append(f"attribute {path}@{k}")
    if isinstance(g1, h5py.Dataset) or isinstance(g2, h5py.Dataset):
        if not (isinstance(g1, h5py.Dataset) and isinstance(g2, h5py.Dataset) and same(g1[()], g2[()])):
            diffs.append(f"dataset {path}")
        return
    if list(g1) != list(g2):
        diffs.append(f"members of {path}: {list(g1)} vs {list(g2)}")
    for k in g1:
        if k in g2:
            walk(g1[k], g2[k], f"{path.rstrip('/')}/{k}")

with h5py.File(sys.argv[1]) as h1, h5py.File(sys.argv[2]) as h2:
    walk(h1, h2, "/")
for d in diffs:
    print("  ", d)
sys.exit(1 if diffs else 0)
EOF
        then echo "same content, other bytes (every dataset and attribute equal): $f"
        else echo "DIFFERS: $f"; bad=1; fi ;;
      *.pdb)
        if cmp -s <(grep -v '^REMARK' "$a/$f") <(grep -v '^REMARK' "$b/$f"); then
          echo "identical except REMARK lines: $f"
          diff <(grep '^REMARK' "$a/$f") <(grep '^REMARK' "$b/$f") | sed 's/^/    /' || true
        else echo "DIFFERS: $f"; bad=1; fi ;;
      *) echo "DIFFERS: $f"; bad=1 ;;
    esac
  done < <(cd "$a" && find . -type f | sort)
  echo "compared $n files: $([ $bad = 0 ] && echo "no differences beyond those listed above" || echo DIFFERENCES)"
  return $bad
}

case ${1:-} in
  snapshot) snapshot "$2" ;;
  compare) compare "$2" "$3" ;;
  *) echo "usage: $0 snapshot DIR | compare A B" >&2; exit 2 ;;
esac
