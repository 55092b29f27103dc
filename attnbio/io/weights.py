"""Model weights as safetensors with a JSON model card beside them (never pickle)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from attnbio.errors import InputError
from attnbio.io.outdir import atomic_path


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
    tmp = atomic_path(path)
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))
    tmp.replace(path)
    card = dict(card, weights_file=path.name, sha256=sha256_file(path))
    cpath = card_path(path)
    ctmp = atomic_path(cpath)
    ctmp.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    ctmp.replace(cpath)
    return card


def load_weights(path, expect_kind: str | None = None):
    """Read (tensors, card) from a safetensors file and its card; clear errors for bad files.

    `expect_kind` checks the card's `kind` (e.g. "attnbio.motifs") so a protein model is not
    fed to the motif command by mistake.
    """
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: model file not found")
    cpath = card_path(path)
    if not cpath.is_file():
        raise InputError(f"{path}: model card {cpath.name} not found beside the weights")
    try:
        card = json.loads(cpath.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{cpath}: model card is not valid JSON ({err})") from None
    if expect_kind and card.get("kind") != expect_kind:
        raise InputError(f"{path}: model card says kind={card.get('kind')!r}, expected {expect_kind!r}")
    digest = sha256_file(path)
    if card.get("sha256") and card["sha256"] != digest:
        raise InputError(f"{path}: sha256 {digest[:12]}... does not match its model card")
    try:
        tensors = load_file(str(path))
    except Exception as err:  # safetensors raises its own error types
        raise InputError(f"{path}: not a readable safetensors file ({err})") from None
    return tensors, card
