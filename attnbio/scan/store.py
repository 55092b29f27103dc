"""Scan outputs written as results arrive: scores.tsv, sites.tsv and scan.h5 (resizable datasets).

scan.h5 layout (format attnbio.scan 1.0; provenance root attributes as io.results writes them, plus the scan settings):
  /sequences  seq_id, length, crop_start, logit, prob                          one row per sequence
  /heads      peak_attention (N, H) float32, peak_position (N, H) int64 (bp)   attrs names, token_bp
  /sites      seq_id, start, end, strand, motif_id, score, attention           rows of sites.tsv
  /motifs     one subgroup per scanned PWM (probs, threshold)
Rows keep the input order of the sequences, so shard outputs concatenate to the unsharded one.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from attnbio.io.tables import format_value
from attnbio.motifs.outputs import SITE_COLUMNS

FORMAT, FORMAT_VERSION = "attnbio.scan", "1.0"
SCORE_COLUMNS = ["seq_id", "length", "logit", "prob"]
H5_NAME, SCORES_NAME, SITES_NAME = "scan.h5", "scores.tsv", "sites.tsv"
OUTPUT_FILES = (SCORES_NAME, SITES_NAME, H5_NAME)
# Root attributes that must agree between shards for their merge to mean anything.
# genome_regions: set only for BED input (attnbio.scan.inputs), so FASTA and BED shards do not mix.
SETTINGS = ("format", "format_version", "model_sha256", "motifs_sha256", "max_length", "bucket_bp",
            "batch_size", "site_pvalue", "token_bp", "head_names", "genome_regions")
BLOCK = 4096                     # rows buffered before they are appended to the HDF5 datasets


def _str_dtype():
    import h5py

    return h5py.string_dtype("utf-8")


def _columns(n_heads: int) -> dict:
    """group -> dataset -> (dtype, trailing shape, description)."""
    s = _str_dtype()
    return {
        "sequences": {
            "seq_id": (s, (), "sequence ID (first word of the FASTA header)"),
            "length": (np.int64, (), "sequence length in bp"),
            "crop_start": (np.int64, (), "start of the scanned window (non-zero only for cropped sequences)"),
            "logit": (np.float32, (), "model logit, mean of both strands"),
            "prob": (np.float32, (), "sigmoid of the logit"),
        },
        "heads": {
            "peak_attention": (np.float32, (n_heads,),
                               "per head: most incoming attention one token gets (mean over valid queries)"),
            "peak_position": (np.int64, (n_heads,), "per head: bp where that token starts in the input sequence"),
        },
        "sites": {
            "seq_id": (s, (), "sequence ID"),
            "start": (np.int64, (), "0-based start"),
            "end": (np.int64, (), "end (exclusive)"),
            "strand": ("S1", (), "strand + or -"),
            "motif_id": (s, (), "motif ID from the MEME file"),
            "score": (np.float32, (), "PWM log2-odds score (uniform background)"),
            "attention": (np.float32, (), "most incoming attention any head gives the site's centre token"),
        },
    }


class ScanWriter:
    """Context manager that writes the three scan outputs into `outdir` incrementally.

    `attrs` are extra root attributes (SETTINGS among them); `motifs` are (id, name, probs,
    threshold) tuples stored under /motifs. The HDF5 file appears under its name only on success.
    """

    def __init__(self, outdir, attrs: dict, head_names: list[str], motifs=(), seed: int | None = None,
                 inputs: dict | None = None, created: str | None = None, command: str = ""):
        self.outdir = Path(outdir)
        self.command = command          # provenance: the root `command` attribute
        self.attrs, self.head_names, self.motifs = attrs, head_names, list(motifs)
        self.seed, self.inputs, self.created = seed, inputs, created
        self.n_sequences = self.n_sites = 0

    def __enter__(self):
        from contextlib import ExitStack

        from attnbio.io.results import results_file, write_array, write_group

        self._stack = ExitStack().__enter__()
        self._scores = self._stack.enter_context(open(self.outdir / SCORES_NAME, "w", newline="\n"))
        self._sites = self._stack.enter_context(open(self.outdir / SITES_NAME, "w", newline="\n"))
        self._scores.write("\t".join(SCORE_COLUMNS) + "\n")
        self._sites.write("\t".join(SITE_COLUMNS) + "\n")
        h5 = self._stack.enter_context(results_file(
            self.outdir / H5_NAME, FORMAT, FORMAT_VERSION, self.seed, self.inputs,
            self.attrs.get("model_sha256"), self.created, self.command))
        for k, v in self.attrs.items():
            if k not in ("format", "format_version", "model_sha256"):
                h5.attrs[k] = v
        self.h5 = h5
        groups = {
            "sequences": "Per-sequence model scores, in input order",
            "heads": "Per-sequence, per-head attention summaries (head order in the 'names' attribute)",
            "sites": "PWM motif sites (rows of sites.tsv)",
        }
        # Numeric per-sequence columns fill preallocated blocks: thousands of tiny arrays kept in
        # lists would pin pages between the model's large temporary buffers and let RSS creep.
        self._cols = _columns(len(self.head_names))
        self._ds: dict[str, dict] = {}
        self._block: dict[str, dict] = {}
        self._n_block: dict[str, int] = {}
        for gname, cols in self._cols.items():
            g = write_group(h5, gname, groups[gname])
            self._ds[gname] = {}
            self._block[gname] = {c: ([] if _is_text(dtype) or gname == "sites" else np.empty((BLOCK,) + shape, dtype))
                                  for c, (dtype, shape, _) in cols.items()}
            self._n_block[gname] = 0
            for c, (dtype, shape, desc) in cols.items():
                ds = g.create_dataset(c, shape=(0,) + shape, maxshape=(None,) + shape, dtype=dtype,
                                      chunks=(BLOCK,) + shape, compression="gzip", compression_opts=4)
                ds.attrs["description"] = desc
                self._ds[gname][c] = ds
        h5["heads"].attrs["names"] = ",".join(self.head_names)
        h5["heads"].attrs["token_bp"] = int(self.attrs.get("token_bp", 0))
        h5["sites"].attrs["columns"] = ",".join(SITE_COLUMNS)
        mg = write_group(h5, "motifs", "PWMs scanned for sites; probs is (width, 4) over ACGT")
        for mid, name, probs, threshold in self.motifs:
            sg = write_group(mg, mid, f"motif {mid} ({name})")
            write_array(sg, "probs", np.asarray(probs, dtype=np.float64), "position probability matrix (width, 4)")
            sg.attrs["name"] = name
            sg.attrs["score_threshold"] = float(threshold)
        return self

    def add(self, r) -> None:
        """Append one stream.SeqResult."""
        logit = float(r.logit)
        prob = _sigmoid(logit)
        self._scores.write(f"{r.id}\t{r.length}\t{format_value(logit)}\t{format_value(prob)}\n")
        k = self._n_block["sequences"]
        b, h = self._block["sequences"], self._block["heads"]
        b["seq_id"].append(r.id)
        b["length"][k] = r.length
        b["crop_start"][k] = r.crop_start
        b["logit"][k] = r.logit
        b["prob"][k] = prob
        h["peak_attention"][k] = r.peak
        h["peak_position"][k] = r.peak_bp
        self._n_block["sequences"] = self._n_block["heads"] = k + 1
        s = self._block["sites"]
        for start, end, strand, mid, score, att in r.sites:
            self._sites.write("\t".join((r.id, str(start), str(end), strand, mid, format_value(score),
                                         format_value(att))) + "\n")
            for c, v in zip(SITE_COLUMNS, (r.id, start, end, strand, mid, score, att)):
                s[c].append(v)
        self._n_block["sites"] += len(r.sites)
        self.n_sequences += 1
        self.n_sites += len(r.sites)
        if k + 1 == BLOCK:
            self._flush("sequences")
            self._flush("heads")
        if self._n_block["sites"] >= BLOCK:
            self._flush("sites")

    def set_inputs(self, inputs: dict) -> None:
        """Record the inputs' SHA-256 (path -> digest) once they have been read to the end."""
        import json

        self.inputs = inputs
        self.h5.attrs["input_sha256"] = json.dumps(inputs or {}, sort_keys=True)

    def add_text(self, scores_lines: str, sites_lines: str) -> None:
        """Append raw table lines (already formatted, as in a shard's tables)."""
        self._scores.write(scores_lines)
        self._sites.write(sites_lines)

    def add_arrays(self, group: str, columns: dict) -> None:
        """Append whole columns (arrays of equal length) to one HDF5 group, after what is buffered."""
        self._flush(group)
        n = 0
        for c, values in columns.items():
            self._append(group, c, values)
            n = len(values)
        if group == "sequences":
            self.n_sequences += n
        elif group == "sites":
            self.n_sites += n

    def _append(self, group: str, column: str, values) -> None:
        dtype, shape, _ = self._cols[group][column]
        arr = np.asarray(values, dtype=object if _is_text(dtype) else dtype)
        if len(arr) == 0:
            return
        arr = arr.reshape((-1,) + shape)
        ds = self._ds[group][column]
        n = ds.shape[0]
        ds.resize(n + len(arr), axis=0)
        ds[n:] = arr

    def _flush(self, group: str) -> None:
        from attnbio.io.results import check_writes

        check_writes(self.h5)        # a full disk stops the scan at the next block, not at the end
        k = self._n_block[group]
        if not k:
            return
        for c, block in self._block[group].items():
            if isinstance(block, list):
                self._append(group, c, block)
                block.clear()
            else:
                self._append(group, c, block[:k])
        self._n_block[group] = 0

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            for g in self._block:
                self._flush(g)
            self.h5.attrs["n_sequences"] = self.n_sequences
            self.h5.attrs["n_sites"] = self.n_sites
        return self._stack.__exit__(exc_type, exc, tb)


def _is_text(dtype) -> bool:
    return not isinstance(dtype, str) and np.dtype(dtype).kind == "O"


def _sigmoid(x: float) -> float:
    import math

    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
