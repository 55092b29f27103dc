"""Output folders: replaced as a whole, never a mix of two runs, umask honoured, leftovers cleaned."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attnbio.errors import InputError
from attnbio.io import outdir as od
from attnbio.io.outdir import MARKER, remove_leftovers, staged_outdir

BIN = Path(sys.executable).parent


def _write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(text)


def test_an_earlier_result_is_replaced_as_a_whole(tmp_path):
    out = tmp_path / "out"
    with staged_outdir(out) as t:
        _write(t, {"a.tsv": "old a", "stale.png": "old only"})
    with staged_outdir(out) as t:
        _write(t, {"a.tsv": "new a"})
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.tsv"]      # stale.png is gone
    assert (out / "a.tsv").read_text() == "new a"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]                 # nothing hidden left


def test_a_failed_run_keeps_the_earlier_result_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    with staged_outdir(out) as t:
        _write(t, {"a.tsv": "old"})
    with pytest.raises(RuntimeError):
        with staged_outdir(out) as t:
            _write(t, {"a.tsv": "half"})
            raise RuntimeError("boom")
    assert (out / "a.tsv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_empty_folder_is_filled_and_foreign_folder_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()                              # as the workflow pre-creates shard folders
    with staged_outdir(empty) as t:
        _write(t, {"a.tsv": "x"})
    assert (empty / "a.tsv").read_text() == "x"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep me")
    with pytest.raises(InputError, match="does not hold an attnbio result"):
        with staged_outdir(mine) as t:
            pass
    assert (mine / "thesis.tex").read_text() == "keep me"


@pytest.mark.parametrize("umask,mode", [(0o022, 0o755), (0o002, 0o775), (0o077, 0o700)])
def test_folder_mode_follows_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        with staged_outdir(tmp_path / "out") as t:
            _write(t, {"a.tsv": "x"})
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == mode


def test_leftovers_of_killed_runs_are_removed_but_not_those_of_live_runs(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = od._host()
    names = {
        f".out.partial-{dead.pid}-0badc0de-{host}": False,       # killed run of this host: removed
        f".out.old-{dead.pid}-0badc0de-{host}": False,
        f".out.partial-{os.getppid()}-0badc0de-{host}": True,    # a live process: kept
        ".out.partial-ab12_x9z": False,                           # an earlier version's mkdtemp name
        f".other.partial-{dead.pid}-0badc0de-{host}": True,       # another output's: not ours
    }
    for n in names:
        (tmp_path / n).mkdir()
        (tmp_path / n / ".scan.h5.tmp-123").write_text("partial")
    with staged_outdir(tmp_path / "out") as t:
        _write(t, {"a.tsv": "x"})
    left = {p.name for p in tmp_path.iterdir()} - {"out"}
    assert left == {n for n, keep in names.items() if keep}
    assert remove_leftovers(tmp_path, "out") == []


def test_disk_errors_are_recognised_in_library_messages():
    assert od.disk_errno(OSError(28, "No space left on device")) == 28
    assert od.disk_errno(RuntimeError("file write failed: errno = 28, error message = 'No space'")) == 28
    assert od.disk_errno(RuntimeError("I/O error: No space left on device (os error 28)")) == 28
    assert od.disk_errno(OSError(2, "No such file")) is None


CHILD = r"""
import os, sys, time
import attnbio.io.outdir as od
slow = float(os.environ["SLOW_S"])
orig_rename, orig_exchange, orig_swap = os.rename, od._exchange, od._swap_in
def rename(a, b, *k, **kw):      # every rename of the commit is slow, so a kill can land inside it
    time.sleep(slow); orig_rename(a, b, *k, **kw); time.sleep(slow)
def exchange(a, b):
    if os.environ.get("NO_EXCHANGE"):
        return False
    time.sleep(slow); ok = orig_exchange(a, b); time.sleep(slow); return ok
def swap_in(tmp, path):
    sys.stderr.write("COMMIT\n"); sys.stderr.flush(); orig_swap(tmp, path)
od.os.rename, od._exchange, od._swap_in = rename, exchange, swap_in
out, tag = sys.argv[1], sys.argv[2]
with od.staged_outdir(out) as t:         # what every command does, with a result of five files
    for i in range(5):
        (t / f"table{i}.tsv").write_text(f"{tag} {i}\n" * 100)
    if tag == "old":
        (t / "heatmaps").mkdir()
        (t / "heatmaps" / "p.png").write_text("only the old run wrote this")
