"""Naming motifs: Tomtom against a MEME file or JASPAR, the motifs.tsv columns, bad --motif-db."""
import subprocess
import sys

import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.io.motif_formats import Motif, write_meme
from attnbio.io.tables import read_tsv
from attnbio.motifs.outputs import write_motif_files
from attnbio.motifs.pipeline import MotifsRequest, _motif_db, annotate_motifs
from tests.motifs.helpers_grammar import A_SITE, B_SITE, C_SITE, found_motifs, pair_sequences, pwm


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "db.meme"
    rng = np.random.default_rng(0)
    decoys = [Motif(f"X{i}", f"decoy{i}", rng.dirichlet(np.full(4, 0.3), size=10)) for i in range(20)]
    write_meme(path, [Motif("MA_A", "TFA", pwm(A_SITE, 0.85)), Motif("MA_B", "TFB", pwm(B_SITE, 0.85))] + decoys)
    return path


def test_motifs_are_named_from_a_meme_file_and_written_to_motifs_tsv(db_file, tmp_path):
    seqs = pair_sequences(40, 120, 24, seed=0)
    motifs = found_motifs(seqs)
    annotate_motifs(motifs, _motif_db(MotifsRequest("p.fa", tmp_path, motif_db=str(db_file))))
    assert motifs[0].match["id"] == "MA_A" and motifs[0].match["q"] < 0.05
    assert motifs[1].match["id"] == "MA_B" and motifs[1].match["q"] < 0.05
    assert motifs[2].match["q"] > motifs[0].match["q"]             # C is in no database
    write_motif_files(tmp_path, motifs, [f"s{i}" for i in range(len(seqs))], np.zeros(len(seqs), int),
                      (0.25,) * 4)
    rows = read_tsv(tmp_path / "motifs.tsv")
    assert [r["match_id"] for r in rows[:2]] == ["MA_A", "MA_B"] and rows[1]["match_name"] == "TFB"
    assert float(rows[0]["match_q"]) < 0.05


def test_a_jaspar_profile_is_named_by_itself():
    from attnbio.motifs.annotate import best_matches
    from attnbio.motifs.jaspar import load_jaspar

    db = load_jaspar("vertebrates")
    target = next(m for m in db if m.name == "CTCF")
    noisy = 0.8 * target.probs + 0.2 * np.random.default_rng(1).dirichlet(np.ones(4), size=target.width)
    match = best_matches([noisy[::-1, ::-1]], db)[0]        # the reverse complement, noisier
    assert match["name"] == "CTCF" and match["q"] < 0.05


@pytest.mark.parametrize("content", [b"MOTIF x\n1 0 0 0\n", b"\x00\x01\x02 binary", None])
def test_unreadable_motif_db_is_one_line_exit_2_before_training(tmp_path, content):
    fa = tmp_path / "p.fa"
    fa.write_text("".join(f">s{i}\n{'ACGT' * 10}\n" for i in range(30)))
    db = tmp_path / "db.meme"
    if content is None:
        db.mkdir()                      # a folder, not a file
    else:
        db.write_bytes(content)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "attnbio.cli", "motifs", str(fa), "--motif-db", str(db),
                        "--epochs", "1", "-o", str(out)], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert "db.meme" in p.stderr
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_empty_or_missing_database_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such|not found|file"):
        _motif_db(MotifsRequest("p.fa", tmp_path, motif_db=str(tmp_path / "missing.meme")))
    with pytest.raises(InputError):
        _motif_db(MotifsRequest("p.fa", tmp_path, taxon="mammals"))


def _sampled_windows(profile, rng, n=300, flank=6):
    """n site windows: `flank` random bases, a site drawn from `profile`, `flank` random bases."""
    w = profile.shape[0]
    out = rng.integers(0, 4, size=(n, w + 2 * flank))
    for k in range(w):
        out[:, flank + k] = rng.choice(4, size=n, p=profile[k] / profile[k].sum())
    return out.astype(np.uint8)


def test_site_sequences_decide_between_paralog_profiles():
    """Arx and Alx1 share the TAATTA core; a soft, trimmed core matrix cannot tell them apart,
    the sites it came from can (and without sites the Tomtom order stands)."""
    from attnbio.motifs.annotate import best_matches
    from attnbio.motifs.jaspar import load_jaspar

    db = load_jaspar("vertebrates")
    arx, alx1 = (next(m for m in db if m.name == name) for name in ("Arx", "Alx1"))
    core = 0.85 * arx.probs[2:] + 0.15 * 0.25
    rng = np.random.default_rng(0)
    tomtom_only = best_matches([core], db)[0]
    by_sites = [best_matches([core], db, [_sampled_windows(p.probs, rng)])[0] for p in (arx, alx1)]
    assert [m["name"] for m in by_sites] == ["Arx", "Alx1"]
    assert all(m["q"] < 0.05 for m in by_sites)
    assert best_matches([core], db, [None])[0] == tomtom_only


def test_sites_cannot_pull_the_name_outside_the_tomtom_shortlist():
    """SOX2 sites under a CTCF matrix: the name stays among the CTCF matrix's five best matches."""
    from attnbio.motifs.annotate import best_matches, tomtom_pvalues
    from attnbio.motifs.jaspar import load_jaspar

    db = load_jaspar("vertebrates")
    ctcf, sox2 = (next(m for m in db if m.name == name) for name in ("CTCF", "SOX2"))
    p = tomtom_pvalues([ctcf.probs], [m.probs for m in db])[0]
    shortlist = {db[k].name for k in np.argsort(p, kind="stable")[:5]}
    windows = _sampled_windows(sox2.probs, np.random.default_rng(0))
    name = best_matches([ctcf.probs], db, [windows])[0]["name"]
    assert name in shortlist and "SOX2" not in shortlist


def test_a_motif_named_only_in_another_taxon_gets_a_one_line_warning():
    """M1BP (insects) has no vertebrate match at q < 0.05: the warning says where it does match."""
    from types import SimpleNamespace

    from attnbio.motifs.jaspar import load_jaspar
    from attnbio.motifs.pipeline import other_taxa_warning

    m1bp = next(m for m in load_jaspar("insects") if m.name == "M1BP")
    motif = SimpleNamespace(id="attnbio_m1", probs=m1bp.probs, site_windows=None, match={"q": 0.3})
    req = SimpleNamespace(motif_db=None, taxon="vertebrates")
    warning = other_taxa_warning([motif], req)
    assert warning is not None and "\n" not in warning
    assert "insects" in warning and "M1BP" in warning and "--taxon insects" in warning
    motif.match = {"q": 0.001}                       # named where it stands: nothing to say
    assert other_taxa_warning([motif], req) is None
