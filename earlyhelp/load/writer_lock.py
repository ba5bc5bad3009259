"""One writer at a time per warehouse: the writer lock, and removing what killed writers left.

Ingest and rebuild (and publish) hold `writer_lock`, an flock on `<warehouse>/.lock` that the
kernel releases when the process ends, however it ends (kill -9 included). A second writer is
refused at once with one line naming the process holding it (`WarehouseBusy`), or waits for it
when given `wait` seconds. Holding the lock proves no other writer is running, so the working
folders and temporary files that killed runs left behind (LEFTOVERS) are removed as soon as it
is taken. Readers never take the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import inspect
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from earlyhelp.load.layout import CURRENT, current_version_dir

LOCK_FILE = ".lock"
# What a writer killed part way leaves in the warehouse folder: removed under the lock.
LEFTOVERS = (".staging-*", ".rebuild-*", ".ingest-*", f".{CURRENT}.*")


# --- One writer at a time ------------------------------------------------------------------------
class WarehouseBusy(Exception):
    """Another ingest or rebuild holds the warehouse's lock."""


@dataclass
class WriterLock:
    """This process's hold on one warehouse's lock, and what taking it removed."""

    warehouse_dir: Path
    removed: list[str] = field(default_factory=list)

    def removed_line(self) -> str | None:
        """One line naming what earlier, stopped runs left behind and was removed (or None)."""
        if not self.removed:
            return None
        return f"Removed what stopped runs left in {self.warehouse_dir}: {', '.join(self.removed)}"


_HELD: dict[tuple[Path, int], WriterLock] = {}  # (warehouse, thread) -> its lock


@contextmanager
def writer_lock(
    warehouse_dir: Path,
    *,
    purpose: str = "write",
    create: bool = True,
    wait: float = 0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[WriterLock]:
    """Hold the warehouse's writer lock for the block. A missing warehouse folder is created
    (and removed again if nothing was published in it), or with `create=False` (a rebuild)
    reported as WarehouseMissing.

    The lock is an flock on `<warehouse>/.lock`: the kernel releases it when the process ends,
    however it ends, so a killed writer never leaves the warehouse locked. Taken, it records this
    process (pid, host, start time, `purpose`) in the file for the message a second writer gets,
    and removes the leftovers of killed runs (LEFTOVERS; listed in `WriterLock.removed`). On
    release the file is removed (a writer that finds it replaced takes the new one).

    Held already by this thread (a publish inside an ingest), it is simply held on. Held by
    anyone else: `WarehouseBusy` at once, with one line naming the holder; or, with `wait`
    seconds, `on_wait` is told once and the lock is tried again until then. Readers never take it.
    """
    warehouse_dir = Path(warehouse_dir).resolve()
    key = (warehouse_dir, threading.get_ident())
    if key in _HELD:
        yield _HELD[key]
        return
    created = not warehouse_dir.is_dir()
    if created and not create:
        current_version_dir(warehouse_dir)  # raises WarehouseMissing, naming the folder
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = warehouse_dir / LOCK_FILE
    fd = _take_lock(path, wait, on_wait)
    try:
        _write_holder(fd, purpose)
        lock = WriterLock(warehouse_dir, remove_leftovers(warehouse_dir))
        _HELD[key] = lock
        yield lock
    finally:
        _HELD.pop(key, None)
        path.unlink(missing_ok=True)  # while still holding it: whoever opened it will retry
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):  # not empty: something was published
                warehouse_dir.rmdir()


def holding_writer_lock(purpose: str, create: bool = True) -> Callable:
    """A decorator: the function runs holding `writer_lock` on its `warehouse_dir` argument."""

    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def locked(*args, **kwargs):
            warehouse_dir = signature.bind(*args, **kwargs).arguments["warehouse_dir"]
            with writer_lock(Path(warehouse_dir), purpose=purpose, create=create):
                return function(*args, **kwargs)

        return locked

    return decorate


def _take_lock(path: Path, wait: float, on_wait: Callable[[str], None] | None) -> int:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:  # a first writer that published nothing removed the folder
            path.parent.mkdir(parents=True, exist_ok=True)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path.parent} is in use by {holder}: one ingest or rebuild at a time, "
                    f"so try again when it has finished (or give --wait SECONDS)"
                ) from None
            if on_wait is not None and not told:
                on_wait(f"Waiting up to {wait:g} s for {holder} to finish with {path.parent}")
                told = True
            time.sleep(max(0.0, min(0.2, deadline - time.monotonic())))
            continue
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # its holder removed the file as it let go: take the file there now


def _write_holder(fd: int, purpose: str) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "purpose": purpose,
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)


def _holder(fd: int) -> str:
    """Who holds the lock, from what they wrote in the lock file."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return (
            f"process {holder['pid']} on {holder['host']} ({holder['purpose']}, "
            f"started {holder['started']})"
        )
    except (ValueError, KeyError, TypeError, OSError):
        return "another process"  # it has only just taken the lock


def _named_after_a_running_process(name: str) -> bool:
    prefix, _, rest = name.partition("-")
    pid = rest.split("-", 1)[0]
    if prefix not in (".ingest", ".rebuild") or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_leftovers(warehouse_dir: Path) -> list[str]:
    """Remove the working folders and temporary files that killed writers left in the
    warehouse folder, and name them. Only safe while holding the writer lock.

    A scratch folder named after a process that is still running (`.ingest-<pid>-...`,
    `.rebuild-<pid>-...`) is kept: an ingest of an earlier release, which takes no lock, may be
    using it."""
    removed = []
    for pattern in LEFTOVERS:
        for path in sorted(warehouse_dir.glob(pattern)):
            if _named_after_a_running_process(path.name):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
