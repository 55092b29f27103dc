"""report.html: one self-contained page (inline PNG images, inline CSS, no network) per run.

Sections: run summary (inputs, model, held-out AUROC, versions), one card per motif of
motifs.tsv (logo, JASPAR match, site-position histogram), one card per pair of
interactions.tsv (distance histogram against the background, heads, interventional effect).
"""
from __future__ import annotations

import base64
import html
import math

import numpy as np

from attnbio.io.motif_formats import consensus
from attnbio.motifs.logo import bars_png, logo_png

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
th{background:#f3f3f3}.card{display:inline-block;vertical-align:top;border:1px solid #ddd;border-radius:4px;
padding:.5em;margin:.3em;width:470px}.card h3{font-size:1em;margin:.1em 0 .3em}.muted{color:#777}
.ok{color:#176d2c;font-weight:600}.no{color:#a33;font-weight:600}img{max-width:100%}
"""

# After the page and its images load, record whether every image decoded (read by the test).
CHECK_SCRIPT = """
window.addEventListener('load', function () {
  var bad = 0, imgs = document.images;
  for (var i = 0; i < imgs.length; i++) { if (!imgs[i].complete || imgs[i].naturalWidth === 0) bad++; }
  document.body.setAttribute('data-images', imgs.length + ' loaded, ' + bad + ' broken');
});
"""


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _fmt(v, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return html.escape(str(v))


def _table(columns: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _motif_card(m, seq_length: int) -> str:
    match = getattr(m, "match", None) or {}
    name = f"{m.id} ({consensus(m.probs)})"
    centres = np.array([(s.start + s.end) / 2 for s in m.sites]) if m.sites else np.zeros(0)
    bins = np.arange(0, max(seq_length, 1) + 10, 10)
    counts, _ = np.histogram(centres, bins=bins)
    hist = bars_png(bins[:-1] + 5, [("sites", counts, "#4c72b0")], "site centre (bp from sequence start)", width=9.0)
    if match.get("id"):
        q = match.get("q")
        good = q is not None and q < 0.05
        if good:
            label = (f'JASPAR match: <b>{html.escape(str(match["name"]))}</b> ({html.escape(str(match["id"]))}), '
                     f'<span class="ok">q = {_fmt(q)}</span>')
        else:   # no name below q 0.05: the closest profile is shown as a hint, not as a name
            label = (f'<span class="no">no database match at q &lt; 0.05</span> (closest: '
                     f'{html.escape(str(match["name"]))}, q = {_fmt(q)})')
        alts = match.get("alternatives") or []
        if alts:
            label += ('<div class="muted">next: ' + ", ".join(
                f'{html.escape(str(a["name"]))} (q = {_fmt(a["q"])})' for a in alts) + "</div>")
    else:
        label = '<span class="muted">no database match</span>'
    return (f'<div class="card" id="{html.escape(m.id)}"><h3>{html.escape(name)}</h3>'
            f'{_img(logo_png(m.probs), "logo of " + m.id)}<div>{label}</div>'
            f'<div>{len(m.sites)} sites in {m.n_pos} positives vs {m.n_neg} negatives; '
            f'log2 enrichment {_fmt(m.log2_enrichment)}, q = {_fmt(m.q_value)}{_conditional(m)}; '
            f'heads {html.escape(",".join(m.heads))}</div>'
            f'{_img(hist, "site positions of " + m.id)}</div>')


def _conditional(m) -> str:
    """', q on its own sites = Q' and, for a motif that has none of its own, whose sites explain it."""
    q = getattr(m, "q_conditional", float("nan"))
    if q != q:
        return ""
    by = getattr(m, "explained_by", "")
    return f", q on its own sites = {_fmt(q)}" + (f" (explained by {html.escape(by)})" if by else "")


def _name(m) -> str | None:
    """The motif's database name where its Tomtom q < 0.05, else None (an empty cell)."""
    match = getattr(m, "match", None) or {}
    return match.get("name") if match.get("q") is not None and match["q"] < 0.05 else None


def _pair_card(c, motifs, pairs=()) -> str:
    a, b = motifs[c.a], motifs[c.b]
    title = f"{a.id} &rarr; {b.id} at {c.distance} bp ({c.orientation})"
    x = np.arange(len(c.hist_obs))
    hist = bars_png(x, [("positives (linked by attention)", c.hist_obs, "#dd8452"),
                        ("background (per copy)", c.hist_bg, "#333333")],
                    "centre-to-centre distance, B minus A (bp)", mark=c.distance)
    cls = "ok" if c.status == "attention+effect" else "no"
    names = []
    for m in (a, b):
        match = getattr(m, "match", None) or {}
        named = match.get("name") and match.get("q") is not None and match["q"] < 0.05
        names.append(f"{m.id} = {match['name']} (q = {_fmt(match['q'])})" if named else f"{m.id} (unnamed)")
    return (f'<div class="card" id="pair-{html.escape(a.id)}-{html.escape(b.id)}-{c.distance}"><h3>{title}</h3>'
            f'<div class="muted">{html.escape("; ".join(names))}</div>'
            f'<div>heads {html.escape(",".join(c.heads))}; {c.n_obs} linked pairs at the distance vs '
            f'{_fmt(c.n_background)} expected; q = {_fmt(c.q_value)}; spread {_fmt(c.spread)} bp</div>'
            + (f'<div>interventional effect {_fmt(c.effect)} logit (at random distances {_fmt(c.effect_random)}), '
               f'p = {_fmt(c.effect_p)}: <span class="{cls}">{html.escape(c.status)}</span>{_shadow_note(c, pairs, motifs)}</div>'
               if c.status else
               '<div class="muted">interventional check not run</div>') +
            f'{_img(hist, "distance histogram " + a.id + " " + b.id)}</div>')


def _shadow_note(c, pairs, motifs) -> str:
    """' (the site pairs of A -> B at d)' for a shadow call."""
    if getattr(c, "shadow_of", None) is None or c.shadow_of >= len(pairs):
        return ""
    s = pairs[c.shadow_of]
    return html.escape(f" (repeats the site pairs of {motifs[s.a].id} -> {motifs[s.b].id} at {s.distance} bp)")


def _known_section(known: dict | None) -> str:
    """Known-motif enrichment (known_motifs.tsv, ChIP-seq route): the best rows, HOMER's first table."""
    from attnbio.motifs.known import SIMILAR_PVALUE

    if not known:
        return ""
    rows = [[r["rank"], r["motif_id"], r["name"], r["consensus"], r["p_value"], r["q_value"],
             f'{r["pct_targets"]:.1f}%', f'{r["pct_background"]:.1f}%',
             ", ".join(m.split()[1] for m in (r.get("similar") or "").split("; ") if m)] for r in known["rows"]]
    return (f"<h2>Known motifs ({known['n_profiles']} profiles; best {len(rows)} by p)</h2>"
            f'<p class="muted">Targets ({known["n_targets"]}) and background ({known["n_background"]}) with a '
            f'site at PWM p &lt; {_fmt(known["site_pvalue"])}; one-sided Fisher test, BH q; all rows in '
            f'known_motifs.tsv; near-identical profiles (Tomtom p &lt; {_fmt(SIMILAR_PVALUE)}) share a row, the others under similar.</p>'
            + _table(["rank", "motif", "name", "consensus", "p", "q", "% targets", "% background", "similar"], rows))


def render_report(summary: dict, motifs, pairs, seq_length: int) -> str:
    """The page as a string. summary: title, inputs {path: sha256}, model, metrics, versions, settings."""
    parts = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(summary.get('title', 'attnbio motifs report'))}</title>",
             f"<style>{CSS}</style></head><body>",
             f"<h1>{html.escape(summary.get('title', 'attnbio motifs report'))}</h1>", "<h2>Run summary</h2>"]
    rows = [["command", summary.get("command", "")]]
    rows += [[f"input: {k}", f"sha256 {v}" if v else ""] for k, v in summary.get("inputs", {}).items()]
    rows += [[k, v] for k, v in summary.get("settings", {}).items()]
    rows += [[f"model {k}", v] for k, v in summary.get("metrics", {}).items()
             if k in ("test_auroc", "val_auroc", "epochs_run", "n_train")]
    rows += [["model sha256", summary.get("model_sha256", "")]]
    rows += [[f"version: {k}", v] for k, v in summary.get("versions", {}).items()]
    parts.append(_table(["item", "value"], rows))
    parts.append(_known_section(summary.get("known_motifs")))
    parts.append(f"<h2>Motifs ({len(motifs)})</h2>")
    parts.append(_table(["motif", "consensus", "sites", "log2 enrichment", "q", "match", "match q"],
                        [[m.id, consensus(m.probs), len(m.sites), m.log2_enrichment, m.q_value,
                          _name(m), (getattr(m, "match", None) or {}).get("q")]
                         for m in motifs]))
    parts += [_motif_card(m, seq_length) for m in motifs]
    confirmed = sum(c.status == "attention+effect" for c in pairs)
    parts.append(f"<h2>Motif pairs ({len(pairs)}; {confirmed} with an interventional effect)</h2>")
    if pairs:
        parts.append(_table(["motif A", "motif B", "distance", "orientation", "heads", "n obs", "n background",
                             "q", "effect", "effect p", "status"],
                            [[motifs[c.a].id, motifs[c.b].id, c.distance, c.orientation, ",".join(c.heads),
                              c.n_obs, c.n_background, c.q_value, c.effect, c.effect_p, c.status] for c in pairs]))
        parts += [_pair_card(c, motifs, pairs) for c in pairs]
    else:
        parts.append('<p class="muted">No motif pair is linked by attention at an over-represented spacing '
                     '(q &lt; 0.05).</p>')
    parts.append(f'<p class="muted">{html.escape(summary.get("footer", ""))}</p>')
    parts.append(f"<script>{CHECK_SCRIPT}</script></body></html>\n")
    return "".join(parts)


def write_report(path, summary: dict, motifs, pairs, seq_length: int) -> None:
    """Write report.html via a temporary name."""
    from attnbio.io.outdir import atomic_file

    with atomic_file(path) as tmp:
        tmp.write_text(render_report(summary, motifs, pairs, seq_length), encoding="utf-8")
