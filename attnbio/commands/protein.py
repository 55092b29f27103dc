"""`attnbio protein`: physicochemical lenses of attention heads and predicted contacts."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from attnbio.commands.common import outdir_option, runtime_options, setup_runtime

log = logging.getLogger("attnbio")

BUNDLED = Path(__file__).resolve().parents[1] / "weights" / "protein.safetensors"
FORMAT_VERSION = "1"
MAX_HEATMAPS = 20


@click.command("protein", help="""Protein attention heads: physicochemical lenses and predicted contacts.

INPUT files are protein FASTA or PDB/mmCIF structures (plain or .gz). OUTDIR gets heads.tsv
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
    from attnbio.io.weights import fit_state_dict, load_weights, sha256_file
    from attnbio.protein.analyze import analyze
    from attnbio.limits import check_proteins
    from attnbio.protein.inputs import read_proteins
    from attnbio.protein.model import build_model

    dev = setup_runtime(threads, seed, device)
    t0 = time.perf_counter()
    proteins = read_proteins(inputs, chains=list(chains) or None, model=nmr_model)
    check_proteins(proteins)         # sizes: refuse at once rather than run out of memory
    log.info("read %d protein(s) from %d file(s)", len(proteins), len(inputs))
    path = Path(model_path) if model_path else BUNDLED
    tensors, card = load_weights(path, expect_kind="attnbio.protein")   # card checked against its schema
    model = fit_state_dict(lambda: build_model(card), tensors, str(path))
    model.to(dev)
    results, head_rows = analyze(model, proteins, attention_threshold, q_cutoff, seed, dev)
    lenses = sorted({r["lens"] for r in head_rows if r["lens"]})
    log.info("%d of %d heads have a lens (%s)", sum(bool(r["lens"]) for r in head_rows),
             len(head_rows), ", ".join(lenses) or "none")
    _contact_notes(results)
    with staged_outdir(outdir) as tmp:
        _write_heads(tmp / "heads.tsv", head_rows, (card.get("lens_replication") or {}).get("rows"))
        _write_contacts(tmp / "contacts.tsv", results, top_contacts)
        _write_metrics(tmp / "metrics.tsv", results)
        _write_h5(tmp / "results.h5", results, head_rows, seed, inputs, sha256_file(path),
                  attention_threshold)
        if heatmaps:
            _write_heatmaps(tmp / "heatmaps", results[:MAX_HEATMAPS], head_rows)
    log.info("wrote %s in %.1f s", outdir, time.perf_counter() - t0)


def _feature_names(head_rows):
    return [k[:-5] for k in head_rows[0] if k.endswith("_prop")] if head_rows else []


def _contact_notes(results):
    """One line per protein whose contacts need a caveat: too short for long-range pairs, or
    an attention term the ensemble members disagree on (contacts then follow the prior)."""
    from attnbio.protein.model import FULL_AGREEMENT

    for r in results:
        n = len(r.protein.sequence)
        if n <= 24:
            log.info("%s: %d residues, too short for long-range contacts (|i-j| >= 24): long-range "
                     "precision is not defined for it", r.protein.id, n)
        elif r.attention_weight < 0.5:
            log.warning("%s: attention adds little over the sequence prior (members agree at r = %.2f, "
                        "full weight from %.2f): contacts ranked mostly by the prior (Kyte-Doolittle, "
                        "hydropathy profile, separation); see attention_weight in metrics.tsv",
                        r.protein.id, r.agreement, FULL_AGREEMENT)


