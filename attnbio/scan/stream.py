"""A trained motif model over a FASTA stream: per-sequence scores, attention summaries, PWM sites.

Memory stays flat in the number of sequences: records are read one at a time, grouped into
fixed-size batches and their results handed on in input order as soon as they are ready.

Why batches have a fixed shape: on CPU the bits of a float result depend on the shapes of the
tensors it was computed in (GEMM kernels and reduction widths change with them), and the model's
last, partial attention token depends on how much padding follows a sequence. So every sequence
is padded to a length that depends only on its own length (its bucket: the next multiple of
`bucket_bp`, at most `max_length`), and every batch has exactly `batch_size` rows (a short batch
is filled with copies of its first row). A sequence's result then does not depend on which
sequences share its batch, on where a shard starts, or on the number of threads: a sharded scan
merged equals the unsharded scan bit for bit (tests/scan/test_scan.py checks it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np

from attnbio.errors import InputError


@dataclass
class ScanConfig:
    batch_size: int = 64          # rows per forward pass (fixed: results depend on it in the last bits)
    max_length: int = 1000        # longer sequences are cropped to their central max_length bases
    bucket_bp: int = 16           # padded lengths are multiples of this (and at most max_length)
    site_pvalue: float = 1e-4     # PWM p-value threshold for motif sites
    max_pending: int = 4096       # sequences held back waiting for a full batch before one is forced
    device: str = "cpu"


@dataclass
class PWM:
    """A motif ready to scan: log2-odds (width, 4) against a uniform background and its threshold."""
    id: str
    name: str
    probs: np.ndarray
    log_odds: np.ndarray
    threshold: float

    @property
    def width(self) -> int:
        return int(self.probs.shape[0])


@dataclass
class SeqResult:
    """What a scan says about one sequence.

    logit: both-strand mean logit (float32). peak (H,) float32: per head (layer-major), the most
    incoming attention any token of the sequence gets (mean over valid queries); peak_bp (H,):
    where that token starts, in bp of the input sequence. sites: (start, end, strand, motif_id,
    score, attention) with 0-based, end-exclusive coordinates in the input sequence.
    """
    index: int
    id: str
    length: int
    crop_start: int
    logit: np.float32
    peak: np.ndarray
    peak_bp: np.ndarray
    sites: list = field(default_factory=list)


def prepare_pwms(motifs, pvalue: float) -> list[PWM]:
    """MEME motifs (attnbio.io.motif_formats.Motif) -> PWMs with exact p-value score thresholds."""
    from attnbio.motifs import pwm as P

    out = []
    for m in motifs:
        lo = P.log_odds(np.asarray(m.probs, dtype=float))
        out.append(PWM(m.id, m.name, np.asarray(m.probs, dtype=float), lo, P.score_threshold(lo, pvalue)))
    return out


def padded_length(n: int, cfg: ScanConfig) -> int:
    """The padded length of a (cropped) sequence of n bp: its bucket, a function of n alone."""
    return int(min(-(-n // cfg.bucket_bp) * cfg.bucket_bp, cfg.max_length))


class _Batcher:
    """Runs one fixed-shape batch through the model and the PWMs."""

    def __init__(self, model, pwms: list[PWM], cfg: ScanConfig):
        import torch

        self.torch = torch
        self.model = model.eval()
        self.pwms = pwms
        self.cfg = cfg
        self.pool = model.cfg.pool
        self.device = torch.device(cfg.device)

    def run(self, length: int, items: list[tuple]) -> list[SeqResult]:
        from attnbio.motifs.encode import one_hot
        from attnbio.motifs.model import token_mask

        torch = self.torch
        B, n = self.cfg.batch_size, len(items)
        x0, m0, _ = one_hot([it[2] for it in items], length=length)
        x = np.empty((B, length, 4), np.float32)
        mask = np.empty((B, length), bool)
        x[:n], mask[:n] = x0, m0
        x[n:], mask[n:] = x0[0], m0[0]          # filler rows: the batch shape never changes
        rc = np.zeros_like(x)
        for i in range(n):
            k = len(items[i][2])
            rc[i, :k] = x[i, :k, ::-1][::-1]
        rc[n:] = rc[0]
        with torch.inference_mode():
            xt, mt = torch.from_numpy(x).to(self.device), torch.from_numpy(mask).to(self.device)
            fwd, maps = self.model(xt, mt, return_attention=True)
            # Same expression as MotifAttentionModel.predict_both_strands: mean of both strands.
            logits = 0.5 * (fwd + self.model(torch.from_numpy(rc).to(self.device), mt))
            tm = token_mask(mt, self.pool).float()
            n_q = tm.sum(dim=1).clamp(min=1)[:, None, None]
            incoming = torch.cat([(a * tm[:, None, :, None]).sum(dim=2) / n_q for a in maps], dim=1)
            incoming = incoming.masked_fill(tm[:, None, :] == 0, -1.0)
        logits = logits.float().cpu().numpy()[:n]
        incoming = incoming.float().cpu().numpy()[:n]                   # (n, heads, tokens)
        peak_tok = incoming.argmax(axis=2)                              # first maximum
        peak = np.take_along_axis(incoming, peak_tok[..., None], axis=2)[..., 0]
        sites = self._sites(x, mask, n, incoming)
        out = []
        for i, (index, rid, _seq, full_len, crop) in enumerate(items):
            rows = [(s + crop, e + crop, strand, mid, sc, att) for s, e, strand, mid, sc, att in sites[i]]
            out.append(SeqResult(index, rid, full_len, crop, logits[i], peak[i].astype(np.float32),
                                 (peak_tok[i] * self.pool + crop).astype(np.int64), rows))
        return out

    def _sites(self, x, mask, n: int, incoming) -> list[list[tuple]]:
        """Best non-overlapping PWM hits per sequence (either strand), as in motifs.discover.find_sites.

        The attention of a site is the most incoming attention any head gives the token at
        the site's centre.
        """
        from attnbio.motifs import pwm as P

        per_seq: list[list[tuple]] = [[] for _ in range(n)]
        n_tok = incoming.shape[2]
        for pwm in self.pwms:
            scores = P.scan(x, mask, pwm.log_odds)[:n]                      # (n, positions, 2)
            if scores.shape[1] == 0:
                continue
            best, strand = scores.max(axis=2), scores.argmax(axis=2)
            w = pwm.width
            for s in np.flatnonzero((best >= pwm.threshold).any(axis=1)):
                pos = np.flatnonzero(best[s] >= pwm.threshold)
                taken: list[int] = []
                for p in pos[np.argsort(-best[s, pos], kind="stable")]:
                    if all(abs(p - t) >= w for t in taken):
                        taken.append(int(p))
                for p in taken:
                    tok = min((p + w // 2) // self.pool, n_tok - 1)
                    per_seq[s].append((p, p + w, "+" if strand[s, p] == 0 else "-", pwm.id,
                                       round(float(best[s, p]), 3), round(float(incoming[s, :, tok].max()), 5)))
        for rows in per_seq:
            rows.sort(key=lambda r: (r[0], r[3]))
        return per_seq


def scan_records(records: Iterable, model, pwms: list[PWM], cfg: ScanConfig) -> Iterator[SeqResult]:
    """Scan FASTA records (attnbio.io.fasta.Record) and yield one SeqResult per record, in order.

    Sequences wait in per-length buckets until a bucket holds a full batch; when more than
    cfg.max_pending are waiting, the bucket that blocks the oldest sequence runs part-full.
    """
    from attnbio.motifs.encode import crop_offsets

    if cfg.bucket_bp % model.cfg.pool:
        raise InputError(f"bucket of {cfg.bucket_bp} bp is not a multiple of the model's {model.cfg.pool}-bp tokens")
    batcher = _Batcher(model, pwms, cfg)
    buckets: dict[int, list[tuple]] = {}
    done: dict[int, SeqResult] = {}
    next_out = waiting = 0

    def run(length):
        nonlocal waiting
        items = buckets.pop(length)
        waiting -= len(items)
        for r in batcher.run(length, items):
            done[r.index] = r

    for index, rec in enumerate(records):
        n = len(rec.sequence)
        crop = int(crop_offsets([n], cfg.max_length)[0])
        seq = rec.sequence[crop:crop + cfg.max_length]
        length = padded_length(len(seq), cfg)
        buckets.setdefault(length, []).append((index, rec.id, seq, n, crop))
        waiting += 1
        if len(buckets[length]) == cfg.batch_size:
            run(length)
        while waiting + len(done) > cfg.max_pending and waiting:
            run(min(buckets, key=lambda k: buckets[k][0][0]))
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
    for length in sorted(buckets, key=lambda k: buckets[k][0][0]):
        run(length)
    while next_out in done:
        yield done.pop(next_out)
        next_out += 1
