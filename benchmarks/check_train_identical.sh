#!/usr/bin/env bash
# `attnbio train ...` against the training programs it replaced (issue 14): same weights?
#
#   benchmarks/check_train_identical.sh [BASE [WORKDIR]]     # BASE default 279cc45
#
# Checks out BASE (the last commit with `python -m attnbio.protein.train`, `.protein.ensemble`
# and `.structure.train`) as a git worktree in WORKDIR/old, runs those programs and `attnbio
# motifs` there, then `attnbio train protein|protein-ensemble|refine|motifs` of this tree with
# the same reduced settings (1-2 epochs, a few refine steps, 300+300 example sequences; one
# thread, each well under a minute), and compares every weights file: bytes, each tensor's
# SHA-256, and the card apart from its command line, paths and wall-clock seconds. (Measured
# 2026-12-02 against 279cc45: weights 6 of 6 identical; the motifs card's test_auroc differs in
# its 17th digit because motifs training computes AUROC with scikit-learn since 969bde3, for
# `attnbio motifs` as much as for `attnbio train motifs`.)
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
BASE=${1:-279cc45}
WORK=$(realpath -m "${2:-/tmp/attnbio_train_check}")
ROOT=$(git rev-parse --show-toplevel)
PY=$ROOT/.venv/bin/python
mkdir -p "$WORK/old_out" "$WORK/new_out" "$WORK/data"
[ -d "$WORK/old" ] || git -C "$ROOT" worktree add --detach "$WORK/old" "$BASE" >/dev/null
for f in positives negatives; do (zcat "$ROOT/data/examples/$f.fa.gz" || true) | head -1200 > "$WORK/data/$f.fa"; done
O=$WORK/old_out N=$WORK/new_out POS=$WORK/data/positives.fa NEG=$WORK/data/negatives.fa
PROTEIN1="--seed 1 --epochs 2 --threads 1 --set entropy_weight=0.02 --model-set init_sharpness=1"
STAGE1="--steps 12 --lr 0.002 --seed 0 --tri-weight 1 --tri-slack 0 --threads 1 --no-eval"
STAGE2="--steps 6 --lr 0.0005 --seed 1 --tri-weight 5 --tri-slack 0.1 --threads 1 --no-eval"
MOTIFS="--negatives $NEG --seed 1 --threads 1 --epochs 2"

(   # the programs of BASE, imported from its worktree
  cd "$WORK/old" && export PYTHONPATH=$WORK/old
  echo "old: $("$PY" -c 'import attnbio; print(attnbio.__file__)')"
  "$PY" -m attnbio.protein.train --seed 0 --epochs 2 --no-families --threads 1 --out "$O/p0.safetensors"
  # shellcheck disable=SC2086
  "$PY" -m attnbio.protein.train $PROTEIN1 --out "$O/p1.safetensors"
  "$PY" -m attnbio.protein.ensemble --out "$O/ens.safetensors" "$O/p0.safetensors" "$O/p1.safetensors"
  # shellcheck disable=SC2086
  "$PY" -m attnbio.structure.train "$O/r1.safetensors" $STAGE1
  # shellcheck disable=SC2086
  "$PY" -m attnbio.structure.train "$O/r2.safetensors" --init "$O/r1.safetensors" $STAGE2
  rm -rf "$O/motifs"
  # shellcheck disable=SC2086
  "$PY" -m attnbio.cli -q motifs "$POS" $MOTIFS -o "$O/motifs" && mv "$O/motifs/model.safetensors" "$O/motifs.safetensors" \
    && mv "$O/motifs/model.json" "$O/motifs.json"
) 2> "$WORK/old.log"

(   # this tree
  cd "$ROOT"
  A=$ROOT/.venv/bin/attnbio
  echo "new: $("$PY" -c 'import attnbio; print(attnbio.__file__)')"
  "$A" -q train protein --seed 0 --epochs 2 --no-families --threads 1 -o "$N/p0.safetensors"
  # shellcheck disable=SC2086
  "$A" -q train protein $PROTEIN1 -o "$N/p1.safetensors"
  "$A" -q train protein-ensemble "$O/p0.safetensors" "$O/p1.safetensors" --threads 1 -o "$N/ens.safetensors"
  # shellcheck disable=SC2086
  "$A" -q train refine -o "$N/r1.safetensors" $STAGE1
  # shellcheck disable=SC2086
  "$A" -q train refine -o "$N/r2.safetensors" --init "$N/r1.safetensors" $STAGE2
  # shellcheck disable=SC2086
  "$A" -q train motifs "$POS" $MOTIFS -o "$N/motifs.safetensors"
) 2> "$WORK/new.log"

"$PY" - "$O" "$N" <<'EOF'
import hashlib, json, sys
from pathlib import Path
from safetensors.numpy import load_file

old, new = map(Path, sys.argv[1:])
SECONDS = ("seconds",)                     # wall-clock time in the protein card's data


def plain(card):
    """The card without what names this run rather than the model: command lines, paths, time."""
    card = json.loads(json.dumps(card))
    for key in ("command", "sha256", "weights_file"):
        card.pop(key, None)
    for m in card.get("members", []):
        m.pop("command", None)
    t = card.get("training")
    if isinstance(t, dict):
        t.pop("command", None)
        if isinstance(t.get("init"), dict):
            t["init"] = {"sha256 of the init weights": "(compared as r1)"}
    for key in SECONDS:
        card.get("data", {}).pop(key, None)
    return card


bad_weights = bad_cards = 0
for name in ("p0", "p1", "ens", "r1", "r2", "motifs"):
    a, b = old / f"{name}.safetensors", new / f"{name}.safetensors"
    digest = lambda p: {k: hashlib.sha256(v.tobytes()).hexdigest() for k, v in load_file(str(p)).items()}
    ta, tb = digest(a), digest(b)
    ca, cb = (json.loads(p.with_suffix(".json").read_text()) for p in (a, b))
    same = [a.read_bytes() == b.read_bytes(), ta == tb, plain(ca) == plain(cb)]
    bad_weights += not all(same[:2])
    bad_cards += not same[2]
    print(f"{name:7s} file {'identical' if same[0] else 'DIFFERS'} (sha256 {ca['sha256'][:12]} / {cb['sha256'][:12]}), "
          f"{len(ta)} tensors {'identical' if same[1] else 'DIFFER'}, card {'identical' if same[2] else 'DIFFERS'}")
    for key in sorted(set(plain(ca)) | set(plain(cb))):
        if plain(ca).get(key) != plain(cb).get(key):
            print(f"        card field {key}: {str(plain(ca).get(key))[:150]} | {str(plain(cb).get(key))[:150]}")
print(f"weights: {6 - bad_weights} of 6 identical; cards apart from command lines: {6 - bad_cards} of 6 identical")
EOF
