"""`attnbio scan` as one library call: model + FASTA stream (or BED + genome) -> scores, sites, attention summaries."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from attnbio.scan.inputs import RegionSettings, open_scan_input
from attnbio.scan.stream import ScanConfig, prepare_pwms, scan_records

PROGRESS_EVERY = 100_000


@dataclass
class ScanRequest:
    fasta: str                       # FASTA, or BED/narrowPeak read from regions.genome
    outdir: Path                     # a staging folder: the caller makes it appear atomically
    model: str
    motifs: str | None = None
    seed: int = 0
    config: ScanConfig = field(default_factory=ScanConfig)
    regions: RegionSettings = field(default_factory=RegionSettings)
    command: str = ""                # provenance (scan.h5 `command`): the command line, from the caller


@dataclass
class ScanSummary:
    n_sequences: int
    n_positive: int                  # prob >= 0.5
    n_sites: int
    n_cropped: int
    model_sha256: str


def scan_attrs(model, card: dict, model_sha256: str, motifs_sha256: str, cfg: ScanConfig) -> dict:
    """Root attributes of scan.h5 that describe how it was made (SETTINGS must match to merge)."""
    from attnbio.motifs.model import head_name

    names = [head_name(layer, h) for layer in range(model.cfg.n_layers) for h in range(model.cfg.n_heads)]
    return {"model_sha256": model_sha256, "motifs_sha256": motifs_sha256, "max_length": cfg.max_length,
            "bucket_bp": cfg.bucket_bp, "batch_size": cfg.batch_size, "site_pvalue": cfg.site_pvalue,
            "token_bp": model.cfg.pool, "head_names": ",".join(names), "device": str(cfg.device).split(":")[0],
            "model_test_auroc": float(card.get("metrics", {}).get("test_auroc", float("nan")))}


def run_scan(req: ScanRequest, log=lambda msg: None, progress=None) -> ScanSummary:
    """Everything `attnbio scan` does, writing into req.outdir; returns a summary.

    `progress(stage, done, total)`, if given, is called with stage "scan" after each sequence:
    done = sequences scanned; total = the regions to scan for BED input; for a FASTA file, which
    is streamed once and not counted ahead, an estimate from the share of its bytes read so far
    (io.source.read_fraction), so a bar can show the time left; 0 (unknown) for stdin or a pipe.
    The stage ends with done = total = the sequences scanned.
    """
    from attnbio.io.motif_formats import read_meme
    from attnbio.io.source import input_digest
    from attnbio.io.weights import sha256_file
    from attnbio.motifs.model import load_model
    from attnbio.scan.store import ScanWriter

    source = open_scan_input(req.fasta, req.regions)      # bad input fails before the model loads
    if source.n_dropped:
        log(f"warning: {req.fasta}: {source.n_dropped} of {source.n_regions} regions dropped: more than "
            f"{req.regions.max_n_fraction:g} of their bases are N")
    if source.n_clipped:
        log(f"{req.fasta}: {source.n_clipped} regions shorter than {req.regions.size} bp (clipped at a chromosome end)")
    model, card = load_model(req.model)
    pool = model.cfg.pool
    # Padded lengths must be whole tokens.
    cfg = replace(req.config, bucket_bp=-(-req.config.bucket_bp // pool) * pool)
    model.to(cfg.device)
    motifs = read_meme(req.motifs) if req.motifs else []
    pwms = prepare_pwms(motifs, cfg.site_pvalue)
    model_sha = sha256_file(req.model)
    attrs = scan_attrs(model, card, model_sha, input_digest(req.motifs) if req.motifs else "", cfg)
    attrs.update(source.attrs)
    n_pos = n_cropped = 0
    regions = source.n_regions - source.n_dropped if source.n_regions else 0
    motif_rows = [(p.id, p.name, p.probs, p.threshold) for p in pwms]
    with ScanWriter(req.outdir, attrs, attrs["head_names"].split(","), motif_rows, req.seed, {},
                    command=req.command) as out:
        for r in scan_records(source.records, model, pwms, cfg):
            out.add(r)
            n_pos += bool(r.logit >= 0)
            n_cropped += r.length > cfg.max_length
            if progress is not None:
                progress("scan", out.n_sequences, _expected_total(out.n_sequences, regions, req.fasta))
            elif out.n_sequences % PROGRESS_EVERY == 0:
                log(f"{out.n_sequences} sequences scanned")
        if progress is not None:
            progress("scan", out.n_sequences, out.n_sequences)
        # The input was hashed while it streamed by (a pipe cannot be read twice): known only now.
        out.set_inputs({str(req.fasta): _digest(req.fasta), **source.inputs})
    if n_cropped:
        log(f"warning: {n_cropped} sequences longer than {cfg.max_length} bp were scanned in their central "
            f"{cfg.max_length} bp")
    return ScanSummary(out.n_sequences, n_pos, out.n_sites, n_cropped, model_sha)


def _expected_total(n: int, regions: int, fasta) -> int:
    """Sequences the scan will have read, as known after `n`: the BED regions, or n over the
    share of the FASTA file read; 0 when unknown. Kept above n until the loop ends, which closes
    the stage with the true count."""
    from attnbio.io.source import read_fraction

    if regions:
        return max(regions, n + 1)
    frac = read_fraction(fasta)
    return max(round(n / frac), n + 1) if frac else 0


def _digest(path) -> str:
    """SHA-256 of the input as it was read (attnbio.io.source); a missing file is the user's error."""
    from attnbio.io.source import input_digest

    return input_digest(path)
