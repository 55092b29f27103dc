"""Snakemake `script:` for rule split: cut the input FASTA (attnbio.scan.split) or BED peaks
(attnbio.scan.inputs.split_regions, checked against the genome) into contiguous shards.

Records are validated while splitting, so a bad input fails here, once, with one clear line.
"""
import sys

from attnbio.errors import InputError
from attnbio.scan.inputs import RegionSettings, split_regions
from attnbio.scan.split import split_fasta

regions = snakemake.params.regions  # noqa: F821 - injected by snakemake; None for FASTA input
with open(snakemake.log[0], "w") as log:  # noqa: F821
    try:
        if regions:
            sizes, dropped = split_regions(snakemake.input[0], list(snakemake.output),  # noqa: F821
                                           RegionSettings(**regions))
            if dropped:
                print(f"warning: {snakemake.input[0]}: {dropped} regions dropped: more than "  # noqa: F821
                      f"{regions['max_n_fraction']:g} of their bases are N", file=log)
        else:
            sizes = split_fasta(snakemake.input[0], list(snakemake.output))  # noqa: F821
    except InputError as err:
        print(f"attnbio: error: {err}", file=log)
        print(f"attnbio: error: {err}", file=sys.stderr)
        sys.exit(2)
    print(f"split {sum(sizes)} {'regions' if regions else 'records'} into {len(sizes)} shards: {sizes}", file=log)