def _write_heads(path, rows, replication=None):
    """heads.tsv; with the card's lens_replication rows also each head's lens on the model's
    training chains and whether it held on the held-out families (other families)."""
    from attnbio.io.tables import write_tsv

    names = _feature_names(rows)
    cols = ["layer", "head", "lens", "lens_enrichment", "n_pairs"]
    if replication is not None:
        by_head = {(x["layer"], x["head"]): x for x in replication}
        rows = [dict(r, training_lens=by_head.get((r["layer"], r["head"]), {}).get("lens", ""),
                     heldout_q=by_head.get((r["layer"], r["head"]), {}).get("heldout_q"),
                     replicates_out_of_family={True: "yes", False: "no"}.get(
                         by_head.get((r["layer"], r["head"]), {}).get("replicates"), ""))
                for r in rows]
        cols += ["training_lens", "heldout_q", "replicates_out_of_family"]
    for f in names:
        cols += [f"{f}_prop", f"{f}_bg", f"{f}_z", f"{f}_q"]
    write_tsv(path, cols, rows)


def _write_contacts(path, results, top_factor):
    import numpy as np

    from attnbio.io.tables import write_tsv
    from attnbio.protein.analyze import top_contacts

    cols = ["protein_id", "i", "j", "prob", "res_i", "res_j", "num_i", "num_j", "separation",
            "cb_distance"]

    def rows():
        for r in results:
            p = r.protein
            n = len(p.sequence)
            i, j = top_contacts(r.prob, top=int(round(top_factor * n)))
            for a, b in zip(i.tolist(), j.tolist()):
                d = None
                if p.cb is not None:
                    d = float(np.linalg.norm(p.cb[a] - p.cb[b]))
                yield [p.id, a, b, round(float(r.prob[a, b]), 5), p.residue_names[a],
                       p.residue_names[b], p.residue_numbers[a], p.residue_numbers[b], b - a,
                       None if d is None else round(d, 2)]

    write_tsv(path, cols, rows())


def _write_metrics(path, results):
    import warnings

    import numpy as np

    from attnbio.io.tables import write_tsv
    from attnbio.protein.analyze import SEPARATIONS, TOP_FRACTIONS

    keys = [f"{r}_P@{t}" for r in SEPARATIONS for t in TOP_FRACTIONS]
    cols = (["protein_id", "length", "source"] + keys + [f"kd_{k}" for k in keys]
            + ["attention_agreement", "attention_weight"])
    rows = []
    for r in results:
        row = {"protein_id": r.protein.id, "length": len(r.protein.sequence),
               "source": r.protein.source}
        row.update(r.precision)
        # Confidence in the attention term: members' agreement and the weight it got (0: the
        # contacts are the sequence prior's).
        row.update(attention_agreement=r.agreement, attention_weight=r.attention_weight)
        row.update({f"kd_{k}": v for k, v in r.kd_precision.items()})
        rows.append(row)
    scored = [r for r in results if r.precision]
    if len(scored) > 1:
        mean = {"protein_id": "mean", "length": round(float(np.mean(
            [len(r.protein.sequence) for r in scored])), 1), "source": f"{len(scored)} structures"}
        with warnings.catch_warnings():  # a range no protein has (tiny chains) stays empty
            warnings.simplefilter("ignore", RuntimeWarning)
            for k in keys:
                mean[k] = float(np.nanmean([r.precision[k] for r in scored]))
                mean[f"kd_{k}"] = float(np.nanmean([r.kd_precision[k] for r in scored]))
        rows.append(mean)
    write_tsv(path, cols, rows)


