"""Write the motif outputs (README.md, `attnbio motifs` > Outputs): MEME (+ JASPAR, HOMER, logos), TSV tables and the versioned HDF5 file."""
from __future__ import annotations

import json
import math
import re
import shutil
import sys
from pathlib import Path

import numpy as np

from attnbio.io.motif_formats import Motif, consensus, write_homer, write_jaspar, write_meme
from attnbio.io.results import results_file, write_array, write_group
from attnbio.io.tables import write_tsv

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
# After the contract's motif columns: the next best database matches, "NAME ID q=Q; ..."; the BH q
# of the enrichment on the sites more significant motifs leave (discover.conditional_enrichment),
# and the motif whose sites explain this one's when that q is not below 0.05.
MOTIF_EXTRA = ["match_alternatives", "q_conditional", "explained_by"]
MATCH_Q = 0.05      # match_id / match_name are filled only at Tomtom q below this
# 2.0: /interactions is a typed compound table (was a byte-string matrix) and the root
# attribute training_metrics is JSON (was a Python repr).
FORMAT, FORMAT_VERSION = "attnbio.motifs", "2.0"
# Column types of /interactions: text as UTF-8, counts as int64, statistics and n_background (expected
# count per background copy) as float64 (NaN = missing).
INTERACTION_TYPES = {"motif_a": "text", "motif_b": "text", "distance": "int", "orientation": "text",
                     "head": "text", "n_obs": "int", "n_background": "float", "p_value": "float",
                     "q_value": "float", "effect": "float", "effect_p": "float", "distance_spread": "float",
                     "status": "text", "shadow_of": "text"}


def write_outputs(run, outdir, log=lambda msg: None) -> None:
    """Every file of `attnbio motifs` for a pipeline.MotifsRun, into `outdir` (a staging folder).

    model.safetensors + model.json, timings.json (trained here), motifs.meme/.tsv, sites.tsv,
    interactions.tsv and the exports, motifs_all.tsv, the BED route's files, results.h5, report.html.
    """
    from attnbio.motifs.report import write_report

    outdir = Path(outdir)
    req = run.request
    _write_model(run, outdir / "model.safetensors")
    if run.timings is not None:
        (outdir / "timings.json").write_text(json.dumps(run.timings) + "\n")
    write_motif_files(outdir, run.motifs, run.seq_ids, run.offsets, run.background, run.interactions,
                      site_pvalue=req.discover.site_pvalue)
    write_all_motifs_tsv(outdir / "motifs_all.tsv", run.all_motifs)
    known = None
    if run.chip is not None:           # genome coordinates, background.bed, known_motifs.tsv, n_peaks
        from attnbio.motifs.chip import write_chip_outputs

        known = write_chip_outputs(outdir, run.chip, run.motifs, run.motif_db, run.pos_seqs, run.neg_seqs, req, log)
    meta = {"seed": req.seed, "inputs": run.inputs, "model_sha256": run.model_sha256, "metrics": run.metrics,
            "command": req.command}
    write_results_h5(outdir / "results.h5", run.motifs, run.discovery, run.seq_ids, run.offsets, meta,
                     run.interactions)
    summary = report_summary(req, run.negatives_source, meta)
    if known is not None:
        from attnbio.motifs.chip import report_section

        summary.update(report_section(known))
    length = min(max(len(s) for s in run.pos_seqs), req.max_length)
    write_report(outdir / "report.html", summary, run.motifs, run.pairs.pairs, length)


def _write_model(run, target: Path) -> None:
    """The model used: the given file and its card copied byte for byte, or the trained weights
    and card as io.weights.save_weights writes them."""
    from attnbio.io.outdir import atomic_file
    from attnbio.io.weights import card_path

    if run.model_bytes is None:
        shutil.copyfile(run.model_file, target)
        shutil.copyfile(Path(run.model_file).with_suffix(".json"), target.with_suffix(".json"))
        return
    for path, data in ((target, run.model_bytes),
                       (card_path(target), (json.dumps(run.card, indent=2, sort_keys=True) + "\n").encode())):
        with atomic_file(path) as tmp:
            tmp.write_bytes(data)


