"""Tiny model, motifs and FASTA shared by tests/scan and tests/workflows (built once per session)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def build(root: Path) -> dict:
    """Train a 1-epoch, 16-dim model on 200 simulated sequences; write it, the planted motifs as
    MEME, and a 300-record FASTA with mixed lengths (40-400 bp), IUPAC letters and lowercase."""
    import torch

    from attnbio.io.fasta import write_fasta
    from attnbio.io.motif_formats import write_meme
    from attnbio.motifs.model import ModelConfig, save_model
    from attnbio.motifs.simulate import GrammarSimConfig, simulate_grammar
    from attnbio.motifs.train import TrainConfig, train_model

    torch.set_num_threads(1)
    root.mkdir(parents=True, exist_ok=True)
    data = simulate_grammar(GrammarSimConfig(n_sequences=200, length=200, seed=3))
    result = train_model(data.positives, data.negatives, TrainConfig(epochs=1, seed=0),
                         ModelConfig(d_model=16, n_heads=2, n_layers=1))
    model = root / "tiny.safetensors"
    save_model(model, result.model, {"metrics": result.metrics, "seed": 0})
    motifs = root / "planted.meme"
    write_meme(motifs, data.motifs)
    rng = np.random.default_rng(7)
    more = simulate_grammar(GrammarSimConfig(n_sequences=300, length=400, seed=4))
    records = []
    for i, s in enumerate(more.positives + more.negatives):
        n = int(rng.integers(40, 401))
        start = int(rng.integers(0, 400 - n + 1))
        seq = s[start:start + n]
        if i % 7 == 0:
            seq = seq[:10] + "N" + seq[11:20].lower() + "R" + seq[21:]
        records.append((f"seq{i:04d}", seq))
    write_fasta(root / ".input.fa.tmp", records)
    (root / ".input.fa.tmp").replace(root / "input.fa")       # written last: marks a complete build
    return shared_paths(root)


def shared(tmp_path_factory) -> dict:
    """build() once per pytest session, whichever test folder asks first."""
    root = tmp_path_factory.getbasetemp() / "scan_tiny"
    return shared_paths(root) if (root / "input.fa").is_file() else build(root)


def shared_paths(root: Path) -> dict:
    from attnbio.io.fasta import read_fasta

    records = [(r.id, r.sequence) for r in read_fasta(root / "input.fa")]   # as the scan reads them
    return {"model": root / "tiny.safetensors", "motifs": root / "planted.meme", "fasta": root / "input.fa",
            "records": records}


def build_genome(root: Path, records: list) -> dict:
    """A tiny genome for the BED route: chr1 and chr2 glued from the test records (planted
    sites, soft-masked stretches, an IUPAC letter) with random spacers, and a 300-bp chr3;
    45 narrowPeak regions on it (both strands and '.', summits or -1, two clipped at chr3's ends)."""
    from attnbio.io.fasta import write_fasta

    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)
    seqs = [s for _, s in records]

    def spacer():
        return "".join(rng.choice(list("ACGT"), size=int(rng.integers(5, 40))))

    chroms = {"chr1": "".join(s + spacer() for s in seqs[:100]), "chr2": "".join(s + spacer() for s in seqs[100:200]),
              "chr3": "".join(rng.choice(list("ACGT"), size=300))}
    write_fasta(root / "genome.fa", list(chroms.items()))
    lines = []
    for i in range(45):
        chrom = ["chr1", "chr2"][i % 2] if i < 42 else "chr3"
        n = len(chroms[chrom])
        width = int(rng.integers(50, min(400, n - 1)))
        start = int(rng.integers(0, n - width))
        if i == 42:
            start, width = 0, 100                      # clipped at the chromosome start
        if i == 43:
            start, width = n - 80, 80                  # clipped at the end
        summit = int(rng.integers(0, width)) if i % 3 else -1
        strand = "+-."[i % 3]
        lines.append(f"{chrom}\t{start}\t{start + width}\tpeak{i}\t0\t{strand}\t5.0\t-1\t-1\t{summit}")
    (root / "peaks.narrowPeak").write_text("\n".join(lines) + "\n")
    return {"chroms": chroms, "bed": root / "peaks.narrowPeak", "fa": root / "genome.fa", "lines": lines}
