"""Shard outputs of `attnbio scan` -> one result set, equal to a scan of the shards' inputs joined.

Tables are concatenated line by line (headers once), HDF5 datasets row-block by row-block, in
the order the shards are given. The merged scan.h5 has the same datasets and settings as an
unsharded scan; root attributes that describe the run itself differ by nature: `command`,
`created`, `input_sha256` (the shards' inputs, in order) and `merged_from` (merged files only).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attnbio.errors import InputError
from attnbio.scan.store import BLOCK, H5_NAME, OUTPUT_FILES, SCORES_NAME, SETTINGS, SITES_NAME, ScanWriter


@dataclass
class MergeSummary:
    n_shards: int
    n_sequences: int
    n_sites: int


def _open_shard(path: Path):
    import h5py

    if not path.is_dir():
        raise InputError(f"{path}: not a scan output folder (missing or not a folder)")
    missing = [f for f in OUTPUT_FILES if not (path / f).is_file()]
    if missing:
        raise InputError(f"{path}: incomplete scan output (missing {', '.join(missing)})")
    try:
        h5 = h5py.File(path / H5_NAME, "r")
    except OSError as err:
        raise InputError(f"{path / H5_NAME}: not a readable HDF5 file ({err})") from None
    if h5.attrs.get("format") != "attnbio.scan":
        h5.close()
        raise InputError(f"{path / H5_NAME}: not an attnbio scan result (format {h5.attrs.get('format')!r})")
    return h5


def _check_header(path: Path, fh, expected: str) -> None:
    header = fh.readline()
    if header != expected:
        raise InputError(f"{path}: header {header.strip()!r} differs from the first shard's {expected.strip()!r}")


def merge_shards(shards: list, outdir, log=lambda msg: None, created: str | None = None,
                 command: str = "") -> MergeSummary:
    """Write the merged scores.tsv, sites.tsv and scan.h5 of `shards` (in order) into `outdir`;
    `command` (the command line, from the caller) is the merged file's provenance."""
    if not shards:
        raise InputError("no shard folders given to merge")
    shards = [Path(s) for s in shards]
    seen = {}
    for s in shards:
        key = s.resolve()
        if key in seen:
            raise InputError(f"{s}: given twice (as {seen[key]} too); each shard must be merged once")
        seen[key] = s
    files = [_open_shard(s) for s in shards]
    try:
        first = files[0]
        settings = {k: first.attrs.get(k) for k in SETTINGS}
        for s, h5 in zip(shards[1:], files[1:]):
            for k in SETTINGS:
                if not _same(h5.attrs.get(k), settings[k]):
                    raise InputError(f"{s}: {k} = {h5.attrs.get(k)!r} differs from the first shard's "
                                     f"{settings[k]!r} ({shards[0]}); shards must come from the same scan settings")
        inputs = {}
        for s, h5 in zip(shards, files):
            for k, v in json.loads(h5.attrs.get("input_sha256", "{}")).items():
                inputs[k] = v
        attrs = {k: first.attrs[k] for k in first.attrs
                 if k not in ("attnbio_version", "command", "created", "seed", "input_sha256", "n_sequences",
                              "n_sites")}
        devices = sorted({str(h5.attrs.get("device", "")) for h5 in files})
        attrs["device"] = ",".join(devices)
        attrs["merged_from"] = json.dumps([str(s) for s in shards])
        motifs = [(mid, str(g.attrs["name"]), g["probs"][()], float(g.attrs["score_threshold"]))
                  for mid, g in first["motifs"].items()]
        head_names = str(settings["head_names"]).split(",")
        with ScanWriter(outdir, attrs, head_names, motifs, int(first.attrs.get("seed", -1)), inputs,
                        created, command) as out:
            for s, h5 in zip(shards, files):
                _copy_tables(s, out)
                for group in ("sequences", "heads", "sites"):
                    _copy_group(h5[group], group, out)
                log(f"merged {s} ({int(h5.attrs.get('n_sequences', 0))} sequences)")
        return MergeSummary(len(shards), out.n_sequences, out.n_sites)
    finally:
        for h5 in files:
            h5.close()


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _copy_tables(shard: Path, out: ScanWriter) -> None:
    from attnbio.motifs.outputs import SITE_COLUMNS
    from attnbio.scan.store import SCORE_COLUMNS

    with open(shard / SCORES_NAME) as sc, open(shard / SITES_NAME) as st:
        _check_header(shard / SCORES_NAME, sc, "\t".join(SCORE_COLUMNS) + "\n")
        _check_header(shard / SITES_NAME, st, "\t".join(SITE_COLUMNS) + "\n")
        for fh, which in ((sc, "scores"), (st, "sites")):
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                out.add_text(chunk, "") if which == "scores" else out.add_text("", chunk)


def _copy_group(group, name: str, out: ScanWriter) -> None:
    n = next(iter(group.values())).shape[0] if len(group) else 0
    for a in range(0, n, BLOCK):
        cols = {}
        for c, ds in group.items():
            cols[c] = ds.asstr()[a:a + BLOCK] if ds.dtype.kind == "O" else ds[a:a + BLOCK]
        out.add_arrays(name, cols)
