"""`attnbio merge`: shard outputs of `attnbio scan` -> one result set."""
from __future__ import annotations

import click

from attnbio.commands.common import command_line, log, outdir_option


@click.command("merge")
@click.argument("shards", nargs=-1, required=True, type=click.Path(file_okay=False))
@outdir_option
def command(shards, outdir):
    """Concatenate the scan outputs in SHARDS, in the order given, into OUTDIR.

    The merged scores.tsv and sites.tsv are byte-identical, and the scan.h5 datasets equal, to
    what one `attnbio scan` of the shards' FASTA files joined in the same order writes (given
    the same model, motifs and scan options, which are checked). OUTDIR appears complete or
    not at all.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.scan.merge import merge_shards

    with staged_outdir(outdir) as tmp:
        summary = merge_shards(list(shards), tmp, log=log.debug, command=command_line())
    log.info(f"{summary.n_sequences} sequences and {summary.n_sites} sites from {summary.n_shards} shards -> {outdir}")
