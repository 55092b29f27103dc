"""`attnbio refine`: refine a structure with a triangle-updated pair representation."""
from __future__ import annotations

from pathlib import Path

import click

from attnbio.commands.common import log, outdir_option, runtime_options, setup_runtime

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "weights" / "refine.safetensors"
FORMAT_VERSION = "1.0"


@click.command("refine")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("--reference", type=click.Path(dir_okay=False), default=None,
              help="Known structure of the same protein: adds lDDT-Ca, RMSD and TM-score to metrics.tsv.")
@click.option("--chains", default=None, help="Comma-separated chain IDs to refine (default: all protein chains).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
              help="Refiner weights (.safetensors with its .json card; default: the bundled model).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None,
              help="Rows per block in the triangle layers (default: automatic; lower uses less memory).")
@click.option("--iterations", type=click.IntRange(min=2), default=200, show_default=True,
              help="L-BFGS iterations of the coordinate embedding.")
@outdir_option
@runtime_options
def command(input_path, reference, chains, model_path, chunk_size, iterations, outdir, threads, seed, device):
    """Refine INPUT (PDB or mmCIF, optionally gzipped) and write refined.pdb, metrics.tsv, pair.h5.

    The C-alpha trace is turned into a pair representation, refined by triangle updates into a
    distogram, and rebuilt into coordinates; other backbone atoms follow by local superposition.
    """
    from attnbio.errors import InputError
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.structure import read_structure
    from attnbio.limits import check_refine
    from attnbio.io.source import input_digest
    from attnbio.io.weights import load_weights
    from attnbio.structure.model import load_model
    from attnbio.structure.pipeline import refine_chains, reference_metrics, write_outputs

    dev = setup_runtime(threads, seed, device)
    chain_ids = [c.strip() for c in chains.split(",") if c.strip()] if chains else None
    structure = read_structure(input_path, chains=chain_ids)
    n = sum(len(c) for c in structure)
    check_refine(n, len(structure), str(input_path))     # sizes: refuse before any model runs
    if n < 5:
        raise InputError(f"{input_path}: only {n} residues with a C-alpha atom; refine needs at least 5")
    ref_chains = read_structure(reference) if reference else None

    mpath = Path(model_path) if model_path else DEFAULT_MODEL
    tensors, card = load_weights(mpath, expect_kind="attnbio.refine")
    model = load_model(tensors, card)
    if chunk_size is None:
        chunk_size = auto_chunk(n)
    log.info("refining %d residues in %d chain(s) of %s", n, len(structure), input_path)
    result = refine_chains(model, structure, chunk_size=chunk_size, n_iter=iterations, device=dev)
    # do no harm: say in one line whether the input was kept, blended or refined
    (log.info if result.result.mode == "refined" else log.warning)("%s", result.result.reason)
    metrics = result.metrics
    if ref_chains is not None:
        metrics += reference_metrics(result, ref_chains, reference)
    inputs = {str(input_path): input_digest(input_path)}      # hashed as read: pipes work
    if reference:
        inputs[str(reference)] = input_digest(reference)
    with staged_outdir(outdir) as tmp:
        write_outputs(tmp, result, metrics, seed=seed, inputs=inputs, model_sha256=card.get("sha256"))
    for row in metrics:
        log.info("%-24s input %-10s refined %s", row["metric"], _fmt(row["input"]), _fmt(row["refined"]))
    log.info("wrote %s/refined.pdb, metrics.tsv, pair.h5", outdir)


def auto_chunk(n: int) -> int | None:
    """Rows per triangle block: none below 256 residues, else about 64 M attention logits per block."""
    if n <= 256:
        return None
    return max(1, int(64e6 // (4 * n * n)))


def _fmt(v):
    return "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