def _write_h5(path, results, head_rows, seed, inputs, model_sha, threshold):
    import h5py
    import numpy as np

    from attnbio.io.results import results_file, write_array, write_group
    from attnbio.io.source import input_digest

    digests = {str(p): input_digest(p) for p in inputs}   # as read: '-' and pipes too
    with results_file(path, "attnbio.protein", FORMAT_VERSION, seed, digests, model_sha) as h5:
        heads = write_group(h5, "heads", "Per-head lens statistics (same content as heads.tsv)")
        heads.attrs["attention_threshold"] = threshold
        names = _feature_names(head_rows)
        write_array(heads, "layer", [r["layer"] for r in head_rows], "1-based layer", "i4")
        write_array(heads, "head", [r["head"] for r in head_rows], "1-based head", "i4")
        heads.create_dataset("lens", data=np.array([r["lens"] for r in head_rows], dtype="S"))
        heads["lens"].attrs["description"] = "dominant physicochemical lens ('' if none)"
        heads.attrs["features"] = ",".join(names)
        for f in names:
            for stat in ("prop", "bg", "z", "q"):
                write_array(heads, f"{f}_{stat}", [r[f"{f}_{stat}"] for r in head_rows],
                            f"{f}: {stat} per head", "f8")
        # Groups are named by input order (0, 1, ...), never by the ID: IDs from data may be
        # '.', 300 characters long, or differ only by '/' vs '_'. The ID is an attribute and `ids`.
        prot = write_group(h5, "proteins", "One group per protein, named by its 0-based input order "
                                           "(attribute id; dataset ids lists the IDs in that order)")
        prot.create_dataset("ids", data=np.array([r.protein.id for r in results], dtype=object),
                            dtype=h5py.string_dtype("utf-8"))
        prot["ids"].attrs["description"] = "protein ID of group k at position k"
        for k, r in enumerate(results):
            p = r.protein
            g = write_group(prot, str(k), f"{p.id} from {p.source}")
            g.attrs["id"] = p.id
            g.attrs["sequence"] = p.sequence
            g.attrs["source"] = p.source
            write_array(g, "attention", r.attention, "attention weights (layer, head, query, key)",
                        "f2")
            write_array(g, "contact_prob", r.prob, "predicted contact probability (L, L)", "f4")
            write_array(g, "ss_prob", r.ss_prob, "secondary-structure probability (L, 3): H E -",
                        "f4")
            if p.cb is not None:
                write_array(g, "cb", p.cb, "CB coordinates in A (virtual for Gly), NaN if missing",
                            "f4")


def _write_heatmaps(folder, results, head_rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from attnbio.protein.scales import contact_map

    from attnbio.io.tables import write_tsv

    folder.mkdir()
    # Files are named by input order, never by the ID (see _write_h5); index.tsv maps them.
    write_tsv(folder / "index.tsv", ["index", "protein_id", "contacts_png", "heads_png"],
              [[k, r.protein.id, f"{k}.png", f"{k}_heads.png"] for k, r in enumerate(results)])
    for k, r in enumerate(results):
        p = r.protein
        layers, heads = r.attention.shape[:2]
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
        shown = np.triu(r.prob, 1)
        title = "predicted (upper)"
        if p.cb is not None:
            shown = shown + np.tril(contact_map(p.cb).astype(float), -1)
            title += " vs CB-CB < 8 A (lower)"
        axes[0].imshow(shown, cmap="Greys", vmin=0, vmax=1)
        axes[0].set_title(f"{p.id[:60]}: contacts, {title}", fontsize=8)
        lens_heads = [(h["layer"], h["head"], h["lens"]) for h in head_rows if h["lens"]] or \
                     [(1, 1, "")]
        lay, hd, lens = lens_heads[0]
        axes[1].imshow(r.attention[lay - 1, hd - 1], cmap="viridis")
        axes[1].set_title(f"attention layer {lay} head {hd} {('(' + lens + ')') if lens else ''}",
                          fontsize=8)
        for ax in axes:
            ax.set_xlabel("residue j")
            ax.set_ylabel("residue i")
        fig.tight_layout()
        fig.savefig(folder / f"{k}.png", dpi=80)
        plt.close(fig)
        # All heads on one grid, for a look at each lens.
        fig, axes = plt.subplots(layers, heads, figsize=(1.6 * heads, 1.7 * layers), squeeze=False)
        lens_of = {(h["layer"], h["head"]): h["lens"] for h in head_rows}
        for a in range(layers):
            for b in range(heads):
                ax = axes[a][b]
                ax.imshow(r.attention[a, b], cmap="viridis")
                ax.set_title(f"L{a + 1}H{b + 1} {lens_of.get((a + 1, b + 1), '')}", fontsize=6)
                ax.axis("off")
        fig.tight_layout()
        fig.savefig(folder / f"{k}_heads.png", dpi=70)
        plt.close(fig)
