"""BED and narrowPeak intervals: reading, validation, re-centring, writing.

Rules (also in README.md, "ChIP-seq route"):
- BED3 to BED12 and ENCODE narrowPeak (BED6+4; column 10 is the summit offset from the start,
  -1 for none), tab-separated (or white-space separated when a line has no tab), plain or gzip.
- Coordinates are 0-based, end exclusive (UCSC BED); start < end is required.
- Lines starting with '#', 'track' or 'browser' and blank lines are skipped.
- Column 6 (strand) must be '+', '-' or '.'; a minus-strand region is read reverse-complemented.
- Every malformed line and an empty file are errors naming the file and line.
"""
from __future__ import annotations

import gzip
import io
import os
from dataclasses import dataclass, replace
from pathlib import Path

from attnbio.errors import InputError
from attnbio.io.source import GZIP_ERRORS, gunzip_stream, gzip_error, input_error

BED_SUFFIXES = (".bed", ".narrowpeak", ".broadpeak", ".bedgraph")


@dataclass(frozen=True)
class Region:
    """One interval: chrom, 0-based start, exclusive end, name ('.' if none), strand ('+', '-',
    '.'), summit (absolute 0-based position or None) and the 1-based line it came from."""
    chrom: str
    start: int
    end: int
    name: str = "."
    strand: str = "."
    summit: int | None = None
    line: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start


def open_binary(path, what: str = "BED file", missing: str = "file not found"):
    """open(path, 'rb') with the usual mistakes as one-line InputErrors (io.source.input_error)."""
    try:
        return open(path, "rb")
    except OSError as err:
        raise input_error(path, err, what, missing) from None


def _open_text(path):
    raw = open_binary(path)
    return raw, io.TextIOWrapper(gunzip_stream(raw), encoding="ascii", errors="strict", newline=None)


def is_bed(path) -> bool:
    """True when `path` looks like BED/narrowPeak: by name (.bed, .narrowPeak, ...[.gz]) or, failing
    that, by content (first data line: >= 3 fields with integer columns 2 and 3). '-' is FASTA."""
    if str(path) == "-":
        return False
    name = Path(str(path)).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(BED_SUFFIXES):
        return True
    if not os.path.isfile(path):     # a pipe or <(...) can be read once only: do not sniff it
        return False
    try:
        raw, text = _open_text(path)
    except InputError:
        return False
    try:
        for _ in range(1000):
            line = text.readline()
            if not line:
                return False
            s = line.strip()
            if not s or s.startswith(("#", "track", "browser")):
                continue
            if s.startswith(">"):
                return False
            fields = s.split("\t") if "\t" in s else s.split()
            return len(fields) >= 3 and fields[1].isdigit() and fields[2].isdigit()
    except (UnicodeDecodeError, OSError, EOFError, gzip.BadGzipFile):
        return False
    finally:
        raw.close()
    return False


def _parse(fields: list[str], name: str, lineno: int) -> Region:
    where = f"{name}: line {lineno}"
    if len(fields) < 3:
        raise InputError(f"{where}: {len(fields)} column(s); a BED line needs chrom, start and end "
                         f"separated by tabs")
    chrom = fields[0]
    try:
        start, end = int(fields[1]), int(fields[2])
    except ValueError:
        raise InputError(f"{where}: start and end must be integers, got {fields[1]!r} and {fields[2]!r}") from None
    if start < 0:
        raise InputError(f"{where}: negative start {start}")
    if end <= start:
        raise InputError(f"{where}: end {end} is not after start {start} (BED is 0-based, end exclusive)")
    rname = fields[3] if len(fields) > 3 and fields[3] else "."
    strand = fields[5] if len(fields) > 5 else "."
    if strand not in ("+", "-", "."):
        raise InputError(f"{where}: strand (column 6) must be '+', '-' or '.', got {strand!r}")
    summit = None
    if len(fields) == 10:                       # narrowPeak: column 10 = summit offset from start
        try:
            off = int(fields[9])
        except ValueError:
            raise InputError(f"{where}: narrowPeak summit (column 10) must be an integer, "
                             f"got {fields[9]!r}") from None
        if off != -1:
            if not 0 <= off < end - start:
                raise InputError(f"{where}: narrowPeak summit offset {off} lies outside the peak "
                                 f"({end - start} bp)")
            summit = start + off
    return Region(chrom, start, end, rname, strand, summit, lineno)


def read_bed(path) -> list[Region]:
    """All intervals of a BED/narrowPeak file (plain or gzip), validated (see module rules)."""
    raw, text = _open_text(path)
    out: list[Region] = []
    lineno = 0
    try:
        for lineno, line in enumerate(text, start=1):
            s = line.rstrip("\r\n")
            if not s.strip() or s.startswith(("#", "track", "browser")):
                continue
            if s.startswith(">"):
                raise InputError(f"{path}: line {lineno}: a FASTA header in a BED file")
            fields = s.split("\t") if "\t" in s else s.split()
            out.append(_parse(fields, str(path), lineno))
    except UnicodeDecodeError:
        raise InputError(f"{path}: line {lineno + 1}: non-ASCII bytes, not a BED text file") from None
    except GZIP_ERRORS as err:
        raise gzip_error(str(path), lineno, err) from None
    finally:
        raw.close()
    if not out:
        raise InputError(f"{path}: no intervals (empty BED file)")
    return out


def recentre(region: Region, size: int | None, chrom_length: int | None = None) -> Region:
    """`size` bp centred on the summit (narrowPeak) or else the midpoint; None keeps the region.

    The window is clipped to [0, chrom_length) at chromosome ends, so it may come out shorter.
    """
    if size is None:
        return region
    centre = region.summit if region.summit is not None else (region.start + region.end) // 2
    start = centre - size // 2
    end = start + size
    start = max(start, 0)
    if chrom_length is not None:
        end = min(end, chrom_length)
    return replace(region, start=start, end=end)


def region_ids(regions: list[Region]) -> list[str]:
    """Record IDs: the BED names when every region has one and they are unique, else
    chrom:start-end (with _2, _3 ... for repeats), so outputs can key on them."""
    names = [r.name for r in regions]
    if all(n != "." for n in names) and len(set(names)) == len(names):
        return names
    out, seen = [], {}
    for r in regions:
        base = f"{r.chrom}:{r.start}-{r.end}"
        k = seen.get(base, 0) + 1
        seen[base] = k
        out.append(base if k == 1 else f"{base}_{k}")
    return out


def write_bed(path, rows) -> None:
    """Write tuples (chrom, start, end, name, score, strand, ...) as tab-separated BED via a temporary name."""
    from attnbio.io.outdir import atomic_file
    from attnbio.io.tables import format_value

    with atomic_file(Path(path)) as tmp, open(tmp, "w", newline="\n") as fh:
        for row in rows:
            fh.write("\t".join(format_value(v) for v in row) + "\n")
