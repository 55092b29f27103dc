"""Sequence logos (PNG or SVG bytes) and small histograms (PNG bytes); matplotlib Agg, no network.

Logo letter heights follow Schneider & Stephens (1990), Nucleic Acids Res 18:6097: column
height = information content (bits), letters stacked by probability, largest on top. Letters
are drawn by logomaker (Tareen & Kinney 2020, Bioinformatics 36:2272).
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
    # no Software/date chunk: the bytes stay identical for the same inputs
    fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()


def _svg(fig) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    # clip-path ids are hashed with svg.hashsalt (random otherwise) and the date is left out,
    # so the same matrix gives the same bytes; glyphs are paths, so no font is needed to view it
    with matplotlib.rc_context({"svg.hashsalt": "attnbio", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buf.getvalue()


def _logo_figure(probs: np.ndarray, title: str):
    from attnbio.motifs.pwm import information_content

    probs = np.asarray(probs, float)
    heights = probs * information_content(probs)[:, None]       # bits per letter
    fig = _figure(max(2.0, 0.32 * len(probs)), 1.5)             # selects Agg before logomaker loads pyplot
    import logomaker
    import pandas as pd

    ax = fig.add_subplot()
    logomaker.Logo(pd.DataFrame(heights, columns=list("ACGT")), ax=ax, color_scheme=COLORS,
                   font_name="DejaVu Sans", stack_order="big_on_top", baseline_width=0)
    ax.set_xlim(-0.5, len(probs) - 0.5)
    ax.set_ylim(0, 2)
    ax.set_ylabel("bits")
    ax.set_xticks(np.arange(len(probs)), [str(i + 1) for i in range(len(probs))], fontsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def logo_png(probs: np.ndarray, title: str = "") -> bytes:
    """A (width, 4) ACGT probability matrix -> information-content logo as PNG bytes."""
    return _png(_logo_figure(probs, title))


def logo_svg(probs: np.ndarray, title: str = "") -> bytes:
    """A (width, 4) ACGT probability matrix -> the same logo as logo_png, as SVG bytes."""
    return _svg(_logo_figure(probs, title))


def logo_png_svg(probs: np.ndarray, title: str = "") -> tuple[bytes, bytes]:
    """The logo of logo_png as (PNG bytes, SVG bytes), drawn once."""
    fig = _logo_figure(probs, title)
    return _png(fig), _svg(fig)


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
