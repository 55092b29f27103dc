"""motifs.jaspar, motifs.homer and logos/<id>.png/.svg: written, valid, byte-identical across processes."""
import subprocess
import sys
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import numpy as np
import pytest

from attnbio.io.motif_formats import read_homer
from attnbio.motifs.outputs import write_motif_exports

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPORT = """
from types import SimpleNamespace
import numpy as np
from attnbio.motifs.outputs import write_motif_exports

def export(outdir):
    rng = np.random.default_rng(11)
    ms = [SimpleNamespace(id=f"attnbio_m{i}", probs=rng.dirichlet(np.full(4, 0.3), size=w), sites=[0] * 25,
                          match={"name": "TFX", "q": 0.001} if i == 1 else None) for i, w in ((1, 10), (2, 7))]
    write_motif_exports(outdir, ms)
"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The same exports written in a fresh interpreter and in this one."""
    base = tmp_path_factory.mktemp("exports")
    a, b = base / "a", base / "b"
    a.mkdir()
    b.mkdir()
    subprocess.run([sys.executable, "-c", EXPORT + "\nimport sys\nexport(sys.argv[1])\n", str(a)], check=True)
    namespace = {}
    exec(EXPORT, namespace)
    namespace["export"](b)
    return a, b


def test_exports_are_written_and_valid(two_runs):
    out, _ = two_runs
    assert [m.id for m, _ in read_homer(out / "motifs.homer")] == ["attnbio_m1", "attnbio_m2"]
    assert (out / "motifs.jaspar").read_text().startswith(">attnbio_m1 ")
    assert sorted(p.name for p in (out / "logos").iterdir()) == [
        "attnbio_m1.png", "attnbio_m1.svg", "attnbio_m2.png", "attnbio_m2.svg"]
    from PIL import Image

    for mid, width in (("attnbio_m1", 10), ("attnbio_m2", 7)):
        png = (out / "logos" / f"{mid}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(out / "logos" / f"{mid}.png") as im:
            im.load()
            assert im.width > im.height > 50                   # a wide logo, not an empty canvas
            colours = np.unique(np.asarray(im.convert("RGB")).reshape(-1, 3), axis=0)
            assert len(colours) > 8                            # four letter colours and antialiasing
        root = ET.parse(out / "logos" / f"{mid}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        # letters are drawn as filled paths in the logo colours, one per base and position at most
        fills = [el.get("style", "") for el in root.iter("{http://www.w3.org/2000/svg}path")]
        assert width <= sum(any(c in f.lower() for c in ("#109648", "#255c99", "#f7b32b", "#d62839"))
                            for f in fills) <= 4 * width


def test_exports_are_byte_identical_across_processes(two_runs):
    a, b = two_runs
    names = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert len(names) == 6
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_unsafe_motif_id_is_refused(tmp_path):
    m = SimpleNamespace(id="../x", probs=np.full((6, 4), 0.25), sites=[], match=None)
    with pytest.raises(ValueError, match="not safe"):
        write_motif_exports(tmp_path, [m])
    assert list(tmp_path.iterdir()) == []                      # nothing written
