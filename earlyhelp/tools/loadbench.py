"""Load benchmark: many people changing the Demand page's filters at once, against one server
(`python -m earlyhelp.tools.loadbench --warehouse DIR`).

For each number of sessions asked for (5, 10 and 20 by default), a fresh `streamlit run` serves
the warehouse on 127.0.0.1. One session goes through every filter change first (so the server
has imported everything and cached the common selections, as it has once anyone has used it),
then the server's memory is read with no session open ("idle"). Then that many browser
sessions (one headless Chromium, one browser context each, driven together by asyncio) arrive
at random within `ramp_s` seconds per session (20 s for 20 sessions), open the Demand page,
and each changes a filter, waits for the chart to be redrawn, pauses as a person would
(`think_ms`, 0.5 to 1.5 times it at random) and changes the next one: district, referral
source, level of need, per week, then each back again, each session with its own district,
source and level, so the sessions ask for different data. No session leaves before all have
made their changes, so every session is open together for most of the run.

For each change it records the time from the click on the choice to the chart being drawn
again with the title the new selection gives, and from the click to the end of the run (the
script finished and nothing on the page left stale), and the server's part of it: from the
browser sending the rerun to the server's "script finished" arriving, both seen on the
websocket. An error is anything a person would see go wrong: a JavaScript error on the page, a
Streamlit exception or error box, a chart that is not redrawn with the right title within
`timeout_ms` (a minute), a page whose first chart is not drawn within `load_timeout_ms` (three
minutes), or the connection to the server closing; and a traceback or error in the server's
log. The server's resident memory is sampled every quarter second; memory per session is
(memory with every session open - idle) / sessions.

Every request goes to the server on this machine, and each session makes a fixed number of
changes, so the benchmark stops by itself. It is a benchmark, not a test: on a small machine
the browsers take most of the processor (every session's page is drawn on the same cores as
the server), so the times are what a person would see if the server's machine also had to draw
all the sessions' charts; the server's own share of the processor is reported beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from earlyhelp.tools.bench import APP, CHROMIUM, CHROMIUM_ARGS, streamlit_command

SESSIONS = (5, 10, 20)
CHANGES = 16
THINK_MS = 1000
#: Seconds over which each session's arrival is spread, per session (20 s for 20 sessions).
RAMP_S = 1.0
TIMEOUT_MS = 60_000
#: A first visit loads and compiles Streamlit's and Plotly's scripts in every session's browser,
#: all on the server's own cores here: a minute and more with 20 sessions on 2 cores.
LOAD_TIMEOUT_MS = 180_000
VIEWPORT = {"width": 1366, "height": 768}
#: Resolves once an element has kept its place for three frames (scrolling has stopped).
STILL = """async (el) => {
    const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
    let last = null, still = 0;
    for (let i = 0; i < 600 && still < 3; i++) {
        await frame();
        const top = el.getBoundingClientRect().top;
        still = top === last ? still + 1 : 0;
        last = top;
    }
}"""
ALL_DISTRICTS, ALL_SOURCES, ALL_LEVELS = "All districts", "All sources", "All levels of need"
#: Referral sources and levels of need with referrals in every demo district.
SOURCES = ("Schools", "Health", "Police", "Individuals", "LA services")
LEVELS = ("Level 2", "Level 3", "Level 1")

#: The run is over: no 'running' status, the script finished, nothing on the page left stale.
RUN_OVER = """(() => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelector('[data-testid="stApp"]')
           ?.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]'))"""
#: The Demand page's chart drawn with this title.
CHART_DRAWN = """(title) => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return !!chart && !!chart.querySelector('.main-svg')
        && chart.querySelector('.gtitle')?.textContent === title;
}"""
ERRORS_SHOWN = """() => document.querySelectorAll(
    '[data-testid="stException"], [data-testid="stAlertContentError"]').length"""
SERVER_ERROR = re.compile(r"Traceback|\bERROR\b|Exception", re.IGNORECASE)


# --- What each session does ------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    district: str = ALL_DISTRICTS
    source: str = ALL_SOURCES
    level: str = ALL_LEVELS
    per: str = "Month"

    def title(self) -> str:
        """The Demand chart's title for this selection (pages/demand.py)."""
        chosen = [
            text
            for text, is_set in (
                (self.district, self.district != ALL_DISTRICTS),
                (f"from {self.source.lower()}", self.source != ALL_SOURCES),
                (self.level.lower(), self.level != ALL_LEVELS),
            )
            if is_set
        ]
        per = "per week" if self.per == "Week" else "per month"
        return f"Referrals {per}, {', '.join(chosen) if chosen else 'whole borough'}"


