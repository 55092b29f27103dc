"""attnbio scan / merge: streaming, equality of sharded and unsharded runs, numbers, errors."""
import itertools
import math

import h5py
import numpy as np
import pytest
import torch

from attnbio.cli import main
from attnbio.io.fasta import Record, read_fasta
from attnbio.io.motif_formats import read_meme
from attnbio.io.tables import read_tsv
from attnbio.motifs.model import load_model
from attnbio.motifs.outputs import SITE_COLUMNS
from attnbio.scan.split import shard_sizes, split_fasta
from attnbio.scan.stream import ScanConfig, padded_length, prepare_pwms, scan_records
from h5compare import RUN_ATTRS, assert_same_content

ML = 256          # small max length: crops some of the 40-400 bp test sequences


def run(args, capsys):
    """Run the CLI in-process -> (exit status, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(["-q", *map(str, args)])
    return exc.value.code, capsys.readouterr().err


def scan(tiny, fasta, out, capsys, *extra):
    code, err = run(["scan", "--model", tiny["model"], "--motifs", tiny["motifs"], fasta, "-o", out,
                     "--max-length", ML, "--threads", 1, *extra], capsys)
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def whole(tiny, tmp_path_factory):
    """One unsharded scan of the whole test FASTA (shared by the tests below)."""
    out = tmp_path_factory.mktemp("whole") / "out"
    code = None
    try:
        main(["-q", "scan", "--model", str(tiny["model"]), "--motifs", str(tiny["motifs"]), str(tiny["fasta"]),
              "-o", str(out), "--max-length", str(ML), "--threads", "1"])
    except SystemExit as exc:
        code = exc.code
    assert code == 0
    return out


def test_outputs_have_the_documented_columns_and_numbers(whole, tiny):
    scores = read_tsv(whole / "scores.tsv")
    assert (whole / "scores.tsv").read_text().split("\n", 1)[0] == "seq_id\tlength\tlogit\tprob"
    assert (whole / "sites.tsv").read_text().split("\n", 1)[0] == "\t".join(SITE_COLUMNS)
    assert [r["seq_id"] for r in scores] == [rid for rid, _ in tiny["records"]]
    assert [int(r["length"]) for r in scores] == [len(s) for _, s in tiny["records"]]
    for r in scores:
        assert float(r["prob"]) == pytest.approx(1 / (1 + math.exp(-float(r["logit"]))), abs=2e-6)
    sites = read_tsv(whole / "sites.tsv")
    assert len(sites) > 10
    lengths = dict(tiny["records"])
    widths = {m.id: m.width for m in read_meme(tiny["motifs"])}
    for s in sites:
        start, end = int(s["start"]), int(s["end"])
        assert end - start == widths[s["motif_id"]]
        assert 0 <= start < end <= len(lengths[s["seq_id"]])
        assert s["strand"] in "+-" and float(s["score"]) > 0 and 0 < float(s["attention"]) <= 1
    with h5py.File(whole / "scan.h5") as h5:
        assert h5.attrs["format"] == "attnbio.scan" and h5.attrs["n_sequences"] == 300
        assert h5["heads/peak_attention"].shape == (300, 2)        # 1 layer x 2 heads
        assert h5["heads"].attrs["names"] == "L1H1,L1H2"
        assert h5["sites/start"].shape[0] == len(sites)
        assert h5["sequences/seq_id"].asstr()[:3].tolist() == ["seq0000", "seq0001", "seq0002"]
        np.testing.assert_allclose(h5["sequences/logit"][:], [float(r["logit"]) for r in scores], rtol=1e-5)
        assert h5["sequences"]["logit"].maxshape == (None,)         # written by appending


def test_sharded_scan_merged_equals_unsharded(whole, tiny, tmp_path, capsys):
    sizes = split_fasta(tiny["fasta"], [tmp_path / f"s{i}.fa" for i in range(3)])
    assert sizes == [100, 100, 100]
    shards = []
    for i, threads in enumerate((1, 2, 1)):          # thread count must not change a bit
        shards.append(scan(tiny, tmp_path / f"s{i}.fa", tmp_path / f"o{i}", capsys, "--threads", threads))
    code, err = run(["merge", *shards, "-o", tmp_path / "merged"], capsys)
    assert code == 0, err
    for name in ("scores.tsv", "sites.tsv"):
        assert (tmp_path / "merged" / name).read_bytes() == (whole / name).read_bytes()
    assert_same_content(tmp_path / "merged" / "scan.h5", whole / "scan.h5")
    with h5py.File(tmp_path / "merged" / "scan.h5") as h5:
        assert set(h5.attrs) - {"merged_from"} == set(h5py.File(whole / "scan.h5").attrs)
        assert "merged_from" in h5.attrs and "merged_from" in RUN_ATTRS
    # Order matters: shards merged in another order give the rows in that order.
    code, _ = run(["merge", shards[1], shards[0], shards[2], "-o", tmp_path / "swapped"], capsys)
    assert code == 0
    assert (tmp_path / "swapped" / "scores.tsv").read_bytes() != (whole / "scores.tsv").read_bytes()


def _results(tiny, records, **cfg):
    model, _ = load_model(tiny["model"])
    pwms = prepare_pwms(read_meme(tiny["motifs"]), 1e-4)
    return {r.id: r for r in scan_records(records, model, pwms, ScanConfig(max_length=ML, **cfg))}


def test_a_sequence_result_does_not_depend_on_its_batch_neighbours(tiny):
    """The property that makes shards mergeable: same bits whatever shares the batch."""
    records = list(read_fasta(tiny["fasta"]))[:120]
    a = _results(tiny, records)
    b = _results(tiny, records[::-1], max_pending=3)        # other neighbours, part-full batches
    for rid, r in a.items():
        s = b[rid]
        assert r.logit.tobytes() == s.logit.tobytes()
        assert r.peak.tobytes() == s.peak.tobytes() and np.array_equal(r.peak_bp, s.peak_bp)
        assert r.sites == s.sites


def test_scores_and_attention_match_the_model_run_directly(tiny):
    from attnbio.motifs.discover import attention_profiles
    from attnbio.motifs.encode import one_hot

    model, _ = load_model(tiny["model"])
    records = list(read_fasta(tiny["fasta"]))[:40]
    res = _results(tiny, records)
    for rec in records:
        seq = rec.sequence
        crop = max(0, (len(seq) - ML) // 2)
        x, mask, _ = one_hot([seq[crop:crop + ML]], length=padded_length(min(len(seq), ML), ScanConfig(max_length=ML)))
        with torch.no_grad():
            logit = model.predict_both_strands(torch.from_numpy(x), torch.from_numpy(mask)).item()
        n_heads = model.cfg.n_layers * model.cfg.n_heads
        prof = attention_profiles(model, x, mask)[0][:n_heads]       # incoming side: (heads, tokens)
        r = res[rec.id]
        assert r.crop_start == crop
        assert float(r.logit) == pytest.approx(logit, abs=1e-5)
        np.testing.assert_allclose(r.peak, prof.max(axis=1), atol=1e-6)
        np.testing.assert_array_equal(r.peak_bp, prof.argmax(axis=1) * model.cfg.pool + crop)


def test_sites_match_the_motifs_commands_site_finder(tiny):
    from attnbio.motifs.discover import find_sites
    from attnbio.motifs.encode import one_hot

    short = [s.upper() for _, s in tiny["records"][:60] if len(s) <= ML]
    records = [Record(f"r{i}", "", s) for i, s in enumerate(short)]
    res = _results(tiny, records)
    x, mask, _ = one_hot([r.sequence for r in records], length=ML)
    n_found = 0
    for m in read_meme(tiny["motifs"]):
        s, p, strand, score = find_sites(m, x, mask, 1e-4)
        got = sorted((int(rid[1:]), site[0], site[2], site[4]) for rid, r in res.items()
                     for site in r.sites if site[3] == m.id)
        want = sorted((int(a), int(b), str(c), round(float(d), 3)) for a, b, c, d in zip(s, p, strand, score))
        assert got == want
        n_found += len(want)
    assert n_found > 5


def test_scan_streams_records_instead_of_reading_them_all(tiny):
    """The first results come out after one batch has been read, not after the whole input."""
    pulled = 0
    seqs = [s for _, s in tiny["records"]]

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield Record(f"e{i}", "", seqs[i % len(seqs)])

    model, _ = load_model(tiny["model"])
    stream = scan_records(endless(), model, [], ScanConfig(max_length=ML, batch_size=8, max_pending=32))
    first = list(itertools.islice(stream, 50))
    assert [r.id for r in first] == [f"e{i}" for i in range(50)]
    assert pulled <= 50 + 32 + 1


def test_split_sizes_are_even_and_contiguous(tiny, tmp_path):
    assert shard_sizes(10, 3) == [4, 3, 3] and shard_sizes(3, 3) == [1, 1, 1]
    outs = [tmp_path / f"{i}.fa" for i in range(4)]
    split_fasta(tiny["fasta"], outs)
    ids = [r.id for o in outs for r in read_fasta(o)]
    assert ids == [rid for rid, _ in tiny["records"]]


def test_threads_option_and_slurm_default(tiny, tmp_path, capsys, monkeypatch):
    before = torch.get_num_threads()
    try:
        scan(tiny, tiny["fasta"], tmp_path / "a", capsys, "--threads", 1)
        assert torch.get_num_threads() == 1
        monkeypatch.setenv("SLURM_CPUS_PER_TASK", "3")
        code, err = run(["scan", "--model", tiny["model"], tiny["fasta"], "-o", tmp_path / "b", "--max-length", ML],
                        capsys)
        assert code == 0, err
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without a GPU")
def test_device_cuda_without_gpu_is_a_clear_error(tiny, tmp_path, capsys):
    code, err = run(["scan", "--model", tiny["model"], tiny["fasta"], "-o", tmp_path / "o", "--device", "cuda"],
                    capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and "no CUDA device" in err
    assert not (tmp_path / "o").exists()


def _one_line_exit_2(args, capsys, must_name):
    code, err = run(args, capsys)
    assert code == 2, err
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    assert must_name in err, err
    return err


def test_bad_inputs_exit_2_with_one_line_and_no_output(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    base = ["scan", "--model", tiny["model"], "--max-length", ML, "-o", out]
    _one_line_exit_2(base + [tmp_path / "missing.fa"], capsys, "missing.fa")
    # A bad record after several full batches: the partial output must vanish.
    bad = tmp_path / "bad.fa"
    good = (tiny["fasta"]).read_text()
    bad.write_text(good + ">broken\nACGT-ACGT\n")
    err = _one_line_exit_2(base + [bad], capsys, "bad.fa")
    assert "broken" in err
    prot = tmp_path / "prot.fa"
    prot.write_text(">p1\nMEEPQSDPSVEPPLSQETFSDLWKLLPENNVLSPLPSQAMDDLMLSPDDIEQWFTEDPGP\n")
    _one_line_exit_2(base + [prot], capsys, "protein")
    _one_line_exit_2(["scan", "--model", tmp_path / "nomodel.safetensors", tiny["fasta"], "-o", out], capsys,
                     "nomodel.safetensors")
    notmeme = tmp_path / "x.meme"
    notmeme.write_text("hello\n")
    _one_line_exit_2(base + ["--motifs", notmeme, tiny["fasta"]], capsys, "x.meme")
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_merge_refuses_shards_that_do_not_belong_together(tiny, tmp_path, capsys):
    split_fasta(tiny["fasta"], [tmp_path / "a.fa", tmp_path / "b.fa"])
    a = scan(tiny, tmp_path / "a.fa", tmp_path / "a", capsys)
    code, err = run(["scan", "--model", tiny["model"], "--motifs", tiny["motifs"], tmp_path / "b.fa",
                     "-o", tmp_path / "b", "--max-length", 300, "--threads", 1], capsys)
    assert code == 0, err
    out = tmp_path / "m"
    _one_line_exit_2(["merge", a, tmp_path / "b", "-o", out], capsys, "max_length")
    _one_line_exit_2(["merge", a, a, "-o", out], capsys, "given twice")
    _one_line_exit_2(["merge", a, tmp_path / "nothing", "-o", out], capsys, "nothing")
    (tmp_path / "a" / "sites.tsv").unlink()
    _one_line_exit_2(["merge", a, "-o", out], capsys, "sites.tsv")
    assert not out.exists()
