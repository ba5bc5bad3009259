"""One writer at a time per warehouse (issue 18, point 5): a second ingest or rebuild is
refused with one line (or waits with --wait); a writer killed with SIGKILL leaves the lock
reclaimable, and the next one removes what it left behind; readers never need the lock.

Subprocesses are synchronised on lines they print (never on time): the machines are slow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from earlyhelp.cli import BUSY_EXIT
from earlyhelp.load import warehouse
from earlyhelp.load.ingest import ingest
from earlyhelp.query.runner import QueryRunner
from tests.test_ingest import write_minimal_ssd

REPO = Path(__file__).resolve().parent.parent

# A child that holds the writer lock until told to let go (a line on its stdin).
HOLD = """
import sys
from pathlib import Path
from earlyhelp.load import warehouse
with warehouse.writer_lock(Path(sys.argv[1]), purpose="ingest"):
    print("holding", flush=True)
    sys.stdin.readline()
"""

# A child whose ingest stops while building its version, until it is killed.
STUCK_INGEST = """
import sys, threading
from pathlib import Path
from earlyhelp.load import warehouse
from earlyhelp.load.ingest import ingest

def stuck(staging, *args, **kwargs):
    (staging / "tables").mkdir(parents=True)
    print("building", flush=True)
    threading.Event().wait()

warehouse._build_version = stuck
ingest([Path(sys.argv[1])], Path(sys.argv[2]), key_path=Path(sys.argv[3]))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "EARLYHELP_KEY_FILE": str(tmp_path / "k")}


def cli(tmp_path: Path, *args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "earlyhelp", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(tmp_path),
    )


def child(tmp_path: Path, script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=_env(tmp_path),
    )


def dot_entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path]:
    """(extract, warehouse) with one version published."""
    extract = write_minimal_ssd(tmp_path / "extract")
    ingest([extract], tmp_path / "wh", key_path=tmp_path / "k")
    return extract, (tmp_path / "wh").resolve()


def make_leftovers(wh: Path) -> list[str]:
    """What killed runs leave: a staging folder, a rebuild's and an ingest's scratch folders and
    CURRENT's temporary file. In the order the removal line names them. (A scratch folder named
    after a process still running is kept: an earlier release's ingest takes no lock.)"""
    staging = wh / ".staging-20260101T000000000000Z-deadbeef"
    (staging / "tables").mkdir(parents=True)
    (staging / "tables" / "children.parquet").write_bytes(b"half written")
    ended = subprocess.Popen(["true"])
    ended.wait()  # its process id now belongs to no running process
    (wh / f".rebuild-{ended.pid}-0123456789ab").mkdir()
    (wh / f".ingest-{ended.pid}-0123456789ab" / "parts").mkdir(parents=True)
    (wh / ".CURRENT.0badcafe").write_text("20260101T000000000000Z\n")
    return [
        ".staging-20260101T000000000000Z-deadbeef",
        f".rebuild-{ended.pid}-0123456789ab",
        f".ingest-{ended.pid}-0123456789ab",
        ".CURRENT.0badcafe",
    ]


def test_a_second_ingest_or_rebuild_is_refused_with_one_line(published, tmp_path):
    extract, wh = published
    before = (wh / warehouse.CURRENT).read_text()
    with warehouse.writer_lock(wh, purpose="ingest"):
        for args in (("ingest", extract), ("rebuild",)):
            done = cli(tmp_path, *args, "--warehouse", wh)
            assert done.returncode == BUSY_EXIT, done.stderr
            assert done.stdout == ""
            assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
            assert done.stderr.startswith(f"error: {wh} is in use by process {os.getpid()} on ")
            assert "(ingest, started " in done.stderr
            assert "one ingest or rebuild at a time" in done.stderr
    assert (wh / warehouse.CURRENT).read_text() == before


def test_the_lock_is_one_writer_even_within_a_process_and_held_on_by_its_holder(tmp_path):
    wh = tmp_path / "wh"
    refused = []

    def other_thread():
        try:
            with warehouse.writer_lock(wh):
                pass
        except warehouse.WarehouseBusy as exc:
            refused.append(str(exc))

    with warehouse.writer_lock(wh, purpose="ingest") as lock:
        with warehouse.writer_lock(wh) as again:  # a publish inside the ingest
            assert again is lock
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert (wh / warehouse.LOCK_FILE).exists()
    assert len(refused) == 1 and f"process {os.getpid()}" in refused[0]
    assert not (wh / warehouse.LOCK_FILE).exists()  # removed when let go
    with warehouse.writer_lock(wh) as lock:  # and free again
        assert lock.removed == []


