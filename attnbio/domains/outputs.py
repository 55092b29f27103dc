"""Writing a secondary domain's result: tables and figures, done the same way by all seven.

Each domain has `attnbio.domains.<name>.run(request, progress=None) -> result` (the work) and
`attnbio.domains.<name>_outputs.write(result, outdir)` (the files); the command wraps the second
in `attnbio.io.outdir.staged_outdir`. This module holds what those writers share.
"""
from __future__ import annotations

from pathlib import Path


def write_tables(outdir, tables) -> None:
    """Write [(file name, columns, rows), ...] as TSV files into `outdir` (io.tables.write_tsv)."""
    from attnbio.io.tables import write_tsv

    for name, columns, rows in tables:
        write_tsv(Path(outdir) / name, columns, rows)


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (no display needed, same bytes everywhere)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path, dpi: int, metadata: dict | None = None) -> None:
    """tight_layout, save as PNG and close; metadata={"Software": None} drops the version tag."""
    fig.tight_layout()
    fig.savefig(path, dpi=dpi, metadata=metadata)
    pyplot().close(fig)


#: PNG metadata without matplotlib's version, so that an upgrade alone does not change the file.
NO_VERSION = {"Software": None}

