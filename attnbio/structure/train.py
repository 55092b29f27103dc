"""Training the refiner as a denoiser of perturbed real structures.

Each step takes a random training protein, perturbs its whole C-alpha trace
(data.random_perturbation), crops a contiguous window, and asks the network for the distogram of
the clean structure (cross-entropy over distance bins, AF2 suppl. 1.9.8). The same head is also
trained on the pair representation before each block (weight `aux_weight`), which keeps the
'before triangle updates' distogram meaningful for comparison.

Command line: `attnbio train refine -o OUT.safetensors [--init STAGE1.safetensors] ...`
(attnbio/commands/train.py); `make models-refine` retrains the bundled weights in two stages.
"""
from __future__ import annotations

import logging
import time

import numpy as np
import torch

from attnbio.structure.data import Protein, random_perturbation
from attnbio.structure.geometry import pairwise_distances
from attnbio.structure.model import RefineConfig, RefineModel, bin_distances, encode_sequence

log = logging.getLogger("attnbio")


def make_batch(proteins: list[Protein], rng, batch: int, crop: int):
    """Tensors for one step: noisy distances, aatype, residue and chain index, target bins."""
    d_in, d_true, aa, idx = [], [], [], []
    c = min([crop] + [len(p.ca) for p in proteins])  # one crop length so that crops stack
    for _ in range(batch):
        p = proteins[int(rng.integers(len(proteins)))]
        noisy, _ = random_perturbation(p.ca, rng)
        n = len(p.ca)
        s = int(rng.integers(0, n - c + 1))
        sl = slice(s, s + c)
        d_in.append(pairwise_distances(noisy[sl]))
        d_true.append(pairwise_distances(p.ca[sl]))
        aa.append(encode_sequence(p.sequence[sl]))
        idx.append(np.arange(s, s + c))
    t = lambda a, dt: torch.tensor(np.stack(a), dtype=dt)  # noqa: E731
    return (t(d_in, torch.float32), t(aa, torch.int64), t(idx, torch.int64),
            torch.zeros(batch, c, dtype=torch.int64),
            t(d_true, torch.float32))


def expected_distance(logits, model):
    """Differentiable expected distance (B, L, L) in A over all bins (far bin at out_max + step/2)."""
    edges = model.out_edges
    step = edges[1] - edges[0]
    centres = torch.cat([edges[:1] - step / 2, (edges[1:] + edges[:-1]) / 2, edges[-1:] + step / 2])
    return (torch.softmax(logits, dim=-1) * centres).sum(-1)


def triangle_inequality_loss(logits, model, d_true, margin: float = 2.0, slack: float = 0.0):
    """Sum over triangles of max(0, D_ij - D_ik - D_kj + slack) per pair, on the expected distances D.

    Only triangles whose three true distances lie below out_max - margin count, so that the
    truncated far bin does not bias the expectation. `slack` (A) asks for a little room in
    nearly degenerate triangles (C-alphas along a straight strand or helix axis have true slack
    below 0.5 A, so a tiny distance error breaks them). A penalty for what the triangle updates
    are meant to achieve (geometric consistency, AF2 main text 'triangle inequality').
    """
    d = expected_distance(logits, model)
    ok = (d_true < model.cfg.out_max - margin).to(d.dtype)
    n = d.shape[-1]
    total = d.new_zeros(())
    for i in range(n):  # rows one at a time: (B, L_k, L_j) per row, memory O(L^2)
        excess = torch.relu(d[:, i, None, :] - d[:, i, :, None] - d + slack)  # D_ij - D_ik - D_kj
        w = ok[:, i, None, :] * ok[:, i, :, None] * ok
        total = total + (excess * w).sum()
    return total / (d.shape[0] * n * n)