def test_readers_do_not_need_the_lock(published):
    _extract, wh = published
    with warehouse.writer_lock(wh, purpose="ingest"):
        runner = QueryRunner.open(wh)
        assert runner.run("districts")["district"].to_list() == ["East", "North", "South"]
        assert warehouse.current_version_dir(wh).is_dir()


def test_a_killed_ingest_leaves_the_lock_reclaimable_and_its_leftovers_are_removed(
    published, tmp_path
):
    extract, wh = published
    before = (wh / warehouse.CURRENT).read_text().strip()
    stuck = child(tmp_path, STUCK_INGEST, extract, wh, tmp_path / "k")
    try:
        assert stuck.stdout.readline() == "building\n", stuck.stderr.read()
        refused = cli(tmp_path, "ingest", extract, "--warehouse", wh)
        assert refused.returncode == BUSY_EXIT
        assert f"in use by process {stuck.pid} on " in refused.stderr
        assert QueryRunner.open(wh).run("districts").height == 3  # the app reads on
    finally:
        stuck.send_signal(signal.SIGKILL)
        stuck.wait()
        stuck.stdin.close()
        stuck.stdout.close()
        stuck.stderr.close()
    assert stuck.returncode == -signal.SIGKILL
    left = dot_entries(wh)
    staging = [n for n in left if n.startswith(".staging-")]
    work = [n for n in left if n.startswith(".ingest-")]
    assert len(staging) == 1 and work == [f".ingest-{stuck.pid}-{work[0].rsplit('-', 1)[1]}"]
    assert left == sorted([".lock", *staging, *work])  # the killed ingest could not tidy up

    done = cli(tmp_path, "ingest", extract, "--warehouse", wh)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        f"Removed what stopped runs left in {wh}: {staging[0]}, {work[0]}"
    )
    assert dot_entries(wh) == []
    after = (wh / warehouse.CURRENT).read_text().strip()
    assert after != before and (wh / warehouse.VERSIONS / after).is_dir()


def test_the_next_ingest_removes_leftovers(published, tmp_path):
    extract, wh = published
    make_leftovers(wh)
    running = wh / f".rebuild-{os.getpid()}-cafe"  # named after this process: still running
    running.mkdir()
    ingest([extract], wh, key_path=tmp_path / "k")
    assert dot_entries(wh) == [running.name]
    running.rmdir()
    names = make_leftovers(wh)
    done = cli(tmp_path, "ingest", extract, "--warehouse", wh)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"Removed what stopped runs left in {wh}: " + ", ".join(
        names
    )
    assert dot_entries(wh) == []


def test_the_next_rebuild_removes_leftovers(published, tmp_path):
    _extract, wh = published
    make_leftovers(wh)
    warehouse.rebuild(wh)
    assert dot_entries(wh) == []
    names = make_leftovers(wh)
    done = cli(tmp_path, "rebuild", "--warehouse", wh)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"Removed what stopped runs left in {wh}: " + ", ".join(
        names
    )
    assert dot_entries(wh) == []


def test_with_wait_a_second_ingest_waits_for_the_first(published, tmp_path):
    extract, wh = published
    before = (wh / warehouse.CURRENT).read_text().strip()
    holder = child(tmp_path, HOLD, wh)
    waiter = None
    try:
        assert holder.stdout.readline() == "holding\n", holder.stderr.read()
        waiter = subprocess.Popen(
            [sys.executable, "-m", "earlyhelp", "ingest", str(extract), "--warehouse", str(wh),
             "--wait", "3600"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
            env=_env(tmp_path),
        )  # fmt: skip
        line = waiter.stderr.readline()
        assert line.startswith(f"Waiting up to 3600 s for process {holder.pid} on "), line
        holder.communicate("done\n")  # let go
        out, err = waiter.communicate()
        assert waiter.returncode == 0, err
    finally:
        for process in (holder, waiter):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert holder.returncode == 0
    assert (wh / warehouse.CURRENT).read_text().strip() != before
    assert dot_entries(wh) == []
