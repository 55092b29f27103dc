"""JASPAR and HOMER motif files: Biopython reads our JASPAR back, our HOMER reader gives back the PWM."""
import itertools

import numpy as np
import pytest
from Bio import motifs as bio_motifs

from attnbio.errors import InputError
from attnbio.io.motif_formats import Motif, consensus, read_homer, read_meme, write_homer, write_jaspar, write_meme


def _motifs():
    rng = np.random.default_rng(7)
    return [Motif(f"attnbio_m{i + 1}", "", rng.dirichlet(np.full(4, 0.4), size=w), nsites)
            for i, (w, nsites) in enumerate([(8, 37), (12, 1500), (6, 0)])]


def test_jaspar_reads_back_in_biopython(tmp_path):
    ms = _motifs()
    write_jaspar(tmp_path / "m.jaspar", ms)
    with open(tmp_path / "m.jaspar") as fh:
        back = list(bio_motifs.parse(fh, "jaspar"))
    assert [b.matrix_id for b in back] == [m.id for m in ms]
    assert [b.name for b in back] == [consensus(m.probs) for m in ms]
    for m, b in zip(ms, back):
        counts = np.array([b.counts[x] for x in "ACGT"]).T              # (width, 4)
        n = m.nsites or 100
        assert counts.sum(axis=1) == pytest.approx(np.full(m.width, n), abs=0.02)
        # counts are written with 2 decimals: each within 0.005 of probs x n
        assert np.abs(counts - m.probs * n).max() <= 0.005 + 1e-9
        assert np.abs(counts / counts.sum(axis=1, keepdims=True) - m.probs).max() <= 0.025 / n


def test_homer_round_trip_within_rounding(tmp_path):
    ms = _motifs()
    thresholds = [6.25, 11.0, 3.5]
    write_homer(tmp_path / "m.homer", ms, thresholds)
    headers = [line for line in (tmp_path / "m.homer").read_text().splitlines() if line.startswith(">")]
    assert headers[0].split("\t") == [">" + consensus(ms[0].probs), "attnbio_m1", "6.250000"]
    back = read_homer(tmp_path / "m.homer")
    assert [b.id for b, _ in back] == [m.id for m in ms]
    assert [t for _, t in back] == thresholds
    for m, (b, _) in zip(ms, back):
        assert b.probs.shape == m.probs.shape
        assert np.abs(b.probs - m.probs).max() < 2e-3                    # 3 decimals, renormalised


@pytest.mark.parametrize("text, line", [("0.1\t0.2\t0.3\t0.4\n", 1),
                                        (">AC\tm1\t5.0\n0.1\t0.2\t0.7\n", 2),
                                        (">AC\tm1\n0.1\t0.2\t0.3\t0.4\n", 1),
                                        (">AC\tm1\tx\n0.1\t0.2\t0.3\t0.4\n", 1)])
def test_homer_reader_names_the_bad_line(tmp_path, text, line):
    (tmp_path / "bad.motif").write_text(text)
    with pytest.raises(InputError, match=rf"bad\.motif: line {line}:"):
        read_homer(tmp_path / "bad.motif")


def test_homer_threshold_is_the_site_pvalue_in_natural_log(tmp_path):
    """Every 6-mer scored as HOMER does (sum of ln odds): the written threshold passes <= p of them."""
    from types import SimpleNamespace

    from attnbio.motifs import pwm as P
    from attnbio.motifs.outputs import write_motif_exports

    probs = np.random.default_rng(3).dirichlet(np.full(4, 0.3), size=6)
    write_motif_exports(tmp_path, [SimpleNamespace(id="attnbio_m1", probs=probs, sites=[], match=None)],
                        site_pvalue=0.01)
    (_, thr), = read_homer(tmp_path / "motifs.homer")
    ln_odds = np.log(2) * P.log_odds(probs)                               # the matrix sites.tsv scores with
    kmers = np.array(list(itertools.product(range(4), repeat=6)))
    scores = ln_odds[np.arange(6), kmers].sum(axis=1)
    frac = float((scores >= thr - 1e-9).mean())
    assert 0.003 < frac <= 0.01                        # log2 units would pass far fewer (thr x 1.44)


def test_meme_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    ms = [Motif("attnbio_m1", "ACGT", rng.dirichlet(np.ones(4), size=7), 12)]
    write_meme(tmp_path / "m.meme", ms)
    back = read_meme(tmp_path / "m.meme")
    assert back[0].id == "attnbio_m1" and back[0].nsites == 12
    assert np.allclose(back[0].probs, ms[0].probs, atol=1e-5)
    from Bio import motifs as bio_motifs
    with open(tmp_path / "m.meme") as fh:
        parsed = bio_motifs.parse(fh, "minimal")
    assert parsed[0].name == "attnbio_m1" and parsed[0].length == 7
