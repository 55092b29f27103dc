"""Write the motif outputs named in design.md: MEME (+ JASPAR, HOMER, logos), TSV tables and the versioned HDF5 file."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from attnbio.io.motif_formats import Motif, consensus, write_homer, write_jaspar, write_meme
from attnbio.io.results import results_file, write_array, write_group
from attnbio.io.tables import format_value, write_tsv

MOTIF_COLUMNS = ["motif_id", "consensus", "width", "n_sites", "heads", "log2_enrichment", "p_value",
                 "q_value", "match_id", "match_name", "match_q"]
SITE_COLUMNS = ["seq_id", "start", "end", "strand", "motif_id", "score", "attention"]
INTERACTION_COLUMNS = ["motif_a", "motif_b", "distance", "orientation", "head", "n_obs", "n_background",
                       "p_value", "q_value", "effect", "effect_p"]
# After the contract's columns: SD (bp) of the linked distances around the mode; whether the
# interventional check confirmed the pair ("attention+effect"), did not ("attention_only"),
# confirmed it on too few positives ("low_support"), or the pair repeats the site pairs of a
# stronger call ("shadow", named in shadow_of as A:B:distance).
INTERACTION_EXTRA = ["distance_spread", "status", "shadow_of"]
# After the contract's motif columns: the next best database matches, "NAME ID q=Q; ...".
MOTIF_EXTRA = ["match_alternatives"]
MATCH_Q = 0.05      # match_id / match_name are filled only at Tomtom q below this
FORMAT, FORMAT_VERSION = "attnbio.motifs", "1.0"


def write_motif_files(outdir, motifs, seq_ids: list[str], offsets, background, interactions=(),
                      site_pvalue: float = 1e-4) -> None:
    """motifs.meme, motifs.tsv, sites.tsv, interactions.tsv (+ write_motif_exports) from discovered motifs.

    `offsets` maps encoded positions back to the input sequences (non-zero where cropped).
    Matches (match_id ...) come from m.meta when annotation ran; empty otherwise.
    """
    outdir = Path(outdir)
    write_meme(outdir / "motifs.meme", _plain(motifs), background)
    write_tsv(outdir / "motifs.tsv", MOTIF_COLUMNS + MOTIF_EXTRA, [_motif_row(m) for m in motifs])
    write_tsv(outdir / "sites.tsv", SITE_COLUMNS, _site_rows(motifs, seq_ids, offsets))
    write_tsv(outdir / "interactions.tsv", INTERACTION_COLUMNS + INTERACTION_EXTRA, list(interactions))
    write_motif_exports(outdir, motifs, site_pvalue)


def _plain(motifs) -> list[Motif]:
    """Discovered motifs as file-format motifs: alt name = consensus, nsites = number of sites."""
    return [Motif(m.id, consensus(m.probs), m.probs, len(m.sites)) for m in motifs]


_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def write_motif_exports(outdir, motifs, site_pvalue: float = 1e-4) -> None:
    """motifs.jaspar, motifs.homer and logos/<motif_id>.png/.svg: the motifs for other tools.

    The HOMER threshold is the score at which sites.tsv calls a site (PWM p < site_pvalue,
    exact score distribution, uniform background) converted to natural log, HOMER's unit.
    """
    from attnbio.motifs import pwm as P
    from attnbio.motifs.logo import logo_png_svg

    for m in motifs:
        if not _SAFE_ID.fullmatch(m.id):          # IDs become file names; refuse before writing any
            raise ValueError(f"motif ID {m.id!r} is not safe as a file name")
    outdir = Path(outdir)
    plain = _plain(motifs)
    write_jaspar(outdir / "motifs.jaspar", plain)
    write_homer(outdir / "motifs.homer", plain,
                [np.log(2) * P.score_threshold(P.log_odds(m.probs), site_pvalue) for m in motifs])
    logos = outdir / "logos"
    logos.mkdir(exist_ok=True)
    for m in motifs:
        match = getattr(m, "match", None) or {}
        name = match.get("name") if match.get("q") is not None and match["q"] < MATCH_Q else None
        png, svg = logo_png_svg(m.probs, f"{m.id} {consensus(m.probs)}" + (f" ({name})" if name else ""))
        (logos / f"{m.id}.png").write_bytes(png)
        (logos / f"{m.id}.svg").write_bytes(svg)


def _motif_row(m) -> dict:
    meta = getattr(m, "match", None) or {}
    named = meta.get("q") is not None and meta["q"] < MATCH_Q
    alternatives = "; ".join(f"{a['name']} {a['id']} q={a['q']:.3g}" for a in meta.get("alternatives", ()))
    return {"motif_id": m.id, "consensus": consensus(m.probs), "width": m.probs.shape[0],
            "n_sites": len(m.sites), "heads": ",".join(m.heads), "log2_enrichment": m.log2_enrichment,
            "p_value": m.p_value, "q_value": m.q_value, "match_id": meta.get("id") if named else None,
            "match_name": meta.get("name") if named else None, "match_q": meta.get("q"),
            "match_alternatives": alternatives or None}


def write_all_motifs_tsv(path, motifs) -> None:
    """motifs_all.tsv: every tested motif (also those at enrichment q >= 0.05), motifs.tsv's columns."""
    write_tsv(Path(path), MOTIF_COLUMNS + MOTIF_EXTRA, [_motif_row(m) for m in motifs])


