"""JSON Schemas (draft 2020-12) of the model cards, checked before any tensor is built.

A card is a JSON object with `kind` and the `sha256` of its weights file; its sizes are
positive integers within bounds that keep a model buildable on a workstation, and the rules a
schema cannot say (d_model divisible by n_heads, in_max above in_min) are checked beside it.
Like safetensors refuses what it cannot verify, a card without sha256 is refused.
"""
from __future__ import annotations

from attnbio.errors import InputError


def _int(lo: int, hi: int) -> dict:
    return {"type": "integer", "minimum": lo, "maximum": hi}


def _num(lo: float, hi: float, exclusive_hi: bool = False) -> dict:
    key = "exclusiveMaximum" if exclusive_hi else "maximum"
    return {"type": "number", "minimum": lo, key: hi}


_SHA = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

MOTIFS_ARCH = {
    "type": "object",
    "required": ["d_model", "n_heads", "n_layers", "kernel", "max_rel", "pool"],
    "additionalProperties": False,
    "properties": {
        "d_model": _int(1, 1024), "n_heads": _int(1, 64), "n_layers": _int(1, 32),
        "kernel": _int(1, 101), "max_rel": _int(1, 4096), "pool": _int(1, 64),
        "dropout": _num(0, 1, True), "attn_dropout": _num(0, 1, True),
        "bias_gain": _num(0, 1e4), "gated": {"type": "boolean"}, "stem_filters": _int(0, 4096),
    },
}

PROTEIN_CONFIG = {
    "type": "object",
    "required": ["dim", "heads", "layers"],
    "properties": {
        "dim": _int(1, 1024), "heads": _int(1, 64), "layers": _int(1, 32), "conv_kernel": _int(1, 101),
        "ff_mult": _int(1, 16), "log_buckets": _int(0, 64), "max_rel": _int(1, 4096),
        "dropout": _num(0, 1, True), "init_sharpness": _num(0, 1e3),
    },
}

REFINE_CONFIG = {
    "type": "object",
    "properties": {
        "c_z": _int(1, 512), "n_blocks": _int(1, 48), "c_mul": _int(1, 512), "c_att": _int(1, 512),
        "n_heads": _int(1, 64), "max_relpos": _int(1, 4096), "n_out": _int(3, 1024),
        "in_min": _num(0, 1e3), "in_max": _num(0, 1e3), "in_step": {"type": "number", "exclusiveMinimum": 0,
                                                                  "maximum": 100},
        "out_min": _num(0, 1e3), "out_max": _num(0, 1e3),
    },
}


def _card(kind: str, extra: dict, required: list[str]) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["kind", "sha256", *required],
        "properties": {"kind": {"const": kind}, "sha256": _SHA, "weights_file": {"type": "string"}, **extra},
    }


SCHEMAS = {
    "attnbio.motifs": _card("attnbio.motifs", {"architecture": MOTIFS_ARCH}, ["architecture"]),
    "attnbio.protein": _card("attnbio.protein", {
        "config": PROTEIN_CONFIG,
        "members": {"type": "array", "minItems": 1, "maxItems": 16,
                    "items": {"type": "object", "required": ["config"], "properties": {"config": PROTEIN_CONFIG}}},
    }, []) | {"anyOf": [{"required": ["config"]}, {"required": ["members"]}]},
    "attnbio.refine": _card("attnbio.refine", {"config": REFINE_CONFIG}, ["config"]),
}
GENERIC = {"type": "object", "required": ["kind", "sha256"], "properties": {"sha256": _SHA}}


def _where(err) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
    return path.lstrip(".") or "the card"


def validate_card(card, where: str, kind: str | None = None) -> None:
    """InputError (one line naming `where` and the field) unless `card` fits its kind's schema."""
    import jsonschema

    if not isinstance(card, dict):
        raise InputError(f"{where}: model card must be a JSON object, not a {type(card).__name__}")
    schema = SCHEMAS.get(kind or card.get("kind"), GENERIC)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(card),
                    key=lambda e: (len(list(e.absolute_path)), list(map(str, e.absolute_path))))
    if errors:
        err = errors[0]
        msg = err.message if len(err.message) <= 160 else err.message[:157] + "..."
        raise InputError(f"{where}: model card field {_where(err)}: {msg}")
    _check_rules(card, where)


def _check_rules(card: dict, where: str) -> None:
    """What JSON Schema cannot say: divisibility and ordered ranges."""
    arch = card.get("architecture")
    if isinstance(arch, dict) and arch.get("d_model", 0) % max(arch.get("n_heads", 1), 1):
        raise InputError(f"{where}: model card: architecture.d_model {arch['d_model']} is not divisible by "
                         f"n_heads {arch['n_heads']}")
    configs = [card["config"]] if isinstance(card.get("config"), dict) else []
    configs += [m["config"] for m in card.get("members") or [] if isinstance(m, dict) and "config" in m]
    for cfg in configs:
        if "dim" in cfg and "heads" in cfg and cfg["dim"] % cfg["heads"]:
            raise InputError(f"{where}: model card: config.dim {cfg['dim']} is not divisible by heads {cfg['heads']}")
        for lo, hi in (("in_min", "in_max"), ("out_min", "out_max")):
            if lo in cfg and hi in cfg and not cfg[hi] > cfg[lo]:
                raise InputError(f"{where}: model card: config.{hi} {cfg[hi]} must be above {lo} {cfg[lo]}")