@dataclass(frozen=True)
class Change:
    """One filter change: a select box (by its label) or a segmented control (by its key)."""

    control: str
    option: str
    select_box: bool

    def apply(self, selection: Selection) -> Selection:
        fields = {"District": "district", "Referral source": "source", "Level of need": "level"}
        return replace(selection, **{fields.get(self.control, self.control): self.option})


def plan(session: int, districts: list[str]) -> list[Change]:
    """The changes session number `session` cycles through: each filter set, then each set back
    (every change gives a new chart title, so its redrawing can be seen)."""
    district = districts[session % len(districts)]
    source = SOURCES[session % len(SOURCES)]
    level = LEVELS[session % len(LEVELS)]
    return [
        Change("District", district, True),
        Change("Referral source", source, True),
        Change("Level of need", level, True),
        Change("per", "Week", False),
        Change("District", ALL_DISTRICTS, True),
        Change("Referral source", ALL_SOURCES, True),
        Change("Level of need", ALL_LEVELS, True),
        Change("per", "Month", False),
    ]


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


# --- One level of load -----------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    changes: int = CHANGES  # filter changes per session
    think_ms: int = THINK_MS  # pause after each change, 0.5 to 1.5 times this at random
    timeout_ms: int = TIMEOUT_MS  # for a change to be drawn, before it counts as an error
    load_timeout_ms: int = LOAD_TIMEOUT_MS  # for the page's first chart, likewise
    ramp_s: float = RAMP_S  # arrivals spread over this many seconds per session
    warm_up: bool = True  # one session through every change before the idle memory is read


@dataclass
class LoadResult:
    sessions: int
    settings: Settings
    chart_ms: list[float] = field(default_factory=list)
    run_over_ms: list[float] = field(default_factory=list)
    #: The server's part of each change: from the browser sending the rerun to the server's
    #: "script finished" message arriving (both seen on the websocket).
    server_ms: list[float] = field(default_factory=list)
    page_load_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    idle_rss: int | None = None
    open_rss: int | None = None
    peak_rss: int | None = None
    server_cpu_s: float | None = None
    wall_s: float = 0.0
    #: The machine's 1-minute load average, sampled through the run (others' work included).
    load_averages: list[float] = field(default_factory=list)

    @property
    def per_session_rss(self) -> float | None:
        if self.idle_rss is None or self.open_rss is None:
            return None
        return (self.open_rss - self.idle_rss) / self.sessions

    @property
    def server_cpu_share(self) -> float | None:
        """The server's CPU time over the run's wall time (1.0 = one core all the time)."""
        if self.server_cpu_s is None or not self.wall_s:
            return None
        return self.server_cpu_s / self.wall_s


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0.95 for the 95th), interpolated between the two nearest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    place = share * (len(ordered) - 1)
    low = int(place)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (place - low)


#: Field numbers in Streamlit's websocket messages (BackMsg.rerun_script, ForwardMsg.
#: script_finished), read from the wire so that this benchmark, like the rest of the library
#: outside earlyhelp/presentation/ui.py, does not import Streamlit.
RERUN_SCRIPT_FIELD = 11
SCRIPT_FINISHED_FIELD = 6


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def _top_level_fields(data: bytes) -> set[int]:
    """The field numbers at the top level of a protobuf message (empty if it does not parse)."""
    found, at = set(), 0
    try:
        while at < len(data):
            key, at = _varint(data, at)
            number, wire = key >> 3, key & 7
            if wire == 0:
                _, at = _varint(data, at)
            elif wire == 1:
                at += 8
            elif wire == 2:
                length, at = _varint(data, at)
                at += length
            elif wire == 5:
                at += 4
            else:
                return set()
            found.add(number)
    except IndexError:
        return set()
    return found


@dataclass
class Person:
    """One session's part: which session it is, what it changes, when it arrives."""

    index: int
    changes: list[Change]
    count: int
    think_ms: int
    start_after_s: float = 0.0
    before_close: Callable[[], Awaitable[None]] | None = None