def _site_rows(motifs, seq_ids, offsets):
    rows = []
    for m in motifs:
        for s in m.sites:
            o = int(offsets[s.seq])
            rows.append((seq_ids[s.seq], s.start + o, s.end + o, s.strand, m.id, round(s.score, 3),
                         round(s.attention, 5)))
    rows.sort(key=lambda r: (r[0], r[1], r[4]))
    return rows


def write_results_h5(path, motifs, discovery, seq_ids, offsets, meta: dict, interactions=()) -> None:
    """results.h5: PWMs, per-head attention summaries, sites, interactions, provenance."""
    with results_file(path, FORMAT, FORMAT_VERSION, meta.get("seed"), meta.get("inputs"),
                      meta.get("model_sha256"), meta.get("created"), meta.get("command", "")) as h5:
        h5.attrs["training_metrics"] = str(meta.get("metrics", {}))
        g = write_group(h5, "motifs", "Discovered motifs; one subgroup per motif, probs is (width, 4) over ACGT")
        for m in motifs:
            mg = write_group(g, m.id, f"motif {m.id} ({consensus(m.probs)})")
            write_array(mg, "probs", m.probs, "position probability matrix (width, 4), columns A C G T")
            for k in ("log2_enrichment", "p_value", "q_value"):
                mg.attrs[k] = float(getattr(m, k))
            mg.attrs["heads"] = ",".join(m.heads)
            mg.attrs["n_sites"] = len(m.sites)
        _write_heads(h5, discovery)
        _write_sites(h5, motifs, seq_ids, offsets)
        ig = write_group(h5, "interactions", "Cooperative motif pairs (rows of interactions.tsv)")
        cols = INTERACTION_COLUMNS + INTERACTION_EXTRA
        ig.attrs["columns"] = ",".join(cols)
        rows = [[format_value(r.get(c)) for c in cols] for r in interactions]
        write_array(ig, "rows", np.array(rows, dtype="S") if rows else np.zeros((0, len(cols)), "S1"),
                    "interaction rows as text, columns in the 'columns' attribute")


def _write_heads(h5, discovery) -> None:
    g = write_group(h5, "heads", "Per-head attention summaries over the positive sequences")
    g.attrs["names"] = ",".join(discovery.head_names)
    g.attrs["token_bp"] = discovery.pool
    write_array(g, "focus", discovery.head_focus,
                "mean over sequences of (peak incoming attention / uniform attention), per head")
    write_array(g, "incoming_attention", discovery.head_profiles.astype(np.float16),
                "incoming attention per token (sequence, head, token), mean over queries; token = token_bp bases")


def _write_sites(h5, motifs, seq_ids, offsets) -> None:
    rows = _site_rows(motifs, seq_ids, offsets)
    g = write_group(h5, "sites", "Motif sites in the positive sequences (as sites.tsv)")
    write_array(g, "seq_id", np.array([r[0] for r in rows], dtype="S"), "sequence ID")
    write_array(g, "start", np.array([r[1] for r in rows], dtype=np.int64), "0-based start")
    write_array(g, "end", np.array([r[2] for r in rows], dtype=np.int64), "end (exclusive)")
    write_array(g, "strand", np.array([r[3] for r in rows], dtype="S1"), "strand + or -")
    write_array(g, "motif_id", np.array([r[4] for r in rows], dtype="S"), "motif ID")
    write_array(g, "score", np.array([r[5] for r in rows], dtype=np.float32), "PWM log2-odds score")
    write_array(g, "attention", np.array([r[6] for r in rows], dtype=np.float32),
                "incoming attention at the site in the motif's heads")
