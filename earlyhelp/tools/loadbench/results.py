"""What one level of load is run with (Settings) and what it measures (LoadResult), and the
percentile the report gives."""

from __future__ import annotations

from dataclasses import dataclass, field

CHANGES = 16
THINK_MS = 1000
#: Seconds over which each session's arrival is spread, per session (20 s for 20 sessions).
RAMP_S = 1.0
TIMEOUT_MS = 60_000
#: A first visit loads and compiles Streamlit's and Plotly's scripts in every session's browser,
#: all on the server's own cores here: a minute and more with 20 sessions on 2 cores.
LOAD_TIMEOUT_MS = 180_000


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