def train_refiner(proteins: list[Protein], cfg: RefineConfig | None = None, steps: int = 1500,
                  batch: int = 4, crop: int = 64, lr: float = 2e-3, seed: int = 0,
                  aux_weight: float = 0.3, tri_weight: float = 1.0, tri_slack: float = 0.0,
                  init: dict | None = None, log_every: int = 100, progress=None):
    """Train a RefineModel on `proteins`; returns (model, history list of (step, loss)).

    Loss: distogram cross-entropy after the blocks + aux_weight x mean cross-entropy of the
    heads before each block + tri_weight x triangle_inequality_loss of the final expected
    distances (hinge with `tri_slack` A of room, Angstrom per pair). `init`: a state dict to
    start from (fine-tuning) instead of the random initialisation. progress(stage, done,
    total), if given, is called after every step ("training"). torch's global RNG is seeded
    inside torch.random.fork_rng, so the caller's random state is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)       # the initial weights
        return _train_refiner(proteins, cfg, steps, batch, crop, lr, seed, aux_weight, tri_weight,
                              tri_slack, init, log_every, progress)


def _train_refiner(proteins, cfg, steps, batch, crop, lr, seed, aux_weight, tri_weight, tri_slack,
                   init, log_every, progress):
    rng = np.random.default_rng(seed)
    model = RefineModel(cfg)
    if init is not None:
        model.load_state_dict(init, strict=True)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    history = []
    t0 = time.perf_counter()
    running = None
    for step in range(1, steps + 1):
        d_in, aa, idx, chain, d_true = make_batch(proteins, rng, batch, crop)
        out = model(d_in, aa, idx, chain, all_heads=True)
        target = bin_distances(d_true, model.out_edges)
        losses = [torch.nn.functional.cross_entropy(lg.reshape(-1, lg.shape[-1]), target.reshape(-1))
                  for lg in out["all_logits"]]
        loss = losses[-1] + aux_weight * torch.stack(losses[:-1]).mean()
        if tri_weight:
            loss = loss + tri_weight * triangle_inequality_loss(out["logits"], model, d_true, slack=tri_slack)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        last = float(losses[-1].detach())
        running = last if running is None else 0.98 * running + 0.02 * last
        if step % log_every == 0 or step == steps:
            history.append((step, running))
            log.info("step %d/%d  distogram CE %.3f  (%.0f s)", step, steps, running, time.perf_counter() - t0)
        if progress is not None:
            progress("training", step, steps)
    model.eval()
    return model, history


def refine_card(model, history, train_names, held_names, settings: dict,
                command: str | None = None, heldout_metrics: list[dict] | None = None,
                length_range: tuple[int, int] | None = None) -> dict:
    """The model card (kind attnbio.refine, without sha256) with the training provenance.

    `command` is the command line that retrains these weights; `heldout_metrics` the per-sigma
    rows of evaluate.heldout_quality on the held-out proteins (stored rounded to 4 digits).
    """
    from attnbio import __version__

    card = {
        "kind": "attnbio.refine",
        "attnbio_version": __version__,
        "config": model.cfg.to_dict(),
        "description": "C-alpha pair-representation refiner: input distogram + relative position + "
                       "residue identities -> triangle blocks (AF2 Alg. 11-15) -> distogram",
        "training": dict(settings, data="data/refine/dssp50 (MDAnalysisTests 2.11.0 data/dssp)",
                         objective="distogram cross-entropy to the clean structure; perturbations: "
                                   "i.i.d. atom noise, smooth deformations, domain shifts",
                         train_proteins=train_names, heldout_proteins=held_names,
                         final_loss=history[-1][1] if history else None,
                         loss_history=[[int(s), round(float(v), 4)] for s, v in history],
                         command=command),
        "heldout_metrics": None if heldout_metrics is None else {
            "protocol": "evaluate.heldout_quality: held-out proteins, i.i.d. noise N(0, sigma^2) per "
                        "coordinate, 2 draws per protein (1 at sigma 0), noise seed 7; lDDT-Ca, RMSD (A), "
                        "TM-score against the true structure; tri_* = triangle-inequality violations of "
                        "the pair representation before/after the triangle blocks (mean per structure)",
            "rows": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
                     for r in heldout_metrics]},
        "n_parameters": int(sum(p.numel() for p in model.parameters())),
        # training chain lengths: `attnbio refine` keeps plausible inputs outside them
        "length_range": None if length_range is None else [int(length_range[0]), int(length_range[1])],
    }
    return card


DEFAULT_SETTINGS = {"steps": 1500, "batch": 2, "crop": 64, "lr": 2e-3, "seed": 0, "tri_weight": 1.0, "tri_slack": 0.0}


def train_refine(steps: int = DEFAULT_SETTINGS["steps"], batch: int = DEFAULT_SETTINGS["batch"],
                 crop: int = DEFAULT_SETTINGS["crop"], lr: float = DEFAULT_SETTINGS["lr"],
                 seed: int = DEFAULT_SETTINGS["seed"], tri_weight: float = DEFAULT_SETTINGS["tri_weight"],
                 tri_slack: float = DEFAULT_SETTINGS["tri_slack"], init=None, evaluate: bool = True,
                 command: str = "", progress=None):
    """The refiner as `attnbio train refine` trains it on data/refine: (model, card without sha256).

    init: a refine weights file (with its card) to fine-tune instead of starting from random
    weights. evaluate: score the held-out proteins (evaluate.heldout_quality, about 2 min on
    one core) into the card's heldout_metrics. `command` is recorded as training.command.
    """
    from attnbio.structure.data import load_proteins, split

    train, held = split(load_proteins())
    init_tensors = cfg = None
    if init is not None:
        from attnbio.io.weights import load_weights
        from attnbio.structure.model import load_model

        init_tensors, init_card = load_weights(init, expect_kind="attnbio.refine")
        cfg = load_model(init_tensors, init_card).cfg
    settings = {"steps": steps, "batch": batch, "crop": crop, "lr": lr, "seed": seed,
                "tri_weight": tri_weight, "tri_slack": tri_slack, "aux_weight": 0.3,
                "init": None if init is None else {"file": str(init), "sha256": init_card["sha256"],
                                                   "command": init_card.get("training", {}).get("command")}}
    model, history = train_refiner(train, cfg, steps=steps, batch=batch, crop=crop, lr=lr, seed=seed,
                                   tri_weight=tri_weight, tri_slack=tri_slack, init=init_tensors,
                                   progress=progress)
    metrics = None
    if evaluate:
        from attnbio.structure.evaluate import heldout_quality

        log.info("scoring the %d held-out proteins", len(held))
        metrics, _ = heldout_quality(model, held)
        for r in metrics:
            log.info("held-out sigma %.0f: lDDT-Ca input %.3f refined %.3f baseline %.3f; "
                     "triangle violations %.0f -> %.0f", r["sigma"], r["lddt_input"], r["lddt_refined"],
                     r["lddt_baseline"], r["tri_before"], r["tri_after"])
    card = refine_card(model, history, [p.name for p in train], [p.name for p in held], settings,
                       command=command, heldout_metrics=metrics,
                       length_range=(min(len(p.ca) for p in train), max(len(p.ca) for p in train)))
    return model, card


if __name__ == "__main__":   # the old entry point: say where it went instead of exiting 0 silently
    raise SystemExit("python -m attnbio.structure.train is gone: use `attnbio train refine --help`")
