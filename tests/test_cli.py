import subprocess
import sys
import time

from attnbio.cli import MAIN_COMMANDS, SECONDARY_COMMANDS


def run(*args):
    return subprocess.run([sys.executable, "-m", "attnbio.cli", *args], capture_output=True, text=True)


def test_help_lists_both_sections_and_is_fast():
    t0 = time.perf_counter()
    r = run("--help")
    assert r.returncode == 0
    assert "Main commands" in r.stdout and "Secondary commands" in r.stdout
    for name in list(MAIN_COMMANDS) + list(SECONDARY_COMMANDS):
        assert name in r.stdout
    # --help must not import torch: check in-process rather than by wall time.
    code = "import sys; from attnbio.cli import cli; import click; " \
           "from click.testing import CliRunner; CliRunner().invoke(cli, ['--help']); " \
           "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert out == "False"
    assert time.perf_counter() - t0 < 60


def test_version():
    r = run("--version")
    assert r.returncode == 0 and "attnbio, version" in r.stdout


def test_unknown_command_is_usage_error():
    r = run("no-such-command")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_option_errors_are_one_line_with_exit_2():
    for args in (["motifs", "x.fa", "-o", "out", "--threads", "0"], ["motifs"], ["nosuch"],
                 ["motifs", "x.fa", "-o", "out", "--device", "tpu"]):
        p = run(*args)
        lines = p.stderr.strip().splitlines()
        assert p.returncode == 2 and len(lines) == 1 and lines[0].startswith("attnbio: error:"), (args, p.stderr)
