"""The Overview, Demand and Caseloads sections of a committee pack: the same named queries,
chart builders and sentences as those pages, for the pack's role. (The pages work their
headline figures out in the page files; the pack works them out here from the same queries.)"""

from __future__ import annotations

from datetime import date

import polars as pl

from earlyhelp.measures import caseloads, demand
from earlyhelp.presentation import charts
from earlyhelp.presentation.pack.context import Context, headline
from earlyhelp.presentation.pack.model import Chart, Headline, Section, Source, Table

MONTHLY_REFERRALS = "referrals_filtered"


def chart(fig, note: str = "", **size) -> Chart:
    """A figure from the app's builders with the alt text they attached to it."""
    return Chart(fig, charts.alt_text(fig), charts.title_text(fig), note, **size)


def overview(ctx: Context) -> Section:
    source = Source("overview_headlines", {}, ("referrals_12m",))
    row = ctx.run("overview_headlines").row(0, named=True)
    start, end = row["period_start"], row["period_end"]
    section = Section(
        "overview",
        "Overview",
        f"The last 12 months, {charts.long_date(start)} to {charts.long_date(end)}, against "
        "the 12 months before.",
    )

    def figure(label: str, column: str, **kwargs) -> Headline:
        return headline(ctx, label, Source(source.query, {}, (column,)), **kwargs)

    section.headlines.append(
        figure(
            "Referrals to early help",
            "referrals_12m",
            previous=Source(source.query, {}, ("referrals_prev_12m",)),
        )
    )
    open_now = figure("Open episodes now", "open_episodes")
    open_now.comparison = f"Open on {charts.long_date(end)}"
    section.headlines.append(open_now)
    for key, label, column in (
        ("overview.contacts", "Contacts", "contacts_12m"),
        ("overview.step_ups", "Ended in a step-up", "step_ups_12m"),
    ):
        if ctx.available(key):
            section.headlines.append(figure(label, column))
        else:
            section.notices.append(f"{label}: {ctx.notice(key)}")

    monthly = ctx.run("referrals_borough_by_month", {"to": end})
    trend = charts.monthly_trend(
        monthly,
        "month",
        "referrals",
        events=ctx.events,
        title="Referrals to early help each month, whole borough",
        y_title="Referrals per month",
        subject="monthly referrals to early help in the borough",
    )
    sentences = [
        charts.change_sentence(row["referrals_12m"], row["referrals_prev_12m"], end),
        charts.trend_summary(monthly, "month", "referrals", ctx.events),
    ]
    section.narrative.extend(text for text in sentences if text)
    section.charts.append(chart(trend))
    caseload = ctx.run("caseload_by_district", {"as_of": end})
    section.charts.append(
        chart(
            charts.bar_chart(
                caseload,
                "district",
                "open_episodes",
                title=f"Open early help episodes by district, {charts.long_date(end)}",
                x_title="Open episodes",
                subject=f"open early help episodes in each district on {charts.long_date(end)}",
            ),
            height_px=520,
        )
    )
    section.tables.append(
        Table.from_frame(
            f"Open early help episodes by district on {charts.long_date(end)}",
            caseload,
            ctx.runner.counts_of("caseload_by_district"),
        )
    )
    return section


def _months_of(frame: pl.DataFrame) -> list[str]:
    return frame["month"].to_list()


#: The Demand page's filters besides the district, as the pack takes them (`filters`).
DEMAND_FILTERS = ("source_group", "level_of_need", "age_band")


def selection_words(district: str | None, filters: dict) -> str:
    """'North, from schools, level 3, aged 5-9', or 'whole borough', as the Demand page says."""
    level = filters.get("level_of_need")
    chosen = [
        text
        for text, value in (
            (district, district),
            (f"from {str(filters.get('source_group')).lower()}", filters.get("source_group")),
            ("level not recorded" if level == 0 else f"level {level}", level),
            (f"aged {filters.get('age_band')}", filters.get("age_band")),
        )
        if value is not None
    ]
    return ", ".join(chosen) if chosen else "whole borough"


