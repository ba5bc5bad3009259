"""The Front door and pathways, Scorecard and District profile sections of a committee pack:
the same named queries, KPI definitions (data/kpis.yaml through earlyhelp/measures/kpis/) and
figure
builders as those pages, for the pack's role."""

from __future__ import annotations

import polars as pl

from earlyhelp.measures import kpis, pathways
from earlyhelp.presentation import charts, kpi_charts
from earlyhelp.presentation.pack.context import Context, headline, pick
from earlyhelp.presentation.pack.model import Headline, Section, Source, Table
from earlyhelp.presentation.pack.sections import chart

#: KPI trend charts drawn in the Scorecard section: those off target, then close to it.
MAX_KPI_CHARTS = 4
PER = 10_000


def _percent_text(value: float | None) -> str:
    return pathways.format_percent(value)


def pathways_section(ctx: Context) -> Section:
    period = pathways.periods(ctx.first_date, ctx.last_date)[0]
    before = pathways.Period(
        "the 12 months before",
        kpis.add_months(period.start, -12),
        kpis.add_months(period.start, -1).replace(day=28),
    )
    standard = pathways.DEFAULT_STANDARD_DAYS
    in_time = pathways.standard_words(standard)
    section = Section(
        "pathways",
        "Front door and pathways",
        f"The whole borough, {period.words}, against the 12 months before.",
    )
    borough = {"district": pathways.BOROUGH}
    front = {**period.params, "standard": standard}
    if ctx.available("pathways.timeliness"):
        section.headlines.append(
            headline(
                ctx,
                "Decided in time",
                Source(
                    "frontdoor_summary", front, ("within_standard", "decided"), borough, "percent"
                ),
                text=_percent_text,
            )
        )
        section.headlines[-1].comparison = f"Contacts with a decision decided within {in_time}"

    def summary(columns: tuple[str, ...], params: dict, how: str = "value") -> Source:
        return Source("pathway_summary", params, columns, borough, how)

    def counted(label: str, column: str, key: str | None = None) -> None:
        if key and not ctx.available(key):
            section.notices.append(f"{label}: {ctx.notice(key)}")
            return
        section.headlines.append(
            headline(
                ctx,
                label,
                summary((column,), period.params),
                previous=summary((column,), before.params),
            )
        )

    counted("Referrals", "referrals")
    section.headlines.append(
        headline(
            ctx,
            "Re-referrals",
            summary(("rereferrals_12m", "referrals"), period.params, "percent"),
            text=_percent_text,
        )
    )
    section.headlines[-1].comparison = "Share of referrals with another in the 365 days before"
    counted("Step-ups", "step_ups", "pathways.step_ups")
    counted("Step-downs", "step_downs", "pathways.step_downs")
    section.headlines.append(
        headline(
            ctx,
            "Median days open",
            summary(("median_days_open",), period.params),
            text=lambda v: "c" if v is None else pathways.format_days(v),
        )
    )
    section.headlines[-1].comparison = "Of early help episodes closed in the period"

    if ctx.available("pathways.timeliness"):
        by_district = pathways.with_percent(
            ctx.run("frontdoor_summary", front), "within_standard", "decided", "per_cent"
        )
        section.charts.append(
            chart(
                charts.labelled_bar_chart(
                    by_district,
                    "district",
                    "per_cent",
                    title=f"Contacts decided within {in_time}, by district",
                    x_title=f"Per cent of contacts with a decision, {period.words}",
                    subject=f"the per cent of contacts decided within {in_time} in each "
                    "district and the borough",
                    noun="areas (districts and the borough)",
                    highlight=pathways.BOROUGH,
                ),
                height_px=560,
            )
        )
    rows = ctx.run("pathway_summary", period.params)
    section.tables.append(
        Table.from_frame(
            f"Pathways by district, {period.words}",
            rows.select(
                "district",
                "referrals",
                "rereferrals_12m",
                "step_ups",
                "step_downs",
                "closed",
                "median_days_open",
            ),
            ctx.runner.counts_of("pathway_summary"),
        )
    )
    return section


def _kpi_results(ctx: Context) -> tuple[kpis.KpiSet, list[kpis.KpiResult]]:
    kpi_set = kpis.load_kpis(kpis.kpis_file(), ctx.runner.queries)
    return kpi_set, kpis.evaluate_all(kpi_set, ctx.run, ctx.first_date, ctx.last_date, ctx.role)


