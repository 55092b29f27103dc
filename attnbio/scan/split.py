"""Cut a FASTA file into contiguous shards (for scatter-gather), validating every record once.

Shards are contiguous runs of records, in input order, so concatenating the shards' scan
outputs (attnbio merge) gives the scan of the whole file. Sizes differ by at most one record.
"""
from __future__ import annotations

from pathlib import Path

from attnbio.errors import InputError
from attnbio.io.outdir import atomic_file


def shard_sizes(n_records: int, n_shards: int) -> list[int]:
    """Records per shard: n_records split as evenly as possible, larger shards first."""
    base, extra = divmod(n_records, n_shards)
    return [base + (i < extra) for i in range(n_shards)]


def split_fasta(path, outputs: list, width: int = 80) -> list[int]:
    """Write the records of `path` into the files `outputs` (contiguous, even); returns the sizes.

    Two streaming passes (count, then write), so memory stays flat apart from the record IDs
    the reader keeps to reject duplicates. Fewer records than shards is an error (a shard with
    no records would not be a FASTA file). Each shard is written under a temporary name and
    renamed when complete.
    """
    from attnbio.io.fasta import read_fasta

    if not outputs:
        raise InputError("no shard files to split into")
    n = sum(1 for _ in read_fasta(path))
    if n < len(outputs):
        raise InputError(f"{path}: {n} records cannot fill {len(outputs)} shards (use at most {n} shards)")
    sizes = shard_sizes(n, len(outputs))
    records = read_fasta(path)
    for out, size in zip(outputs, sizes):
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(out) as tmp, open(tmp, "w") as fh:
            for _ in range(size):
                rec = next(records)
                fh.write(f">{rec.id}{' ' + rec.description if rec.description else ''}\n")
                for i in range(0, len(rec.sequence), width):
                    fh.write(rec.sequence[i:i + width] + "\n")
    return sizes
