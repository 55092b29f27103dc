"""`attnbio simulate grammar`: benchmark data with JASPAR motifs planted under known rules."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option


@click.group("simulate")
def command():
    """Make benchmark data with known planted motifs and grammar."""


@command.command("grammar")
@outdir_option
@click.option("--n", "n_sequences", type=click.IntRange(20, 10_000_000), default=10_000, show_default=True,
              help="Sequences in all (half positives, half negatives).")
@click.option("--length", type=click.IntRange(80, 100_000), default=200, show_default=True)
@click.option("--pairs", type=click.IntRange(1, 10), default=3, show_default=True, help="Cooperative pairs.")
@click.option("--singles", type=click.IntRange(0, 10), default=1, show_default=True, help="Enriched single motifs.")
@click.option("--decoys", type=click.IntRange(0, 10), default=1, show_default=True, help="Motifs in both classes.")
@click.option("--gc", type=click.FloatRange(0.2, 0.8), default=0.41, show_default=True)
@click.option("--taxon", default="vertebrates", show_default=True, help="JASPAR taxon to draw motifs from.")
@click.option("--seed", type=int, default=0, show_default=True)
def grammar(outdir, n_sequences, length, pairs, singles, decoys, gc, taxon, seed):
    """Positives with cooperative pairs at fixed spacing; negatives with the same motifs unpaired.

    Writes positives.fa, negatives.fa, truth.json, truth.meme and truth_sites.tsv.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.motifs.simulate import GrammarConfig, write_grammar

    cfg = GrammarConfig(n_sequences=n_sequences, length=length, n_pairs=pairs, n_singles=singles,
                        n_decoys=decoys, gc=gc, seed=seed, taxon=taxon)
    with staged_outdir(outdir) as tmp:
        truth = write_grammar(cfg, tmp)
    names = ", ".join(f"{m['name']} ({m['role']})" for m in truth["motifs"])
    log.info(f"planted {names} -> {outdir}")