def scorecard_section(ctx: Context) -> Section:
    kpi_set, results = _kpi_results(ctx)
    counted = {s: sum(r.status() == s for r in results) for s in kpis.RAGS}
    last = kpis.last_complete_month_end(ctx.last_date)
    section = Section(
        "scorecard",
        "Strategy scorecard",
        f"Of {len(results)} measures, {counted['green']} on target, {counted['amber']} close "
        f"to target and {counted['red']} off target"
        + (f"; {counted['none']} not available" if counted["none"] else "")
        + f". Latest figures are for the 12 complete months to {charts.month_name(last)}, or "
        f"on {charts.long_date(ctx.last_date)} for measures counted on a date.",
    )
    for result in results:
        kpi = result.kpi
        section.headlines.append(
            Headline(
                kpi.title,
                result.value(),
                kpi.format(result.value()),
                None,
                result.change_words(),
                result.status_text(),
            )
        )
    off = [r for r in results if r.status() == "red"]
    close = [r for r in results if r.status() == "amber"]
    for result in off:
        kpi = result.kpi
        section.narrative.append(
            f"Off target: {kpi.title}, {kpi.format(result.value())} against a target of "
            f"{kpi.target_short()} ({result.period_words()}). {result.change_words()}."
        )
    if not off:
        section.narrative.append("No measure is off target.")
    for result in (off + close)[:MAX_KPI_CHARTS]:
        section.charts.append(chart(kpi_charts.trend_figure(result), width_px=900, height_px=520))
    section.tables.append(
        Table.from_frame(
            "Every strategy measure for the whole borough: latest figure, target, status and "
            "change on a year before",
            kpis.scorecard_table(results, kpi_set),
        )
    )
    return section


def district_names(ctx: Context) -> list[str]:
    """The districts a profile may be made for: as the District profile page offers them."""
    names = [d for d in ctx.run("districts")["district"].to_list() if d != "Not known"]
    if ctx.role.district is not None:
        names = [d for d in names if d == ctx.role.district]
    return names


def district_section(ctx: Context, district: str) -> Section:
    kpi_set, results = _kpi_results(ctx)
    period_end = kpis.last_complete_month_end(ctx.last_date)
    last_month = period_end.replace(day=1)
    previous = {"from": kpis.add_months(last_month, -23), "to": kpis.add_months(last_month, -12)}
    here = {"district": district}
    section = Section(
        f"district-{district}",
        f"District profile: {district}",
        f"{district} against the whole borough: referrals in the 12 months to "
        f"{charts.month_name(period_end)}; open cases on {charts.long_date(ctx.last_date)}.",
    )
    section.headlines.append(
        headline(
            ctx,
            "Referrals, 12 months",
            Source("kpi_referral_rate", {}, ("referrals",), here),
            previous=Source("kpi_referral_rate", previous, ("referrals",), here),
        )
    )
    if ctx.available("profile.referral_rate"):
        rate = headline(
            ctx,
            "Per 10,000 children",
            Source(
                "kpi_referral_rate", {}, ("referrals_under_18", "children"), here, "ratio", PER, 0
            ),
            text=lambda v: "Not available" if v is None else f"{v:,.0f}",
        )
        borough = pick(
            ctx.run("kpi_referral_rate", {}),
            Source(
                "kpi_referral_rate",
                {},
                ("referrals_under_18", "children"),
                {"district": kpis.BOROUGH},
                "ratio",
                PER,
                0,
            ),
        )
        rate.comparison = "Borough: " + ("not available" if borough is None else f"{borough:,}")
        section.headlines.append(rate)
    on_day = {"as_of": ctx.last_date}
    section.headlines.append(
        headline(
            ctx,
            "Open episodes",
            Source("caseload_snapshot_by_district", on_day, ("open_episodes",), here),
        )
    )
    if ctx.available("profile.waiting"):
        section.headlines.append(
            headline(
                ctx,
                "Waiting for a worker",
                Source("caseload_snapshot_by_district", on_day, ("waiting",), here),
            )
        )
    for priority, members in kpi_set.by_priority():
        by_id = {r.kpi.id: r for r in results}
        section.tables.append(
            Table.from_frame(
                f"{priority.title}: each measure for {district} and the whole borough",
                kpis.district_table([by_id[k.id] for k in members], district),
            )
        )
    months = (kpis.add_months(last_month, -35).strftime("%Y-%m"), period_end.strftime("%Y-%m"))

    def monthly(frame: pl.DataFrame, area: str) -> pl.DataFrame:
        return frame.filter(
            pl.col("month").is_between(pl.lit(months[0]), pl.lit(months[1]))
        ).select(
            "month",
            pl.lit(area).alias("area"),
            "referrals",
            "children",
            # The rate counts children under 18 only, as the population does (the page's rule).
            pl.when(pl.col("children") > 0)
            .then((pl.col("referrals_under_18") / pl.col("children") * PER).round(1))
            .alias("per_10000"),
        )

    referred = pl.concat(
        [
            monthly(ctx.run("referrals_filtered", here), district),
            monthly(ctx.run("referrals_filtered", {}), kpis.BOROUGH),
        ]
    )
    if ctx.available("profile.referral_rate") and not referred["per_10000"].drop_nulls().is_empty():
        section.charts.append(
            chart(
                kpi_charts.comparison_figure(
                    referred,
                    "month",
                    "per_10000",
                    "area",
                    district,
                    title=f"Referrals per 10,000 children: {district} and the borough",
                    y_title="Referrals to early help each month, per 10,000 children",
                    subject=f"monthly referrals to early help per 10,000 children in {district} "
                    "and the whole borough",
                )
            )
        )
    return section
