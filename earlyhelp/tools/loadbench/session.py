"""One browser session of the load benchmark: open the Demand page, change its filters and
time each redraw, the server's part read from Streamlit's websocket messages."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from earlyhelp.tools.loadbench.plan import Change, Selection
from earlyhelp.tools.loadbench.results import LoadResult, Settings

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


#: Field numbers in Streamlit's websocket messages (BackMsg.rerun_script, ForwardMsg.
#: script_finished), read from the wire so that this benchmark, like the rest of the library
#: outside earlyhelp/ui/, does not import Streamlit.
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
