"""`attnbio oddoneout`: find the odd object by attention in one attribute's subspace."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option
from attnbio.errors import InputError

COLUMNS = ["attribute", "noise", "randomise", "accuracy_subspace", "accuracy_whole_token",
           "chance", "n_scenes"]
ATTRS = ("shape", "colour", "position", "size")
#: Upper limits: scenes of more objects stop being "find the odd one"; more scenes take hours.
MAX_OBJECTS, MAX_SCENES = 1000, 1_000_000


@click.command("oddoneout")
@click.option("--attribute", "attributes", type=click.Choice(ATTRS), multiple=True,
              help="Attribute(s) the odd object differs in (repeatable) [default: all four].")
@click.option("--objects", type=int, default=6, show_default=True, help="Objects per scene.")
@click.option("--scenes", type=int, default=2000, show_default=True,
              help="Scenes per attribute and setting.")
@click.option("--noise", "noises", default="0,0.1,0.2,0.3,0.5,0.75,1", show_default=True,
              help="Comma-separated feature-noise stds (embedding units).")
@click.option("--tau", type=float, default=0.5, show_default=True, help="Attention temperature.")
@seed_option
@outdir_option
def command(attributes, objects, scenes, noises, tau, seed, outdir):
    """Vision: find the odd object by attention in one attribute's subspace.

    Scenes of N objects (shape, colour, position, size as tokens) where one object differs in
    the chosen attribute and the others are random; the prediction is the object with the least
    incoming attention. Writes accuracy_vs_noise.tsv, accuracy_vs_randomise.tsv and
    oddoneout.png, with whole-token attention and chance as baselines.
    """
    noise_levels = _parse_noise(noises)
    if not 3 <= objects <= MAX_OBJECTS:
        raise InputError(f"--objects must be between 3 (an odd one and a group of two) and "
                         f"{MAX_OBJECTS}, got {objects}")
    if not 1 <= scenes <= MAX_SCENES:
        raise InputError(f"--scenes must be between 1 and {MAX_SCENES}, got {scenes}")
    if not 0 < tau < float("inf"):
        raise InputError(f"--tau must be a positive, finite number, got {tau}")
    from attnbio.domains import oddoneout as od
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.tables import write_tsv

    attrs = attributes or ATTRS
    by_noise = od.noise_table(attrs, noise_levels, scenes, objects, tau=tau, seed=seed)
    by_rand = od.randomise_table(attrs, n_scenes=scenes, n_objects=objects, tau=tau, seed=seed)
    with staged_outdir(outdir) as tmp:
        write_tsv(tmp / "accuracy_vs_noise.tsv", COLUMNS, by_noise)
        write_tsv(tmp / "accuracy_vs_randomise.tsv", COLUMNS, by_rand)
        _plot(by_noise, by_rand, attrs, tmp / "oddoneout.png")
    clean = [r for r in by_noise if r["noise"] == noise_levels[0]]
    log.info("noise %g: subspace accuracy %s (whole token %s, chance %.3f)", noise_levels[0],
             ", ".join(f"{r['attribute']} {r['accuracy_subspace']:.3f}" for r in clean),
             ", ".join(f"{r['accuracy_whole_token']:.3f}" for r in clean), 1 / objects)


def _parse_noise(text):
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"--noise must be comma-separated numbers, got {text!r}") from None
    if not values or any(not 0 <= v < float("inf") for v in values):
        raise InputError(f"--noise needs at least one value, each finite and not negative, got {text!r}")
    return values


def _plot(by_noise, by_rand, attrs, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
    for ax, rows, key, label in ((axes[0], by_noise, "noise", "feature noise std"),
                                 (axes[1], by_rand, "randomise", "fraction of other attributes randomised")):
        for i, a in enumerate(attrs):
            sub = [r for r in rows if r["attribute"] == a]
            x = [r[key] for r in sub]
            ax.plot(x, [r["accuracy_subspace"] for r in sub], "-o", ms=3, color=f"C{i}", label=a)
            ax.plot(x, [r["accuracy_whole_token"] for r in sub], "--", color=f"C{i}", alpha=0.6)
        ax.axhline(rows[0]["chance"], color="k", ls=":", lw=1, label="chance")
        ax.set(xlabel=label, ylim=(0, 1.02))
    axes[0].set_ylabel("accuracy (solid: subspace, dashed: whole token)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
