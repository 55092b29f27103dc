"""The output folder of `attnbio protein`: heads.tsv, contacts.tsv, metrics.tsv, results.h5 and
heatmaps/ (PNG), written from a ProteinResult (attnbio.protein.pipeline)."""
from __future__ import annotations

from pathlib import Path

from attnbio.protein.pipeline import FORMAT_VERSION

MAX_HEATMAPS = 20


def write(result, outdir) -> None:
    """Write every file of `result` into `outdir` (an existing, empty folder: the command's
    attnbio.io.outdir.staged_outdir). Heatmaps for the first MAX_HEATMAPS proteins when
    result.request.heatmaps."""
    from attnbio.io.tables import write_tsv

    outdir = Path(outdir)
    write_tsv(outdir / "heads.tsv", *result.head_table())
    write_tsv(outdir / "contacts.tsv", *result.contact_table())
    write_tsv(outdir / "metrics.tsv", *result.metric_table())
    write_h5(outdir / "results.h5", result)
    if result.request.heatmaps:
        write_heatmaps(outdir / "heatmaps", result.proteins[:MAX_HEATMAPS], result.heads)


def write_h5(path, result) -> None:
    """results.h5: per-head lens statistics and, per protein, attention maps (float16), contact
    and secondary-structure probabilities and CB coordinates."""
    import h5py
    import numpy as np

    from attnbio.io.results import results_file, write_array, write_group

    req, head_rows = result.request, result.heads
    with results_file(path, "attnbio.protein", FORMAT_VERSION, req.seed, result.input_sha256,
                      result.model_sha256, command=req.command) as h5:
        heads = write_group(h5, "heads", "Per-head lens statistics (same content as heads.tsv)")
        heads.attrs["attention_threshold"] = req.attention_threshold
        names = result.feature_names()
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
        prot.create_dataset("ids", data=np.array([r.protein.id for r in result.proteins], dtype=object),
                            dtype=h5py.string_dtype("utf-8"))
        prot["ids"].attrs["description"] = "protein ID of group k at position k"
        for k, r in enumerate(result.proteins):
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


def write_heatmaps(folder, predictions, head_rows) -> None:
    """heatmaps/<k>.png (contacts predicted vs CB-CB < 8 A, and the first lens head's attention),
    <k>_heads.png (every head) for the k-th protein, and index.tsv mapping k to the ID."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from attnbio.io.tables import write_tsv
    from attnbio.protein.scales import contact_map

    folder = Path(folder)
    folder.mkdir()
    # Files are named by input order, never by the ID (see write_h5); index.tsv maps them.
    write_tsv(folder / "index.tsv", ["index", "protein_id", "contacts_png", "heads_png"],
              [[k, r.protein.id, f"{k}.png", f"{k}_heads.png"] for k, r in enumerate(predictions)])
    for k, r in enumerate(predictions):
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
