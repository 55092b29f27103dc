"""`attnbio refine`: refine a structure with a triangle-updated pair representation."""
from __future__ import annotations

import click

from attnbio.commands.common import (command_line, log, make_progress, outdir_option, runtime_options,
                                     setup_runtime)


@click.command("refine")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("--reference", type=click.Path(dir_okay=False), default=None,
              help="Known structure of the same protein: adds lDDT-Ca, RMSD and TM-score to metrics.tsv.")
@click.option("--chain", "chain", multiple=True,
              help="Only this chain ID; repeat for several: --chain A --chain B (default: all chains).")
@click.option("--chains", "chains_csv", default=None, hidden=True,
              help="Deprecated: comma-separated chain IDs; use --chain A --chain B.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
              help="Refiner weights (.safetensors with its .json card; default: the bundled model).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None,
              help="Rows per block in the triangle layers (default: automatic; lower uses less memory).")
@click.option("--iterations", type=click.IntRange(min=2), default=200, show_default=True,
              help="L-BFGS iterations of the coordinate embedding.")
@outdir_option
@runtime_options
def command(input_path, reference, chain, chains_csv, model_path, chunk_size, iterations, outdir, threads,
            seed, device):
    """Refine INPUT (PDB or mmCIF, optionally gzipped; - for stdin); write refined.pdb, metrics.tsv, pair.h5.

    The C-alpha trace is turned into a pair representation, refined by triangle updates into a
    distogram, and rebuilt into coordinates; other backbone atoms follow by local superposition.
    """
    from attnbio.io.outdir import staged_outdir
    from attnbio.structure import outputs
    from attnbio.structure.pipeline import RefineRequest, run

    chain_ids = list(chain)
    if chains_csv is not None:
        log.warning("--chains is deprecated: use --chain %s", " --chain ".join(
            c.strip() for c in chains_csv.split(",") if c.strip()) or "ID")
        chain_ids += [c.strip() for c in chains_csv.split(",") if c.strip()]
    dev = setup_runtime(threads, seed, device)
    request = RefineRequest(input=input_path, reference=reference, chains=chain_ids or None,
                            model=model_path, chunk_size=chunk_size, iterations=iterations, seed=seed,
                            device=str(dev), command=command_line())
    with make_progress() as progress:
        result = run(request, progress=progress)
    log.info("refined %d residues in %d chain(s) of %s", result.n_residues, len(result.chains), input_path)
    # do no harm: say in one line whether the input was kept, blended or refined
    (log.info if result.mode == "refined" else log.warning)("%s", result.reason)
    with staged_outdir(outdir) as tmp:
        outputs.write(result, tmp)
    for row in result.metrics:
        log.info("%-24s input %-10s refined %s", row["metric"], _fmt(row["input"]), _fmt(row["refined"]))
    log.info("wrote %s/refined.pdb, metrics.tsv, pair.h5", outdir)


def _fmt(v):
    return "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
