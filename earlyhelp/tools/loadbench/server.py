"""The load benchmark's server: `streamlit run app.py` on a free local port, its log, and
its memory and CPU time read from /proc."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from earlyhelp.tools.bench import APP, streamlit_command

SERVER_ERROR = re.compile(r"Traceback|\bERROR\b|Exception", re.IGNORECASE)


# --- The server and its memory ---------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status_kb(pid: int, field_name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes(pid: int) -> int | None:
    """The process's resident memory now (Linux's /proc), or None where there is no /proc."""
    kb = _status_kb(pid, "VmRSS")
    return None if kb is None else kb * 1024


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`streamlit run app.py` on a free port of 127.0.0.1, its output kept in a log file."""

    def __init__(self, warehouse: Path, log_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, "EARLYHELP_WAREHOUSE": str(warehouse)}
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                streamlit_command(APP, self.port),
                cwd=APP.parent,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start:\n{log_path.read_text()}")
            time.sleep(0.25)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                return True
        except OSError:
            return False

    def log_errors(self) -> list[str]:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [f"server: {line.strip()}" for line in lines if SERVER_ERROR.search(line)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