async def _session(browser, url: str, person: Person, settings: Settings, result: LoadResult):
    """One person: open the Demand page, make `person.count` changes, pausing between them."""
    timeout_ms = settings.timeout_ms
    rng = random.Random(person.index)
    await asyncio.sleep(person.start_after_s)
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    name = f"session {person.index + 1}"
    finished = False

    #: When the change's rerun was sent and its "script finished" arrived (None: not yet).
    rerun: dict[str, float | None] = {"sent": None, "finished": None}

    def on_socket(socket) -> None:
        def closed(_socket) -> None:
            if not finished:
                result.errors.append(f"{name}: the connection to the server closed")

        def sent(payload) -> None:
            if rerun["sent"] is not None or not isinstance(payload, bytes):
                return
            if RERUN_SCRIPT_FIELD in _top_level_fields(payload):
                rerun["sent"] = time.perf_counter()

        def received(payload) -> None:
            # "script finished" is a few bytes: larger messages are not read.
            if rerun["sent"] is None or rerun["finished"] is not None:
                return
            small = isinstance(payload, bytes) and len(payload) < 256
            if small and SCRIPT_FINISHED_FIELD in _top_level_fields(payload):
                rerun["finished"] = time.perf_counter()

        socket.on("close", closed)
        socket.on("framesent", sent)
        socket.on("framereceived", received)

    page.on("pageerror", lambda error: result.errors.append(f"{name}: page error: {error}"))
    page.on("websocket", on_socket)

    async def load() -> Selection:
        selection = Selection()
        started = time.perf_counter()
        await page.goto(f"{url}/demand", timeout=settings.load_timeout_ms)
        await page.wait_for_function(
            f"(title) => ({CHART_DRAWN})(title) && {RUN_OVER}",
            arg=selection.title(),
            timeout=settings.load_timeout_ms,
        )
        result.page_load_ms.append((time.perf_counter() - started) * 1000)
        return selection

    try:
        selection = await load()
        for number in range(person.count):
            change = person.changes[number % len(person.changes)]
            after = change.apply(selection)
            try:
                if change.select_box:
                    box = page.get_by_role("combobox", name=change.control, exact=True)
                    # The filters are in the sidebar, which scrolls on its own: a list opened
                    # while it still scrolls closes again at once.
                    await box.scroll_into_view_if_needed()
                    await box.evaluate(STILL)
                    await box.click()
                    listbox = page.get_by_role("listbox")
                    choice = listbox.get_by_role("option", name=change.option, exact=True)
                    await choice.wait_for()
                else:
                    choice = page.locator(f".st-key-{change.control}").get_by_text(
                        change.option, exact=True
                    )
                rerun.update(sent=None, finished=None)
                started = time.perf_counter()
                await choice.click()
                await page.wait_for_function(CHART_DRAWN, arg=after.title(), timeout=timeout_ms)
                drawn = time.perf_counter()
                await page.wait_for_function(f"() => {RUN_OVER}", timeout=timeout_ms)
                over = time.perf_counter()
                result.chart_ms.append((drawn - started) * 1000)
                result.run_over_ms.append((over - started) * 1000)
                if rerun["sent"] is not None and rerun["finished"] is not None:
                    result.server_ms.append((rerun["finished"] - rerun["sent"]) * 1000)
                shown = await page.evaluate(ERRORS_SHOWN)
                if shown:
                    result.errors.append(f"{name}: {shown} error element(s) after {change}")
                selection = after
            except Exception as exc:  # a timeout or a lost page: counted, then start again
                result.errors.append(f"{name}: change {number + 1} ({change}): {exc!r}"[:500])
                selection = await load()
            await asyncio.sleep(person.think_ms * rng.uniform(0.5, 1.5) / 1000)
    except Exception as exc:
        result.errors.append(f"{name}: {exc!r}"[:500])
    finally:
        if person.before_close is not None:
            await person.before_close()
        finished = True
        await context.close()


async def _sample(pid: int, result: LoadResult, stop: asyncio.Event) -> None:
    """The server's peak memory and the machine's load, four times a second until `stop`."""
    while not stop.is_set():
        rss = rss_bytes(pid)
        if rss is not None:
            result.peak_rss = max(result.peak_rss or 0, rss)
        result.load_averages.append(os.getloadavg()[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.25)


async def _run_level(
    browser, server: Server, sessions: int, settings: Settings, districts: list[str]
) -> LoadResult:
    result = LoadResult(sessions, settings)
    pid = server.process.pid
    if settings.warm_up:  # one session through every change, then the memory with none open
        changes = plan(0, districts)
        warming = LoadResult(1, settings)
        await _session(browser, server.url, Person(0, changes, len(changes), 0), settings, warming)
        result.errors.extend(f"warm-up: {error}" for error in warming.errors)
        await asyncio.sleep(3)
    result.idle_rss = rss_bytes(pid)

    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(pid, result, stop))
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    # No session closes until every one has made its changes: the memory with every session
    # open is read then.
    done, all_done = [0], asyncio.Event()

    async def before_close() -> None:
        done[0] += 1
        if done[0] == sessions:
            result.wall_s = time.perf_counter() - started
            result.open_rss = rss_bytes(pid)
            all_done.set()
        await all_done.wait()

    arrivals = random.Random(sessions)
    people = [
        Person(
            index,
            plan(index, districts),
            settings.changes,
            settings.think_ms,
            arrivals.uniform(0, settings.ramp_s * sessions),
            before_close,
        )
        for index in range(sessions)
    ]
    await asyncio.gather(*(_session(browser, server.url, p, settings, result) for p in people))
    cpu_after = cpu_seconds(pid)
    stop.set()
    await sampler
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu_s = cpu_after - cpu_before
    return result