"""


def _run(out, tag):
    return [sys.executable, "-c", CHILD, str(out), tag]


def _snapshot(folder):
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("no_exchange", ["", "1"])
def test_kill_9_during_the_commit_leaves_the_old_or_the_new_result(tmp_path, no_exchange):
    env = dict(os.environ, OMP_NUM_THREADS="1", SLOW_S="0.1", NO_EXCHANGE=no_exchange)
    refs = {}
    for seed, tag in ((1, "old"), (2, "new")):
        ref = tmp_path / f"ref{seed}"
        assert subprocess.run(_run(ref, tag), env=env, capture_output=True).returncode == 0
        refs[seed] = _snapshot(ref)
    assert refs[1] != refs[2]
    seen = set()
    for delay in (0.0, 0.15, 0.25, 0.4, 1.5):
        out = tmp_path / "out"
        subprocess.run(["cp", "-a", str(tmp_path / "ref1"), str(out)], check=True)
        proc = subprocess.Popen(_run(out, "new"), env=env, stderr=subprocess.PIPE, text=True)
        assert proc.stderr.readline().strip() == "COMMIT"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _snapshot(out)
        hidden = [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
        if no_exchange and now is None:
            # Killed between the two renames of the fallback: no OUTDIR (never a mix), and the
            # earlier result intact under its hidden name.
            old = [p for p in hidden if p.name.startswith(".out.old-")]
            assert len(old) == 1 and _snapshot(old[0]) == refs[1]
            seen.add("none")
        else:
            assert now in (refs[1], refs[2]), f"a mix after a kill {delay} s into the commit"
            seen.add(1 if now == refs[1] else 2)
        # The next run into the same place removes what the killed one left and writes the result.
        assert subprocess.run(_run(out, "new"), env=env, capture_output=True).returncode == 0
        assert _snapshot(out) == refs[2]
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
        subprocess.run(["rm", "-rf", str(out)], check=True)
    assert 1 in seen and 2 in seen           # the kills landed before and after the swap


def test_a_full_disk_inside_the_run_is_one_output_error_and_the_earlier_result_stays(tmp_path):
    import errno

    from attnbio.errors import OutputError

    out = tmp_path / "out"
    with staged_outdir(out) as t:
        _write(t, {"a.tsv": "old"})
    with pytest.raises(OutputError, match="No space left on device.*nothing was written"):
        with staged_outdir(out) as t:
            _write(t, {"a.tsv": "half"})
            raise OSError(errno.ENOSPC, "No space left on device")
    assert (out / "a.tsv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "out").write_text("a user's file")
    with pytest.raises(InputError, match="exists and is not a folder"):
        with staged_outdir(tmp_path / "out"):
            pass
    assert (tmp_path / "out").read_text() == "a user's file"


def test_a_linked_outdir_is_filled_through_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    for text in ("first", "second"):
        with staged_outdir(tmp_path / "link") as t:
            _write(t, {"a.tsv": text})
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real" / "a.tsv").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_without_an_atomic_exchange_the_old_result_still_goes_as_a_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(od, "_exchange", lambda a, b: False)     # e.g. a network filesystem
    out = tmp_path / "out"
    with staged_outdir(out) as t:
        _write(t, {"a.tsv": "old", "stale.png": "old only"})
    with staged_outdir(out) as t:
        _write(t, {"a.tsv": "new"})
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.tsv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]        # no .out.old-* left


def test_other_hosts_leftovers_are_kept_for_a_day(tmp_path):
    young, old = ".out.partial-123-0badc0de-otherhost", ".out.old-456-0badc0de-otherhost"
    for name in (young, old):
        (tmp_path / name).mkdir()
    past = time.time() - od.OTHER_HOST_MAX_AGE_S - 60
    os.utime(tmp_path / old, (past, past))
    assert remove_leftovers(tmp_path, "out") == [tmp_path / old]   # that host may still be writing young
    assert [p.name for p in tmp_path.iterdir()] == [young]


def test_atomic_path_is_a_hidden_sibling_named_after_this_process(tmp_path):
    tmp = od.atomic_path(tmp_path / "sub" / "motifs.meme")
    assert tmp.parent == tmp_path / "sub"                 # same folder: the rename cannot cross disks
    assert tmp.name == f".motifs.meme.tmp-{os.getpid()}"


def test_atomic_file_renames_on_success_and_leaves_nothing_on_error(tmp_path):
    from attnbio.io.outdir import atomic_file

    target = tmp_path / "t.tsv"
    target.write_text("old\n")
    with atomic_file(target) as tmp:
        tmp.write_text("new\n")
        assert target.read_text() == "old\n" and tmp.parent == tmp_path   # same folder: one rename
    assert target.read_text() == "new\n"
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk went away")
    assert target.read_text() == "new\n" and sorted(p.name for p in tmp_path.iterdir()) == ["t.tsv"]
