"""Snakemake `script:` for rule split: cut the input FASTA into contiguous shards (attnbio.scan.split).

Records are validated while splitting, so a bad input fails here, once, with one clear line.
"""
import sys

from attnbio.errors import InputError
from attnbio.scan.split import split_fasta

with open(snakemake.log[0], "w") as log:  # noqa: F821 - injected by snakemake
    try:
        sizes = split_fasta(snakemake.input[0], list(snakemake.output))  # noqa: F821
    except InputError as err:
        print(f"attnbio: error: {err}", file=log)
        print(f"attnbio: error: {err}", file=sys.stderr)
        sys.exit(2)
    print(f"split {sum(sizes)} records into {len(sizes)} shards: {sizes}", file=log)
