"""Tab-separated tables with a header line; missing values are empty fields."""
from __future__ import annotations

import math
from pathlib import Path

from attnbio.io.outdir import atomic_file


def format_value(v) -> str:
    """Text for one cell: '' for None/NaN, compact repr for floats, str otherwise."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.6g}"
    if hasattr(v, "item"):  # numpy scalar
        return format_value(v.item())
    return str(v)


def write_tsv(path, columns: list[str], rows) -> None:
    """Write rows (dicts or sequences in column order) to `path` via a temporary name."""
    with atomic_file(Path(path)) as tmp, open(tmp, "w", newline="\n") as fh:
        fh.write("\t".join(columns) + "\n")
        for row in rows:
            values = [row.get(c) for c in columns] if isinstance(row, dict) else list(row)
            fh.write("\t".join(format_value(v) for v in values) + "\n")


def read_tsv(path) -> list[dict]:
    """Read a table written by write_tsv into a list of dicts of strings."""
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in fh if line.strip()]
