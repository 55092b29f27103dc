"""What every secondary command promises at the command line: listed in --help under its own
heading, one-line errors with exit status 2 and no output folder for bad input."""
import re

import pytest
from click.testing import CliRunner

from attnbio.cli import SECONDARY_COMMANDS, cli, main

SEVEN = ["oddoneout", "gan", "fusion", "forecast", "pde", "rl", "causal"]


def test_help_lists_the_seven_under_the_secondary_heading():
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    text = r.output
    main_at, secondary_at = text.index("Main commands:"), text.index("Secondary commands:")
    assert main_at < secondary_at
    section = text[secondary_at:]
    # A command's line starts with two spaces; wrapped help continues with more.
    listed = [m.group(1) for m in re.finditer(r"^  (\S+)", section, flags=re.M)]
    assert listed == SEVEN == list(SECONDARY_COMMANDS)
    for name in SEVEN:
        assert f"  {name} " not in text[:secondary_at]       # not also under the main heading


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _series(n=120):
    return "v\n" + "".join(f"{(i % 12) + 0.1 * i}\n" for i in range(n))


BAD = {
    "oddoneout --objects 2": ["oddoneout", "--objects", "2"],
    "oddoneout --tau inf": ["oddoneout", "--tau", "inf"],
    "oddoneout --noise nan": ["oddoneout", "--noise", "0,nan"],
    "oddoneout --noise abc": ["oddoneout", "--noise", "0,abc"],
    "gan --steps 0": ["gan", "--steps", "0"],
    "gan --batch 100000": ["gan", "--batch", "100000"],
    "fusion --fault-size inf": ["fusion", "--fault-size", "inf"],
    "fusion --tau-max inf": ["fusion", "--tau-max", "inf"],
    "fusion --n-tau 1": ["fusion", "--n-tau", "1"],
    "pde --ratios 1e-300": ["pde", "--ratios", "1e-300"],
    "pde --ratios nan": ["pde", "--ratios", "0.1,nan"],
    "rl --tau inf": ["rl", "--tau", "inf"],
    "rl --remedies magic": ["rl", "--remedies", "magic"],
    "causal --sites 100000": ["causal", "--sites", "100000"],
    "causal --confounding nan": ["causal", "--confounding", "nan"],
    "forecast --period nan": ["forecast", "--dataset", "co2", "--period", "nan"],
    "forecast --tau 0": ["forecast", "--dataset", "co2", "--tau", "0"],
    "forecast SERIES and --dataset": ["forecast", "--dataset", "co2", "{csv:good.csv}", "--column", "v"],
    "forecast missing file": ["forecast", "{missing}", "--column", "v"],
    "forecast no --column": ["forecast", "{csv:good.csv}"],
    "forecast unknown column": ["forecast", "{csv:good.csv}", "--column", "w"],
    "forecast empty file": ["forecast", "{csv:empty.csv}", "--column", "v"],
    "forecast binary file": ["forecast", "{bin}", "--column", "v"],
    "forecast text in column": ["forecast", "{csv:text.csv}", "--column", "v"],
    "forecast inf in column": ["forecast", "{csv:inf.csv}", "--column", "v"],
    "forecast too short": ["forecast", "{csv:short.csv}", "--column", "v"],
    "forecast constant": ["forecast", "{csv:const.csv}", "--column", "v"],
    "forecast horizon too long": ["forecast", "{csv:good.csv}", "--column", "v", "--horizon", "100"],
}
FILES = {"good.csv": _series(), "empty.csv": "", "short.csv": "v\n1\n2\n3\n",
         "text.csv": _series(60) + "five\n" + _series(60)[2:], "inf.csv": _series() + "inf\n",
         "const.csv": "v\n" + "3\n" * 100}
WHAT = {"forecast text in column": "not a finite number", "forecast inf in column": "not a finite number",
        "forecast unknown column": "no column 'w'", "forecast missing file": "no such file",
        "forecast constant": "no periodic component"}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2_and_leaves_no_outdir(case, tmp_path, capsys):
    def fill(arg):
        if arg.startswith("{csv:"):
            return _csv(tmp_path, arg[5:-1], FILES[arg[5:-1]])
        if arg == "{missing}":
            return str(tmp_path / "missing.csv")
        if arg == "{bin}":
            path = tmp_path / "bin.csv"
            path.write_bytes(bytes(range(128, 256)) * 3)
            return str(path)
        return arg

    out = tmp_path / "out"
    with pytest.raises(SystemExit) as err:
        main(["-q", *map(fill, BAD[case]), "-o", str(out)])
    assert err.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("attnbio: error: "), lines
    assert "Traceback" not in lines[0]
    if case in WHAT:
        assert WHAT[case] in lines[0]
    assert not out.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")]   # no half-written folder
