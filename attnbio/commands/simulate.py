"""`attnbio simulate grammar`: benchmark data with JASPAR motifs planted under known rules."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option


@click.group("simulate")
def command():
    """Make benchmark data with known planted motifs and grammar."""


@command.command("grammar")
@outdir_option
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="JSON or YAML file of generator knobs (GrammarSimConfig field names); options given on the "
                   "command line win over it.")
@click.option("--n", "n_sequences", type=click.IntRange(20, 10_000_000), default=10_000, show_default=True,
              help="Sequences in all (half positives, half negatives).")
@click.option("--length", type=click.IntRange(80, 100_000), default=200, show_default=True)
@click.option("--pairs", type=click.IntRange(1, 40), default=3, show_default=True, help="Cooperative pairs.")
@click.option("--factors", "n_factors", type=click.IntRange(0, 40), default=0, show_default=True,
              help="Motifs the pairs share (Data-40 style: 20 factors, 40 pairs); 0: two of their own per pair.")
@click.option("--pairs-per-seq", type=click.IntRange(1, 40), default=1, show_default=True,
              help="Pair slots per sequence.")
@click.option("--singles", type=click.IntRange(0, 20), default=1, show_default=True, help="Enriched single motifs.")
@click.option("--decoys", type=click.IntRange(0, 20), default=1, show_default=True, help="Motifs in both classes.")
@click.option("--gc", type=click.FloatRange(0.2, 0.8), default=0.41, show_default=True)
@click.option("--background", type=click.Choice(["iid", "markov1", "markov2", "markov3"]), default="iid",
              show_default=True, help="i.i.d. bases or a random Markov chain of that order fitted to --gc.")
@click.option("--orientations", default="++,+-,-+", show_default=True,
              help="Relative orientations pairs are drawn from (comma-separated; ++ +- -+ --).")
@click.option("--flip-rate", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Fraction of composites planted on the other strand as a whole.")
@click.option("--min-distance", type=click.IntRange(0, 1000), default=0, show_default=True,
              help="Pair spacing (centre to centre), at least.")
@click.option("--max-distance", type=click.IntRange(1, 1000), default=40, show_default=True)
@click.option("--pair-rate", "pair_rate_pos", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Chance that a positive's pair slot holds a pair.")
@click.option("--single-rate", "single_rate_pos", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Fraction of positives with each enriched single.")
@click.option("--single-rate-neg", "single_rate_neg", type=click.FloatRange(0, 1), default=0.1, show_default=True)
@click.option("--decoy-rate", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Fraction of sequences (both classes) with each decoy.")
@click.option("--include", default="", help="JASPAR names or ids (comma-separated) for the first motif slots, "
                                            "in role order: pair members, singles, decoys (e.g. MEF2A,SRF).")
@click.option("--paralogs", type=click.IntRange(0, 20), default=0, show_default=True,
              help="Last enriched slots: another TF of the JASPAR family of an earlier planted motif.")
@click.option("--taxon", default="vertebrates", show_default=True, help="JASPAR taxon to draw motifs from.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.pass_context
def grammar(ctx, outdir, config_file, **options):
    """Positives with cooperative pairs at fixed spacing; negatives with the same motifs unpaired.

    Writes positives.fa, negatives.fa, truth.json, truth.meme and truth_sites.tsv.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.motifs.simulate import GrammarSimConfig, load_config, validate_config, write_grammar

    cfg = GrammarSimConfig(**_grammar_knobs(ctx, config_file, options, load_config))
    validate_config(cfg, str(config_file) if config_file else "simulate grammar")
    with staged_outdir(outdir) as tmp:
        truth = write_grammar(cfg, tmp)
    names = ", ".join(f"{m['name']} ({m['role']})" for m in truth["motifs"])
    log.info(f"planted {names} -> {outdir}")


_RENAMED = {"pairs": "n_pairs", "singles": "n_singles", "decoys": "n_decoys"}


def _grammar_knobs(ctx, config_file, options: dict, load_config) -> dict:
    """GrammarSimConfig keywords: the config file's, then every option given on the command line
    (with a config file, an option left at its default does not override the file)."""
    from click.core import ParameterSource

    knobs = load_config(config_file) if config_file else {}
    for key, value in options.items():
        if config_file and ctx.get_parameter_source(key) == ParameterSource.DEFAULT:
            continue
        if key in ("orientations", "include"):
            value = tuple(v.strip() for v in value.split(",") if v.strip())
        knobs[_RENAMED.get(key, key)] = value
    return knobs


@command.command("genome")
@outdir_option
@click.option("--peaks", "n_peaks", type=click.IntRange(20, 1_000_000), default=4000, show_default=True,
              help="Peaks (and as many unbound regions carrying the motifs unpaired).")
@click.option("--length", type=click.IntRange(80, 10_000), default=200, show_default=True,
              help="Planted region per peak (bp); the narrowPeak summit is its centre.")
@click.option("--chroms", "n_chroms", type=click.IntRange(1, 50), default=4, show_default=True)
@click.option("--gc-low", type=click.FloatRange(0.1, 0.9), default=0.30, show_default=True,
              help="Filler GC at the start of each chromosome (rising linearly to --gc-high).")
@click.option("--gc-high", type=click.FloatRange(0.1, 0.9), default=0.55, show_default=True)
@click.option("--peak-gc", type=click.FloatRange(0.2, 0.8), default=0.50, show_default=True,
              help="GC of the simulated peak and unbound sequences.")
@click.option("--seed", type=int, default=0, show_default=True)
def genome(outdir, n_peaks, length, n_chroms, gc_low, gc_high, peak_gc, seed):
    """A synthetic genome with a GC gradient along each chromosome and narrowPeak peaks over planted grammar.

    Writes genome.fa, peaks.narrowPeak, negatives.bed, positives.fa + negatives.fa (the same
    sequences, for the FASTA route), truth.json, truth.meme and truth_sites.bed.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.motifs.simulate_genome import GenomeSimConfig, simulate_genome

    cfg = GenomeSimConfig(n_peaks=n_peaks, length=length, n_chroms=n_chroms, gc_low=gc_low, gc_high=gc_high,
                          peak_gc=peak_gc, seed=seed)
    with staged_outdir(outdir) as tmp:
        truth = simulate_genome(cfg, tmp)
    size = sum(truth["genome"]["chromosomes"].values())
    log.info(f"{n_peaks} peaks in a {size / 1e6:.2f} Mb genome ({n_chroms} chromosomes) -> {outdir}")