def report_summary(req, neg_source: str, meta: dict) -> dict:
    """What the report's run summary shows: inputs, model, metrics, settings, versions."""
    from attnbio.motifs.jaspar import JASPAR_RELEASE

    inputs = dict(meta["inputs"])
    if req.negatives is None:
        inputs[neg_source] = ""
    return {"title": "attnbio motifs report", "command": req.command,
            "inputs": inputs, "model_sha256": meta["model_sha256"], "metrics": meta["metrics"],
            "settings": {"seed": req.seed, "model": req.model or "trained in this run",
                         "motif database": req.motif_db or f"{JASPAR_RELEASE} CORE {req.taxon}",
                         "site p-value": req.discover.site_pvalue,
                         "intervention background sequences": req.intervene.n_background},
            "versions": _versions(),
            "footer": "Pairs: attention-linked site pairs vs dinucleotide-shuffled backgrounds with the sites "
                      "re-implanted at random positions (binomial test, BH q); effect: model logit gain beyond "
                      "additive when A and B are planted at the distance, vs random distances (Wilcoxon)."}


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from attnbio import __version__

    out = {"attnbio": __version__, "python": sys.version.split()[0]}
    for pkg in ("torch", "numpy", "memelite", "pyjaspar", "matplotlib"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


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


def motif_rows(motifs) -> list[dict]:
    """Rows of motifs.tsv (columns MOTIF_COLUMNS + MOTIF_EXTRA), one per motif, in order."""
    return [_motif_row(m) for m in motifs]


def _motif_row(m) -> dict:
    meta = getattr(m, "match", None) or {}
    named = meta.get("q") is not None and meta["q"] < MATCH_Q
    alternatives = "; ".join(f"{a['name']} {a['id']} q={a['q']:.3g}" for a in meta.get("alternatives", ()))
    return {"motif_id": m.id, "consensus": consensus(m.probs), "width": m.probs.shape[0],
            "n_sites": len(m.sites), "heads": ",".join(m.heads), "log2_enrichment": m.log2_enrichment,
            "p_value": m.p_value, "q_value": m.q_value, "match_id": meta.get("id") if named else None,
            "match_name": meta.get("name") if named else None, "match_q": meta.get("q"),
            "match_alternatives": alternatives or None, "q_conditional": getattr(m, "q_conditional", None),
            "explained_by": getattr(m, "explained_by", "") or None}


def write_all_motifs_tsv(path, motifs) -> None:
    """motifs_all.tsv: every tested motif (also those at enrichment q >= 0.05), motifs.tsv's columns."""
    write_tsv(Path(path), MOTIF_COLUMNS + MOTIF_EXTRA, [_motif_row(m) for m in motifs])


def site_rows(motifs, seq_ids, offsets) -> list[tuple]:
    """Rows of sites.tsv (SITE_COLUMNS), sorted by sequence, start and motif; starts in input coordinates."""
    return _site_rows(motifs, seq_ids, offsets)


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
        h5.attrs["training_metrics"] = metrics_json(meta.get("metrics", {}))
        g = write_group(h5, "motifs", "Discovered motifs; one subgroup per motif, probs is (width, 4) over ACGT")
        for m in motifs:
            mg = write_group(g, m.id, f"motif {m.id} ({consensus(m.probs)})")
            write_array(mg, "probs", m.probs, "position probability matrix (width, 4), columns A C G T")
            for k in ("log2_enrichment", "p_value", "q_value", "q_conditional"):
                mg.attrs[k] = float(getattr(m, k, float("nan")))
            mg.attrs["heads"] = ",".join(m.heads)
            mg.attrs["n_sites"] = len(m.sites)
        _write_heads(h5, discovery)
        _write_sites(h5, motifs, seq_ids, offsets)
        _write_interactions(h5, interactions)


def metrics_json(metrics: dict) -> str:
    """Training metrics as a JSON object (keys sorted; NaN and infinities as null, which JSON lacks)."""
    def clean(v):
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if hasattr(v, "item"):          # numpy scalar
            v = v.item()
        return None if isinstance(v, float) and not math.isfinite(v) else v
    return json.dumps(clean(metrics), sort_keys=True)


def interactions_array(interactions) -> np.ndarray:
    """interactions.tsv rows as a structured array (INTERACTION_TYPES): UTF-8 text ('' = missing,
    fixed width = the longest value), int64 counts, float64 statistics (NaN = missing)."""
    import h5py

    cols = INTERACTION_COLUMNS + INTERACTION_EXTRA
    rows = list(interactions)
    fields = []
    for c in cols:
        kind = INTERACTION_TYPES[c]
        if kind == "text":
            width = max([len((r.get(c) or "").encode()) for r in rows] + [1])
            fields.append((c, h5py.string_dtype("utf-8", width)))
        else:
            fields.append((c, np.int64 if kind == "int" else np.float64))
    out = np.zeros(len(rows), dtype=fields)
    for i, r in enumerate(rows):
        for c in cols:
            v = r.get(c)
            kind = INTERACTION_TYPES[c]
            if kind == "text":
                out[c][i] = (v or "").encode()
            elif kind == "int":
                out[c][i] = int(v)
            else:
                out[c][i] = np.nan if v is None else float(v)
    return out


def _write_interactions(h5, interactions) -> None:
    g = write_group(h5, "interactions", "Cooperative motif pairs (rows of interactions.tsv)")
    ds = write_array(g, "table", interactions_array(interactions),
                     "one row per motif pair, the columns of interactions.tsv: text UTF-8 ('' = missing), "
                     "distance and n_obs int64, the rest float64 (NaN = missing)")
    ds.attrs["columns"] = ",".join(INTERACTION_COLUMNS + INTERACTION_EXTRA)


def read_interactions(h5) -> list[dict]:
    """The /interactions table of an open results.h5 (format_version 2.0) as dicts: text as str
    (None when empty), counts as int, statistics as float (NaN when missing)."""
    table = h5["interactions"]["table"][()]
    out = []
    for row in table:
        rec = {}
        for c in table.dtype.names:
            v = row[c]
            if INTERACTION_TYPES.get(c) == "text":
                v = v.decode() or None
            else:
                v = v.item()
            rec[c] = v
        out.append(rec)
    return out


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
