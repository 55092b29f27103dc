"""Options of the ChIP-seq route of `attnbio motifs` (peaks as BED/narrowPeak + --genome)."""
from __future__ import annotations

import click


class SizeParam(click.ParamType):
    """--size: a width in bp (10 to 100,000) or 'given' (regions as they are in the BED)."""
    name = "BP|given"

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, int):
            return value
        if str(value).lower() == "given":
            return None
        try:
            n = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a number of bp nor 'given'", param, ctx)
        if not 10 <= n <= 100_000:
            self.fail(f"{n} is not in 10..100000 bp", param, ctx)
        return n


def chip_options(f):
    """--genome, --size, --mask-repeats, --max-n-fraction, --background-ratio."""
    f = click.option("--background-ratio", type=click.FloatRange(0.1, 10), default=1.0, show_default=True,
                     help="BED route without --negatives: GC-matched genomic background regions per peak.")(f)
    return region_options(f)


def region_options(f):
    """--genome, --size, --mask-repeats, --max-n-fraction: how BED regions are read (motifs and scan)."""
    options = [
        click.option("--genome", type=click.Path(dir_okay=False), default=None,
                     help="Genome FASTA (plain or bgzip; .fai built or reused) for BED/narrowPeak peaks."),
        click.option("--size", type=SizeParam(), default="200", show_default=True,
                     help="BED route: bp centred on the narrowPeak summit (column 10) or the midpoint, "
                          "or 'given' for the regions as they are."),
        click.option("--mask-repeats", is_flag=True, default=False,
                     help="BED route: soft-masked (lower-case) genome bases become N."),
        click.option("--max-n-fraction", type=click.FloatRange(0, 1), default=0.25, show_default=True,
                     help="BED route: regions with a larger fraction of N are dropped (with a warning)."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f
