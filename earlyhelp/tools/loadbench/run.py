"""Runs the load benchmark: a fresh server per level of load, the sessions together in one
headless Chromium, the server's memory, CPU and the machine's load sampled."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import random
import time
from pathlib import Path

from earlyhelp.tools.bench import CHROMIUM, CHROMIUM_ARGS
from earlyhelp.tools.loadbench.plan import plan
from earlyhelp.tools.loadbench.results import LoadResult, Settings
from earlyhelp.tools.loadbench.server import Server, cpu_seconds, rss_bytes
from earlyhelp.tools.loadbench.session import Person, _session

SESSIONS = (5, 10, 20)


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
