"""Charts as PNG images for a committee pack: each figure from the app's builders exported with
Plotly's static export (kaleido 1.x, which drives the system chromium: /usr/bin/chromium, or
the browser named by BROWSER_PATH). One chromium is kept running for the process, so a pack's
charts do not each pay for starting a browser; exports are taken one at a time (a lock), so
sessions building packs at once share it safely while their queries run on their own threads."""

from __future__ import annotations

import atexit
import threading

import kaleido

from earlyhelp.presentation.pack.model import Chart

SCALE = 2  # pixels per layout pixel: sharp when printed or projected
_lock = threading.Lock()
_started = False


def _start() -> None:
    global _started
    if not _started:
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _started = True


def png(chart: Chart) -> bytes:
    """The chart drawn as the app draws it, at the pack's size."""
    fig = chart.figure
    with _lock:
        _start()
        return kaleido.calc_fig_sync(
            fig,
            opts={
                "format": "png",
                "width": chart.width_px,
                "height": int(fig.layout.height or chart.height_px),
                "scale": SCALE,
            },
        )


def render(charts: list[Chart], progress=None) -> None:
    """Fill each chart's `png` (once)."""
    for number, chart in enumerate(charts, 1):
        if chart.png is None:
            if progress:
                progress(f"Drawing chart {number} of {len(charts)}")
            chart.png = png(chart)
