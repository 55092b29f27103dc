"""Model weights as safetensors with a JSON model card beside them (never pickle)."""
from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

from attnbio.errors import InputError
from attnbio.io.outdir import atomic_file


def sha256_file(path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def card_path(weights_path) -> Path:
    """model.safetensors -> model.json"""
    return Path(weights_path).with_suffix(".json")


def save_weights(path, tensors: dict, card: dict) -> dict:
    """Write tensors (name -> torch.Tensor) to `path` and the card to path.json; returns the card.

    The card gets `sha256` of the weights file so users can check what they run.
    """
    from safetensors.torch import save_file

    path = Path(path)
    with atomic_file(path) as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))
    card = dict(card, weights_file=path.name, sha256=sha256_file(path))
    with atomic_file(card_path(path)) as ctmp:
        ctmp.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return card


def load_weights(path, expect_kind: str | None = None):
    """Read (tensors, card) from a safetensors file and its card; clear errors for bad files.

    `expect_kind` checks the card's `kind` (e.g. "attnbio.motifs") so a protein model is not
    fed to the motif command by mistake.
    """
    from safetensors.torch import load_file

    from attnbio.io.card_schema import validate_card
    from attnbio.io.source import check_path

    path = Path(path)
    st = check_path(path, "model file")
    if st is None:
        raise InputError(f"{path}: a model is read from its file (with the .json card beside it), not from stdin")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: a model file must be a regular file (with its .json card beside it)")
    cpath = card_path(path)
    if not cpath.is_file():
        raise InputError(f"{path}: model card {cpath.name} not found beside the weights")
    try:
        card = json.loads(cpath.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{cpath}: model card is not valid JSON ({err})") from None
    if not isinstance(card, dict):
        raise InputError(f"{cpath}: model card must be a JSON object, not a {type(card).__name__}")
    if expect_kind and card.get("kind") != expect_kind:
        raise InputError(f"{path}: model card says kind={card.get('kind')!r}, expected {expect_kind!r}")
    validate_card(card, str(cpath), expect_kind)     # sizes, bounds, sha256: before any tensor
    digest = sha256_file(path)
    if card["sha256"] != digest:
        raise InputError(f"{path}: sha256 {digest[:12]}... does not match its model card")
    try:
        tensors = load_file(str(path))
    except Exception as err:  # safetensors raises its own error types
        raise InputError(f"{path}: not a readable safetensors file ({str(err).splitlines()[0][:160]})") from None
    for name, t in tensors.items():
        if t.is_floating_point() and not bool(t.isfinite().all()):
            raise InputError(f"{path}: tensor {name!r} holds NaN or infinite values; refusing these weights")
    return tensors, card


def fit_state_dict(build, tensors: dict, where: str):
    """build() a module and load `tensors` into it; a mismatch is one InputError line.

    The module is first built on torch's meta device (no memory) and its parameter names and
    shapes compared with the file's, so a card that does not describe its weights fails before
    anything large is allocated.
    """
    import torch

    try:
        with torch.device("meta"):
            shapes = {k: tuple(v.shape) for k, v in build().state_dict().items()}
    except (TypeError, ValueError, RuntimeError, KeyError, ZeroDivisionError) as err:
        raise InputError(f"{where}: the model card's configuration cannot build a model "
                         f"({type(err).__name__}: {str(err).splitlines()[0][:120]})") from None
    missing = [k for k in shapes if k not in tensors]
    extra = [k for k in tensors if k not in shapes]
    wrong = [k for k in shapes if k in tensors and tuple(tensors[k].shape) != shapes[k]]
    if missing or extra or wrong:
        parts = []
        if wrong:
            k = wrong[0]
            parts.append(f"{len(wrong)} tensor(s) of another shape, first {k!r}: file {tuple(tensors[k].shape)}, "
                         f"card {shapes[k]}")
        if missing:
            parts.append(f"{len(missing)} missing, first {missing[0]!r}")
        if extra:
            parts.append(f"{len(extra)} unexpected, first {extra[0]!r}")
        raise InputError(f"{where}: weights do not fit the model its card describes ({'; '.join(parts)})")
    model = build()
    model.load_state_dict(tensors)
    return model
