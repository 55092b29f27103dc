"""`attnbio protein`: physicochemical lenses of attention heads and predicted contacts."""
from __future__ import annotations

import logging
import time

import click

from attnbio.commands.common import (command_line, make_progress, outdir_option, report,
                                     runtime_options, setup_runtime)
from attnbio.protein.outputs import MAX_HEATMAPS

log = logging.getLogger("attnbio")


@click.command("protein", help="""Protein attention heads: physicochemical lenses and predicted contacts.

INPUT files are protein FASTA or PDB/mmCIF structures (plain or .gz; - for stdin). OUTDIR gets heads.tsv
(per head: dominant lens and per-feature proportion, background, z, BH q), contacts.tsv (top
contacts per protein), metrics.tsv (contact precision where a structure is given), results.h5
(attention maps, float16; groups proteins/0, 1, ... in input order, ID as attribute) and
heatmaps/<k>.png, <k>_heads.png for the k-th protein (heatmaps/index.tsv maps k to the ID).""")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
              help="Trained protein model (.safetensors with its .json card); default: bundled.")
@click.option("--chain", "chains", multiple=True, help="Only these chain IDs of structure inputs.")
@click.option("--nmr-model", type=click.IntRange(min=0), default=None,
              help="Model number to read from multi-model structures (default: the first).")
@click.option("--attention-threshold", type=click.FloatRange(0, 1, min_open=True), default=0.3,
              show_default=True, help="Attention weight above which a pair counts for a head.")
@click.option("--q-cutoff", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="BH q value below which a feature can be a head's lens.")
@click.option("--top-contacts", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Contacts written per protein, as a multiple of its length L.")
@click.option("--heatmaps/--no-heatmaps", default=True, show_default=True,
              help=f"Write PNG heatmaps (first {MAX_HEATMAPS} proteins).")
@outdir_option
@runtime_options
def command(inputs, model_path, chains, nmr_model, attention_threshold, q_cutoff, top_contacts,
            heatmaps, outdir, threads, seed, device):
    from attnbio.io.outdir import staged_outdir
    from attnbio.protein import outputs
    from attnbio.protein.pipeline import ProteinRequest, run

    dev = setup_runtime(threads, seed, device)
    t0 = time.perf_counter()
    request = ProteinRequest(inputs=list(inputs), model=model_path, chains=list(chains) or None,
                             nmr_model=nmr_model, attention_threshold=attention_threshold,
                             q_cutoff=q_cutoff, top_contacts=top_contacts, heatmaps=heatmaps,
                             seed=seed, device=str(dev), command=command_line())
    with make_progress() as progress:
        result = run(request, progress=progress)
    log.info("read %d protein(s) from %d file(s)", len(result.proteins), len(inputs))
    lenses = sorted({r["lens"] for r in result.heads if r["lens"]})
    log.info("%d of %d heads have a lens (%s)", sum(bool(r["lens"]) for r in result.heads),
             len(result.heads), ", ".join(lenses) or "none")
    for note in result.notes:
        report(note)
    with staged_outdir(outdir) as tmp:
        outputs.write(result, tmp)
    log.info("wrote %s in %.1f s", outdir, time.perf_counter() - t0)
