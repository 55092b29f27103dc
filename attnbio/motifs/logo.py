"""Sequence logos and small histograms as PNG bytes (matplotlib, Agg backend, no network).

Logo letter heights follow Schneider & Stephens (1990), Nucleic Acids Res 18:6097: column
height = information content (bits), letters stacked by probability, largest on top.
"""
from __future__ import annotations

import io

import numpy as np

COLORS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839"}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=80)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    # a fixed creation date keeps the bytes identical for the same inputs
    fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()


def _letter(ax, letter: str, x: float, y: float, height: float) -> None:
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    path = TextPath((0, 0), letter, size=1, prop=FontProperties(family="DejaVu Sans", weight="bold"))
    ext = path.get_extents()
    t = (Affine2D().translate(-ext.x0, -ext.y0).scale(0.9 / ext.width, height / ext.height)
         .translate(x + 0.05, y))
    ax.add_patch(PathPatch(t.transform_path(path), color=COLORS[letter], lw=0))


def logo_png(probs: np.ndarray, title: str = "") -> bytes:
    """A (width, 4) ACGT probability matrix -> information-content logo as PNG bytes."""
    from attnbio.motifs.pwm import information_content

    probs = np.asarray(probs, float)
    ic = information_content(probs)
    fig = _figure(max(2.0, 0.32 * len(probs)), 1.5)
    ax = fig.add_subplot()
    for i, (row, h) in enumerate(zip(probs, ic)):
        y = 0.0
        for b in np.argsort(row, kind="stable"):
            hh = row[b] * h
            if hh > 1e-3:
                _letter(ax, "ACGT"[b], i, y, hh)
            y += hh
    ax.set_xlim(0, len(probs))
    ax.set_ylim(0, 2)
    ax.set_ylabel("bits")
    ax.set_xticks(np.arange(len(probs)) + 0.5, [str(i + 1) for i in range(len(probs))], fontsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    return _png(fig)


def bars_png(x: np.ndarray, series: list[tuple[str, np.ndarray, str]], xlabel: str, title: str = "",
             mark: float | None = None, width: float = 1.0) -> bytes:
    """Overlaid bar/step histograms: series = [(label, counts, colour)] over bins x."""
    fig = _figure(4.2, 1.9)
    ax = fig.add_subplot()
    for i, (label, counts, color) in enumerate(series):
        if i == 0:
            ax.bar(x, counts, width=width, color=color, alpha=0.75, label=label)
        else:
            ax.step(x, counts, where="mid", color=color, lw=1.2, label=label)
    if mark is not None:
        ax.axvline(mark, color="black", lw=0.8, ls=":")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel("count", fontsize=8)
    ax.tick_params(labelsize=7)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)
