"""`attnbio oddoneout`: find the odd object by attention in one attribute's subspace."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, run_domain, seed_option
from attnbio.domains import oddoneout as od
from attnbio.errors import InputError


@click.command("oddoneout")
@click.option("--attribute", "attributes", type=click.Choice(od.ATTRIBUTES), multiple=True,
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
    req = od.OddOneOutRequest(attributes=attributes or od.ATTRIBUTES, objects=objects,
                              scenes=scenes, noises=_parse_noise(noises), tau=tau, seed=seed)
    res = run_domain(od, req, outdir)
    clean = [r for r in res.by_noise if r["noise"] == req.noises[0]]
    log.info("noise %g: subspace accuracy %s (whole token %s, chance %.3f)", req.noises[0],
             ", ".join(f"{r['attribute']} {r['accuracy_subspace']:.3f}" for r in clean),
             ", ".join(f"{r['accuracy_whole_token']:.3f}" for r in clean), 1 / objects)


def _parse_noise(text):
    """'0,0.5' -> (0.0, 0.5); the request checks the values."""
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(f"--noise must be comma-separated numbers, got {text!r}") from None
