"""report.html: self-contained, names every motif and pair, renders offline in headless Chromium."""
import re
import shutil
import subprocess

import numpy as np
import pytest

from attnbio.motifs.grammar import PairCall
from attnbio.motifs.report import render_report, write_report
from tests.motifs.helpers_grammar import found_motifs, pair_sequences

SUMMARY = {"title": "test report", "command": "attnbio motifs p.fa -o out", "inputs": {"p.fa": "ab" * 32},
           "metrics": {"test_auroc": 0.91}, "versions": {"attnbio": "0.1.0"}, "settings": {"seed": 3}}


@pytest.fixture(scope="module")
def content():
    seqs = pair_sequences(40, 120, 24, seed=0)
    motifs = found_motifs(seqs)
    motifs[0].match = {"id": "MA0001.1", "name": "TFA", "q": 1e-4}
    motifs[1].match = {"id": "MA0002.1", "name": "TFB", "q": 0.3}
    h = np.r_[np.zeros(24), 30, np.zeros(76)]
    pairs = [PairCall(0, 1, 24, "++", 1.0, ["L1H1", "L2H3"], 30, 0.5, 1e-12, 1e-10, 0.2, h, h / 30,
                      effect=1.5, effect_random=0.1, effect_p=1e-8, status="attention+effect"),
             PairCall(0, 2, 41, "+-", 0.6, ["L2H2"], 12, 2.0, 1e-4, 0.01, 1.5, h, h / 10,
                      effect=0.0, effect_random=0.0, effect_p=0.6, status="attention_only")]
    return motifs, pairs


def test_report_names_every_motif_and_pair_and_needs_no_network(content, tmp_path):
    motifs, pairs = content
    page = render_report(SUMMARY, motifs, pairs, 120)
    for m in motifs:
        assert page.count(m.id) >= 2                             # table row and card
    assert "TFA</b> (MA0001.1)" in page
    # a match at q >= 0.05 is no name: shown as the closest profile, with its q, and left out of the table
    assert "no database match at q &lt; 0.05</span> (closest: TFB, q = 0.3)" in page
    assert "<td>TFB</td>" not in page and "<td>TFA</td>" in page
    assert "attnbio_m1 &rarr; attnbio_m2 at 24 bp" in page and "attnbio_m1 &rarr; attnbio_m3 at 41 bp" in page
    assert "attention_only" in page and "0.91" in page
    # every image inline, no external resource of any kind
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) == 2 * len(motifs) + len(pairs) + 0
    assert not re.search(r'(src|href)\s*=\s*"(?!data:)', page) and "http" not in page.replace("http-equiv", "")
    assert page == render_report(SUMMARY, motifs, pairs, 120)   # same input, same bytes


def test_report_without_pairs_says_so(content):
    motifs, _ = content
    page = render_report(SUMMARY, motifs, [], 120)
    assert "No motif pair" in page


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (apt-get install -y chromium)")
def test_report_renders_offline_in_headless_chromium(content, tmp_path):
    motifs, pairs = content
    path = tmp_path / "report.html"
    write_report(path, SUMMARY, motifs, pairs, 120)
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--enable-logging=stderr",
           "--v=0", "--dump-dom", path.as_uri()]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    dom = p.stdout
    n_img = 2 * len(motifs) + len(pairs)
    assert f'data-images="{n_img} loaded, 0 broken"' in dom, dom[-500:]
    for m in motifs:
        assert m.id in dom
    assert "attnbio_m1 → attnbio_m3 at 41 bp" in dom
    console_errors = [l for l in p.stderr.splitlines() if "CONSOLE" in l and ("Error" in l or "Uncaught" in l)]
    assert not console_errors, console_errors
