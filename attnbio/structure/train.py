"""Training the refiner as a denoiser of perturbed real structures.

Each step takes a random training protein, perturbs its whole C-alpha trace
(data.random_perturbation), crops a contiguous window, and asks the network for the distogram of
the clean structure (cross-entropy over distance bins, AF2 suppl. 1.9.8). The same head is also
trained on the pair representation before each block (weight `aux_weight`), which keeps the
'before triangle updates' distogram meaningful for comparison.
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


def triangle_inequality_loss(logits, model, d_true, margin: float = 2.0):
    """Sum over triangles of max(0, D_ij - D_ik - D_kj) per pair, on the expected distances D.

    Only triangles whose three true distances lie below out_max - margin count, so that the
    truncated far bin does not bias the expectation. A penalty for what the triangle updates
    are meant to achieve (geometric consistency, AF2 main text 'triangle inequality').
    """
    d = expected_distance(logits, model)
    ok = (d_true < model.cfg.out_max - margin).to(d.dtype)
    n = d.shape[-1]
    total = d.new_zeros(())
    for i in range(n):  # rows one at a time: (B, L_k, L_j) per row, memory O(L^2)
        excess = torch.relu(d[:, i, None, :] - d[:, i, :, None] - d)  # D_ij - D_ik - D_kj
        w = ok[:, i, None, :] * ok[:, i, :, None] * ok
        total = total + (excess * w).sum()
    return total / (d.shape[0] * n * n)


def train_refiner(proteins: list[Protein], cfg: RefineConfig | None = None, steps: int = 1500,
                  batch: int = 4, crop: int = 64, lr: float = 2e-3, seed: int = 0,
                  aux_weight: float = 0.3, tri_weight: float = 1.0, log_every: int = 100):
    """Train a RefineModel on `proteins`; returns (model, history list of (step, loss)).

    Loss: distogram cross-entropy after the blocks + aux_weight x mean cross-entropy of the
    heads before each block + tri_weight x triangle_inequality_loss of the final expected
    distances (hinge, Angstrom per pair).
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = RefineModel(cfg)
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
            loss = loss + tri_weight * triangle_inequality_loss(out["logits"], model, d_true)
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
    model.eval()
    return model, history


def save_refiner(model, path, history, train_names, held_names, settings: dict) -> dict:
    """Write weights and model card (kind attnbio.refine) with the training provenance."""
    from attnbio import __version__
    from attnbio.io.weights import save_weights

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
                         loss_history=[[int(s), round(float(v), 4)] for s, v in history]),
        "n_parameters": int(sum(p.numel() for p in model.parameters())),
    }
    return save_weights(path, model.state_dict(), card)


def main(argv=None) -> None:
    """`python -m attnbio.structure.train OUT.safetensors`: retrain the bundled refiner."""
    import argparse

    from attnbio.structure.data import load_proteins, split

    ap = argparse.ArgumentParser(description="Retrain the attnbio refine model.")
    ap.add_argument("out", nargs="?", default="attnbio/weights/refine.safetensors")
    ap.add_argument("--steps", type=int, default=DEFAULT_SETTINGS["steps"])
    ap.add_argument("--batch", type=int, default=DEFAULT_SETTINGS["batch"])
    ap.add_argument("--crop", type=int, default=DEFAULT_SETTINGS["crop"])
    ap.add_argument("--lr", type=float, default=DEFAULT_SETTINGS["lr"])
    ap.add_argument("--seed", type=int, default=DEFAULT_SETTINGS["seed"])
    ap.add_argument("--tri-weight", type=float, default=DEFAULT_SETTINGS["tri_weight"])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="attnbio: %(message)s")
    torch.set_num_threads(args.threads)
    train, held = split(load_proteins())
    settings = {"steps": args.steps, "batch": args.batch, "crop": args.crop, "lr": args.lr,
                "seed": args.seed, "tri_weight": args.tri_weight, "aux_weight": 0.3}
    model, history = train_refiner(train, steps=args.steps, batch=args.batch, crop=args.crop,
                                   lr=args.lr, seed=args.seed, tri_weight=args.tri_weight)
    card = save_refiner(model, args.out, history, [p.name for p in train], [p.name for p in held], settings)
    log.info("wrote %s (sha256 %s)", args.out, card["sha256"][:12])


DEFAULT_SETTINGS = {"steps": 1500, "batch": 2, "crop": 64, "lr": 2e-3, "seed": 0, "tri_weight": 1.0}

if __name__ == "__main__":
    main()
