"""`attnbio scan`: a trained motif model over a FASTA shard (or BED + genome), streaming, for batch jobs."""
from __future__ import annotations

import click

from attnbio.commands.chip_options import region_options
from attnbio.commands.common import (command_line, log, make_progress, outdir_option, report, runtime_options,
                                     setup_runtime)


@click.command("scan")
@click.argument("fasta", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False),
              help="Trained motif model (.safetensors with its .json card), e.g. from `attnbio motifs`.")
@click.option("--motifs", "motifs_path", type=click.Path(dir_okay=False), default=None,
              help="MEME motif file to report sites of (e.g. motifs.meme from `attnbio motifs`).")
@outdir_option
@click.option("--batch-size", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Sequences per forward pass. Shards merge bit-identically only with the same value.")
@click.option("--max-length", type=click.IntRange(20, 100_000), default=1000, show_default=True,
              help="Longer sequences are scanned in their central MAX_LENGTH bases.")
@click.option("--site-pvalue", type=click.FloatRange(1e-12, 0.01), default=1e-4, show_default=True,
              help="PWM p-value threshold for motif sites.")
@region_options
@runtime_options
def command(fasta, model_path, motifs_path, outdir, batch_size, max_length, site_pvalue, genome, size,
            mask_repeats, max_n_fraction, threads, seed, device):
    """Score every sequence of FASTA with a trained model, streaming in fixed-size batches.

    FASTA may be a BED/narrowPeak file with --genome: its regions are read from the genome as
    `attnbio motifs` reads peaks (--size bp on the summit or midpoint, minus strand reverse-
    complemented, record IDs = BED names or chrom:start-end).

    Writes scores.tsv (seq_id, length, logit, prob), sites.tsv (PWM sites of --motifs at
    p < --site-pvalue) and scan.h5 (scores, per-head attention peaks, sites) into OUTDIR, in
    input order; OUTDIR appears complete or not at all. Memory does not grow with the number
    of sequences, and `attnbio merge` joins shard outputs into what one run would have written.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.source import only_one_stdin
    from attnbio.scan.inputs import RegionSettings
    from attnbio.scan.pipeline import ScanRequest, run_scan
    from attnbio.scan.stream import ScanConfig

    only_one_stdin(FASTA=fasta, **{"--motifs": motifs_path})
    dev = setup_runtime(threads, seed, device)
    cfg = ScanConfig(batch_size=batch_size, max_length=max_length, site_pvalue=site_pvalue, device=str(dev))
    with staged_outdir(outdir) as tmp, make_progress() as progress:
        regions = RegionSettings(genome, size, mask_repeats, max_n_fraction)
        summary = run_scan(ScanRequest(fasta, tmp, model_path, motifs_path, seed, cfg, regions,
                                       command=command_line()), log=report, progress=progress)
    log.info(f"{summary.n_sequences} sequences scanned ({summary.n_positive} with prob >= 0.5), "
             f"{summary.n_sites} motif sites -> {outdir}")
