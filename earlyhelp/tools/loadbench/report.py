"""The load benchmark's report: a Markdown table per level of load, then the errors."""

from __future__ import annotations

import statistics

from earlyhelp.tools.loadbench.results import LoadResult, percentile


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