def demand_section(
    ctx: Context, district: str | None = None, filters: dict | None = None
) -> Section:
    """Referrals each month for a selection (the whole borough by default; a district, source,
    level of need and age band as on the Demand page): its views, with the unusual months, the
    forecast and the forecast's accuracy."""
    filters = {k: v for k, v in (filters or {}).items() if k in DEMAND_FILTERS and v is not None}
    params = {"district": district, **filters}
    selection = selection_words(district, filters)
    section = Section("demand", "Demand for early help", "")
    monthly = ctx.run(MONTHLY_REFERRALS, params)
    _, last_day = ctx.first_date, ctx.last_date
    monthly = demand.complete_periods(
        monthly.with_columns(pl.col("referrals").cast(pl.Float64).alias("value")), "month", last_day
    )
    if monthly.is_empty():
        section.notices.append(f"There are no referrals for this selection ({selection}).")
        return section
    last12, previous12 = monthly.tail(12), monthly.slice(max(monthly.height - 24, 0), 12)
    first_month, last_month = (
        charts.month_name(date.fromisoformat(m + "-01"))
        for m in (last12["month"][0], last12["month"][-1])
    )
    section.intro = (
        f"{first_month} to {last_month}, against the 12 months before. "
        f"{selection[:1].upper() + selection[1:]}."
    )
    section.headlines.append(
        headline(
            ctx,
            "Referrals, 12 months",
            Source(
                MONTHLY_REFERRALS, params, ("referrals",), {"month": _months_of(last12)}, "total"
            ),
            previous=Source(
                MONTHLY_REFERRALS,
                params,
                ("referrals",),
                {"month": _months_of(previous12)},
                "total",
            )
            if previous12.height == 12
            else None,
        )
    )
    section.charts.append(
        chart(
            charts.monthly_trend(
                monthly.select("month", pl.col("value").alias("referrals")),
                "month",
                "referrals",
                events=ctx.events,
                title=f"Referrals per month, {selection}",
                y_title="Referrals per month",
                subject=f"referrals per month, {selection}",
            )
        )
    )
    try:
        result = demand.analyse(
            monthly.select("month", "value"),
            "value",
            measure="referrals",
            district=district,
            events=ctx.events,
        )
    except ValueError:
        section.notices.append(
            f"There are too few months with referrals for this selection ({selection}) to "
            f"learn its seasonal pattern: at least {demand.MIN_MONTHS} months are needed."
        )
        return section
    section.charts.append(
        chart(
            charts.expected_demand(
                result.baseline,
                result.findings,
                ctx.events,
                title=f"Referrals against expected, {selection}",
                subtitle="Per month. Grey band: normal variation. "
                "▲ unusually high, ▼ unusually low",
                subject=f"monthly referrals, {selection}",
            )
        )
    )
    _findings(section, result.findings, selection)
    if result.forecast is not None:
        _forecast(section, monthly, result)
    elif result.no_forecast_reason:
        section.notices.append(f"No forecast: {result.no_forecast_reason}")
    return section


def _findings(section: Section, findings: list[dict], selection: str) -> None:
    if not findings:
        section.narrative.append(
            f"No month was unusually high or low for this selection ({selection}): every month "
            "was within its normal variation."
        )
        return
    rows = [
        {
            "month": charts.month_name(date.fromisoformat(f["period"] + "-01")),
            "kind": "Peak" if f["kind"] == "peak" else "Trough",
            "observed": f["observed"],
            "expected": f["expected"],
            "summary": demand.describe(f),
        }
        for f in findings
    ]
    section.tables.append(
        Table.from_frame(
            f"Unusual months, {selection}: observed referrals against the seasonal expectation",
            pl.DataFrame(rows),
        )
    )
    recent = findings[-3:]
    section.narrative.append(
        f"{len(findings)} unusual month{'s' if len(findings) != 1 else ''} against the seasonal "
        "pattern, the latest: "
        + "; ".join(
            f"{charts.month_name(date.fromisoformat(f['period'] + '-01'))} "
            f"({'peak' if f['kind'] == 'peak' else 'trough'}, {demand.describe(f)})"
            for f in recent
        )
        + "."
    )


