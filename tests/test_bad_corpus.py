"""Every file of tests/data/bad/ through every command that reads it: exit 2, one line, no
traceback, no output folder (issue 16). tests/data/bad/make_corpus.py writes the files and says
which case of the issue each keeps."""
import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from attnbio.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
WEIGHTS = ROOT / "attnbio" / "weights"
GOOD_DNA = ROOT / "data" / "examples" / "positives.fa.gz"
GOOD_STRUCTURE = ROOT / "tests" / "data" / "protein" / "two_chains.pdb"
BUNDLED = {"motifs": "motifs_example", "protein": "protein", "refine": "refine"}


def _files(sub):
    return sorted(p.name for p in (BAD / sub).iterdir() if p.is_file())


def _model(tmp_path, name) -> Path:
    """The corpus card `name` beside weights it describes (bundled; one NaN for *_nan_weights)."""
    from safetensors.torch import load_file, save_file

    from attnbio.io.weights import sha256_file

    kind = name.split("_")[0]
    weights = tmp_path / f"{name}.safetensors"
    src = WEIGHTS / f"{BUNDLED[kind]}.safetensors"
    if name.endswith("_nan_weights"):
        tensors = load_file(str(src))
        key = next(k for k, t in sorted(tensors.items()) if t.is_floating_point() and t.numel() > 1)
        tensors[key] = tensors[key].clone()
        tensors[key].view(-1)[0] = float("nan")
        save_file(tensors, str(weights))
    else:
        shutil.copyfile(src, weights)
    text = (BAD / "models" / f"{name}.json").read_text().replace("@weights", sha256_file(weights))
    weights.with_suffix(".json").write_text(text)
    return weights


@pytest.fixture(scope="module")
def dna(tmp_path_factory):
    """25 good DNA records (for the model-card cases; more than the 20 that training needs, so
    that a command reaches the model whatever it checks first)."""
    records = gzip.open(GOOD_DNA, "rt").read().split(">")[1:26]
    lines = "".join(">" + r for r in records).splitlines()
    path = tmp_path_factory.mktemp("good") / "good.fa"
    path.write_text("\n".join(lines) + "\n")
    return path


CASES = (
    [(f"fasta_dna/{f}", cmd) for f in _files("fasta_dna") for cmd in ("motifs", "scan")]
    + [(f"fasta_protein/{f}", "protein") for f in _files("fasta_protein")]
    + [(f"structures/{f}", cmd) for f in _files("structures") for cmd in ("protein", "refine")]
    + [(f"models/{f}", cmd) for f in _files("models")
       for cmd in {"motifs": ("motifs", "scan"), "protein": ("protein",), "refine": ("refine",)}[f.split("_")[0]]]
)


def _args(case, command, tmp_path, dna):
    sub, name = case.split("/")
    motif_model = WEIGHTS / "motifs_example.safetensors"
    if sub == "models":
        model = _model(tmp_path, name[:-5])
        return {"motifs": ["motifs", dna, "--model", model], "scan": ["scan", dna, "--model", model],
                "protein": ["protein", GOOD_STRUCTURE, "--model", model],
                "refine": ["refine", GOOD_STRUCTURE, "--model", model]}[command]
    path = BAD / case
    return {"motifs": ["motifs", path, "--model", motif_model], "scan": ["scan", path, "--model", motif_model],
            "protein": ["protein", path, "--no-heatmaps"], "refine": ["refine", path]}[command]


def _big_pdb(path: Path, chains: int, length: int) -> Path:
    """A C-alpha-only structure of `chains` chains x `length` residues (a 3.8 A random walk)."""
    rng = np.random.default_rng(0)
    ids = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    lines, serial = [], 1
    for c in range(chains):
        steps = rng.normal(size=(length, 3))
        xyz = np.cumsum(3.8 * steps / np.linalg.norm(steps, axis=1, keepdims=True), axis=0) + 60 * c
        for i, (x, y, z) in enumerate(xyz):
            lines.append(f"ATOM  {serial % 100000:5d}  CA  ALA {ids[c]}{i + 1:4d}    {x:8.3f}{y:8.3f}{z:8.3f}"
                         f"  1.00 20.00           C")
            serial += 1
    path.write_text("\n".join(lines) + "\nEND\n")
    return path


# issue 16, sizes: these died with exit 1 ("can't allocate memory", 1.6-8.5 GB); now refused at once
BIG = [("chain_5000", 1, 5000, "protein"), ("chain_5000", 1, 5000, "refine"), ("chains_40x126", 40, 126, "refine")]


@pytest.mark.parametrize("name,chains,length,command", BIG, ids=[f"{b[0]}-{b[3]}" for b in BIG])
def test_too_large_is_refused_at_once(name, chains, length, command, tmp_path, capsys):
    path = _big_pdb(tmp_path / f"{name}.pdb", chains, length)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as e:
        main(["-q", command, str(path), "--threads", "1", "-o", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and len(lines) == 1, lines
    assert "at most" in lines[0] and ("--chain" in lines[0]) and not out.exists()


@pytest.mark.parametrize("case,command", CASES, ids=[f"{c}-{cmd}" for c, cmd in CASES])
def test_bad_input_is_one_line_exit_2_and_no_output(case, command, tmp_path, dna, capsys):
    out = tmp_path / "out"
    args = [str(a) for a in ["-q", *_args(case, command, tmp_path, dna), "--threads", "1", "-o", out]]
    with pytest.raises(SystemExit) as e:
        main(args)
    lines = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("attnbio: error: "), lines
    assert "Traceback" not in lines[0]
    assert not out.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_every_corpus_file_is_used():
    used = {c for c, _ in CASES}
    on_disk = {f"{d.name}/{p.name}" for d in BAD.iterdir() if d.is_dir() for p in d.iterdir()}
    assert used == on_disk
    for name in _files("models"):
        text = (BAD / "models" / name).read_text()
        card = json.loads(text)
        assert isinstance(card, list) or card.get("kind", "").startswith("attnbio.")
