"""`attnbio motifs`: FASTA (or peaks + genome) in, motifs read out of a DNA attention model's heads out."""
from __future__ import annotations

import click

from attnbio.commands.chip_options import chip_options
from attnbio.commands.common import (command_line, log, make_progress, motif_training_options, outdir_option,
                                     report, runtime_options, setup_runtime)


@click.command("motifs")
@click.argument("positives", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--negatives", type=click.Path(allow_dash=True, dir_okay=False), default=None,
              help="Negative/background FASTA or BED (default: dinucleotide-shuffled positives; "
                   "for BED peaks a GC-matched genomic background).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
              help="Reuse a trained model (.safetensors with its .json card) instead of training.")
@outdir_option
@motif_training_options
@click.option("--site-pvalue", type=click.FloatRange(1e-12, 0.01), default=1e-4, show_default=True,
              help="PWM p-value threshold for motif sites.")
@click.option("--taxon", type=click.Choice(["vertebrates", "plants", "insects", "nematodes", "fungi", "urochordates",
                                           "all"]),
              default="vertebrates", show_default=True,
              help="JASPAR CORE taxon that names the motifs (all = every taxon); a one-line warning says when "
                   "motifs unnamed here match another taxon.")
@click.option("--all", "all_motifs", is_flag=True, default=False,
              help="Report every motif found, not only those enriched at q < 0.05, also on their own sites "
                   "(motifs_all.tsv has them anyway).")
@click.option("--motif-db", type=click.Path(), default=None,
              help="Name motifs against this MEME motif file instead of JASPAR.")
@click.option("--keep-variants", is_flag=True, default=False,
              help="Do not merge matrices that look like variants of one profile (similarity >= 0.8, widths "
                   "within 2 bp); use it where paralogs with near-identical matrices are expected.")
@click.option("--intervention-seqs", type=click.IntRange(100, 100_000), default=200, show_default=True,
              help="Background sequences each candidate pair is planted into.")
@chip_options
@runtime_options
def command(positives, negatives, model_path, outdir, epochs, restarts, max_length, site_pvalue, taxon, all_motifs, motif_db,
            keep_variants, intervention_seqs, genome, size, mask_repeats, max_n_fraction, background_ratio, threads, seed, device):
    """Train (or reuse) a DNA attention model on POSITIVES and read motifs out of its heads.

    Names the motifs by Tomtom against JASPAR (or --motif-db), finds motif pairs that attention
    heads link at an over-represented spacing and checks each by planting it into background
    sequences. Writes motifs.meme, motifs.tsv, sites.tsv, interactions.tsv, results.h5,
    report.html and model.safetensors + model.json into OUTDIR; OUTDIR appears complete or not at all.

    POSITIVES may be peaks (BED or narrowPeak) with --genome: they are re-centred to --size on the
    summit, the background is GC-matched genomic regions (background.bed) unless --negatives is
    given, and OUTDIR also gets known_motifs.tsv, sites.bed and genome coordinates in sites.tsv.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.source import only_one_stdin
    from attnbio.motifs.discover import user_config
    from attnbio.motifs.intervene import InterveneConfig
    from attnbio.motifs.outputs import write_outputs
    from attnbio.motifs.pipeline import MotifsRequest, run

    only_one_stdin(POSITIVES=positives, **{"--negatives": negatives, "--motif-db": motif_db})
    dev = setup_runtime(threads, seed, device)
    with staged_outdir(outdir) as tmp:
        req = MotifsRequest(positives, tmp, negatives, model_path, seed, epochs, max_length, str(dev),
                            user_config(site_pvalue, keep_variants), taxon=taxon, motif_db=motif_db, all_motifs=all_motifs, restarts=restarts,
                            intervene=InterveneConfig(n_background=intervention_seqs), genome=genome,
                            size=size, mask_repeats=mask_repeats, max_n_fraction=max_n_fraction,
                            background_ratio=background_ratio, command=command_line())
        with make_progress() as progress:
            result = run(req, log=report, progress=progress)
        write_outputs(result, tmp, log=report)
    summary = result.summary()
    log.info(f"{summary.n_motifs} motifs ({summary.n_enriched} enriched at q < 0.05) from "
             f"{summary.n_positives} positives vs {summary.n_negatives} negatives; {summary.n_pairs} motif pairs "
             f"linked by attention, {summary.n_confirmed} with an interventional effect -> {outdir}")