def _forecast(section: Section, monthly: pl.DataFrame, result: demand.DemandAnalysis) -> None:
    predicted, backtest = result.forecast, result.backtest or {}
    section.charts.append(
        chart(
            charts.forecast_chart(
                monthly.select("month", "value"),
                predicted,
                result.school_returns,
                value_col="value",
                title=f"Forecast referrals, next {len(predicted)} months",
                subtitle="Per month. Dashed: forecast. Shading: 80% and 95% prediction intervals",
                subject="monthly referrals",
            )
        )
    )
    for school_return in result.school_returns:
        if school_return["change_pct"] is None:
            continue
        month = charts.month_name(date.fromisoformat(school_return["month"] + "-01"))
        section.narrative.append(
            f"{school_return['label']}: about {school_return['forecast']:,.0f} referrals "
            f"expected in {month}, {school_return['change_pct']:+.0f}% on the month before."
        )
    mape, coverage = backtest.get("mape"), backtest.get("coverage_80")
    if mape is not None:
        section.narrative.append(
            f"How accurate is the forecast? Forecasting the last {backtest['months']} months "
            f"from the months before them, it was off by {mape:.1f}% on average (mean absolute "
            "percentage error)"
            + (
                f", and {coverage:.0%} of those months fell inside the 80% interval."
                if coverage is not None
                else "."
            )
            + " It carries the school-year pattern forward and cannot know about changes to "
            "come, such as a new front door or a change in thresholds."
        )


def caseloads_section(ctx: Context, threshold: int = caseloads.DEFAULT_THRESHOLD) -> Section:
    as_of = ctx.last_date
    when = charts.long_date(as_of)
    on_day = {"as_of": as_of}
    section = Section("caseloads", "Caseloads and workforce", f"Open cases on {when}.")
    snapshot = Source("caseload_snapshot_by_district", on_day, ("open_episodes",), how="total")
    section.headlines.append(headline(ctx, "Open episodes", snapshot))
    for key, label, column in (
        ("caseloads.with_worker", "With a worker", "with_worker"),
        ("caseloads.waiting", "Waiting for a worker", "waiting"),
    ):
        if ctx.available(key):
            section.headlines.append(
                headline(ctx, label, Source(snapshot.query, on_day, (column,), how="total"))
            )
        else:
            section.notices.append(f"{label}: {ctx.notice(key)}")
    summary = ctx.run("workers_caseload_summary", on_day).row(0, named=True)
    distribution = ctx.run("workers_caseload_distribution", on_day)
    if ctx.available("caseloads.per_fte"):
        per_fte = headline(
            ctx,
            "Cases per FTE",
            Source("workers_caseload_summary", on_day, ("cases_fte_recorded", "fte"), how="ratio"),
            text=lambda v: "none" if v is None else f"{v:,.1f}",
        )
        section.headlines.append(per_fte)
        above = caseloads.workers_above(distribution, threshold)
        workers = int(distribution["workers"].sum())
        section.narrative.append(
            f"{above} of {workers} case-holding workers with an FTE recorded have more than "
            f"{threshold} open cases per FTE. " + caseloads.fte_note(summary)
        )
    districts = ctx.run("caseload_snapshot_by_district", on_day)
    section.charts.append(
        chart(
            charts.bar_chart(
                districts,
                "district",
                "open_episodes",
                title="Open episodes by district",
                x_title=f"Open early help episodes on {when}",
                subject=f"open early help episodes in each district on {when}",
            ),
            height_px=520,
        )
    )
    if ctx.available("caseloads.by_worker") and not distribution.is_empty():
        section.charts.append(
            chart(charts.caseload_distribution_figure(distribution, threshold, as_of))
        )
    section.tables.append(
        Table.from_frame(
            f"Open early help episodes by district on {when}",
            districts,
            ctx.runner.counts_of("caseload_snapshot_by_district"),
        )
    )
    return section