def districts_in(warehouse: Path) -> list[str]:
    from earlyhelp.query.runner import QueryRunner
    from earlyhelp.tools.bench import ANALYST

    return QueryRunner.open(warehouse).run("districts", role=ANALYST)["district"].to_list()


def run_load(
    warehouse: Path,
    sessions: tuple[int, ...] = SESSIONS,
    settings: Settings = Settings(),  # noqa: B008 (frozen)
    log_dir: Path | None = None,
) -> list[LoadResult]:
    """Each level of load against a fresh server; the server's log goes to `log_dir`. Without
    `settings.warm_up` the sessions start on a server that has served nothing (a quick check
    of this code, not a measurement)."""
    import tempfile

    from playwright.async_api import async_playwright

    districts = districts_in(warehouse)
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="loadbench-"))

    async def everything() -> list[LoadResult]:
        results = []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for count in sessions:
                    server = Server(warehouse, log_dir / f"server-{count}.log")
                    try:
                        result = await _run_level(browser, server, count, settings, districts)
                    finally:
                        server.stop()
                    result.errors.extend(server.log_errors())
                    results.append(result)
            finally:
                await browser.close()
        return results

    # In a thread of its own: the caller may be running an event loop already (pytest-playwright's
    # sync API does, once any browser test has run).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, everything()).result()


# --- The report ------------------------------------------------------------------------------
def _mb(value: float | None) -> str:
    return "" if value is None else f"{value / 1e6:,.0f}"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _cpu_per_change(result: LoadResult) -> str:
    """The server's CPU time over the run per change (the sessions' page loads included)."""
    if result.server_cpu_s is None or not result.chart_ms:
        return ""
    return f"{result.server_cpu_s * 1000 / len(result.chart_ms):,.0f}"


def load_report(results: list[LoadResult]) -> str:
    lines = [
        "| sessions | changes | errors | chart redrawn: median (ms) | 95th percentile (ms) "
        "| run over: median (ms) | 95th percentile (ms) "
        "| server's part: median (ms) | 95th percentile (ms) | page load: median (ms) "
        "| server memory idle (MB) | with every session open (MB) | peak (MB) "
        "| per session (MB) | run (s) | server CPU (cores) | server CPU per change (ms) "
        "| load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        share = r.server_cpu_share
        load = statistics.mean(r.load_averages) if r.load_averages else float("nan")
        lines.append(
            f"| {r.sessions} | {len(r.chart_ms)} | {len(r.errors)} "
            f"| {_median(r.chart_ms):,.0f} | {percentile(r.chart_ms, 0.95):,.0f} "
            f"| {_median(r.run_over_ms):,.0f} | {percentile(r.run_over_ms, 0.95):,.0f} "
            f"| {_median(r.server_ms):,.0f} | {percentile(r.server_ms, 0.95):,.0f} "
            f"| {_median(r.page_load_ms):,.0f} "
            f"| {_mb(r.idle_rss)} | {_mb(r.open_rss)} | {_mb(r.peak_rss)} "
            f"| {_mb(r.per_session_rss)} | {r.wall_s:.0f} "
            f"| {'' if share is None else f'{share:.2f}'} | {_cpu_per_change(r)} | {load:.1f} |"
        )
    errors = [(r.sessions, error) for r in results for error in r.errors]
    if errors:
        lines += ["", "Errors:", ""]
        lines += [f"- {count} sessions: {error}" for count, error in errors[:50]]
        if len(errors) > 50:
            lines.append(f"- and {len(errors) - 50} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m earlyhelp.tools.loadbench",
        description="Concurrent browser sessions changing the Demand page's filters.",
    )
    parser.add_argument("--warehouse", required=True, help="the warehouse to serve")
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=list(SESSIONS), help="levels of load"
    )
    parser.add_argument("--changes", type=int, default=CHANGES, help="changes per session")
    parser.add_argument(
        "--think-ms", type=int, default=THINK_MS, help="pause after a change (0.5 to 1.5 times)"
    )
    parser.add_argument(
        "--ramp-s", type=float, default=RAMP_S, help="arrivals spread over this per session"
    )
    parser.add_argument("--timeout-ms", type=int, default=TIMEOUT_MS, help="for each change")
    parser.add_argument(
        "--load-timeout-ms", type=int, default=LOAD_TIMEOUT_MS, help="for the page's first chart"
    )
    parser.add_argument("--log-dir", default=None, help="where the server logs go")
    parser.add_argument("--out", default=None, help="also write the report (Markdown) here")
    args = parser.parse_args(argv)
    settings = Settings(
        args.changes, args.think_ms, args.timeout_ms, args.load_timeout_ms, args.ramp_s
    )
    results = run_load(
        Path(args.warehouse),
        tuple(args.sessions),
        settings,
        Path(args.log_dir) if args.log_dir else None,
    )
    report = load_report(results)
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
