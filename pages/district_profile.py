"""District profile: one district against the whole borough, the page a district advisory board
opens. Its strategy KPIs beside the borough's, its demand (referrals per 10,000 children each
month) and its caseload (open episodes per 10,000 children) against the borough. Other districts'
figures are not shown. The district is in the URL, so a link opens the same district."""

import polars as pl
import streamlit as st

from earlyhelp import ui
from earlyhelp.measures import caseloads, kpis
from earlyhelp.presentation import charts, kpi_charts

MONTHS_SHOWN = 36
PER = 10_000

runner = ui.warehouse_or_stop()
role = ui.current_role()

st.title("District profile")

try:
    kpi_set = kpis.load_kpis(kpis.kpis_file(), runner.queries)
except kpis.KpiFileError as exc:
    st.error(f"The KPI definitions could not be used. {exc}")
    st.stop()
first_date, last_date = ui.coverage_or_stop(runner)

districts = [d for d in ui.query(runner, "districts")["district"].to_list() if d != "Not known"]
if role.kind == "district":
    districts = [d for d in districts if d == role.district]
if not districts:
    st.info(
        "There are no districts in this warehouse. Add a `district_lookup.csv` (postcode sector "
        "to district) to the extract folder and ingest it again."
    )
    st.stop()
with ui.page_controls():
    district = st.selectbox("District", districts, key="district", bind="query-params")
if district not in districts:  # a link naming a district that is not in the data
    st.info(f"Choose one of the districts: {', '.join(districts)}.")
    st.stop()


ui.name_downloads("district_profile", district)


def run(name: str, params: dict) -> pl.DataFrame:
    return ui.query(runner, name, params, role)


period_end = kpis.last_complete_month_end(last_date)
period_words = f"the 12 months to {charts.month_name(period_end)}"


# --- Headline figures ---------------------------------------------------------------------------
def with_rate(frame: pl.DataFrame) -> pl.DataFrame:
    """kpi_referral_rate's rows with their rate per 10,000 children, as the tiles show it."""
    return frame.with_columns(
        pl.when(pl.col("children") > 0)
        .then((pl.col("referrals_under_18") / pl.col("children") * PER).round(0))
        .alias("per_10000")
    )


rates = with_rate(run("kpi_referral_rate", {}))
last_month = period_end.replace(day=1)
previous = with_rate(
    run(
        "kpi_referral_rate",
        {"from": kpis.add_months(last_month, -23), "to": kpis.add_months(last_month, -12)},
    )
)


def row_of(frame: pl.DataFrame, area: str) -> dict:
    found = frame.filter(pl.col("district") == area)
    return found.row(0, named=True) if found.height else {}


here, borough = row_of(rates, district), row_of(rates, kpis.BOROUGH)
snapshot = run("caseload_snapshot_by_district", {"as_of": last_date})
open_here = row_of(snapshot, district)
# Open cases against the same day a year before, unless that day is in the extract's warm-up
# (episodes begun before the data are missing from its first months).
warm_up = ui.extract_warm_up(runner, role)
year_before = caseloads.a_year_before(last_date)
open_before = (
    row_of(run("caseload_snapshot_by_district", {"as_of": year_before}), district)
    if warm_up.counts_fully(year_before)
    else {}
)
st.markdown(
    f"**{district}** against the whole borough: referrals in {period_words}, open cases on "
    f"{charts.long_date(last_date)}; changes on a year before."
)
with ui.metric_row():
    ui.headline_metric(
        "Referrals, 12 months",
        here.get("referrals"),
        row_of(previous, district).get("referrals"),
        help=f"Children in {district} whose early help episode started in {period_words}; the "
        "change is on the 12 months before.",
    )
    borough_rate = (
        "not available" if borough.get("per_10000") is None else f"{borough['per_10000']:,.0f}"
    )
    if ui.metric_available(runner, "profile.referral_rate", "Per 10,000 children"):
        rate_kpi = ui.strategy_kpi(runner, "referral_rate")  # its target is each district's too
        rate_before = row_of(previous, district).get("per_10000")
        change = (
            ""
            if here.get("per_10000") is None or rate_before is None
            else f"{int(here['per_10000'] - rate_before):+,} · "
        )
        ui.metric_tile(
            "Per 10,000 children",
            "Not available" if here.get("per_10000") is None else f"{here['per_10000']:,.0f}",
            delta=f"{change}borough {borough_rate}",
            help=f"Referrals in {period_words} for every 10,000 children living in {district}, "
            "against the whole borough.",
            target=(rate_kpi, here.get("per_10000")) if rate_kpi else None,
        )
    ui.headline_metric(
        "Open episodes",
        open_here.get("open_episodes"),
        open_before.get("open_episodes"),
        help=f"Early help episodes for children in {district} open on "
        f"{charts.long_date(last_date)}.",
    )
    if ui.metric_available(runner, "profile.waiting", "Waiting for a worker"):
        ui.headline_metric(
            "Waiting for a worker",
            open_here.get("waiting"),
            open_before.get("waiting"),
            help="Open episodes held by a council team or commissioned provider that had not "
            "yet been given their first worker.",
        )
ui.partial_notes(runner, ["profile.referral_rate", "profile.waiting"])

# --- Demand -------------------------------------------------------------------------------------
st.header("Demand")
first_month = kpis.add_months(last_month, -(MONTHS_SHOWN - 1))
months = (first_month.strftime("%Y-%m"), period_end.strftime("%Y-%m"))


def monthly(frame: pl.DataFrame, area: str, value: str, rate_of: str | None = None) -> pl.DataFrame:
    """The last MONTHS_SHOWN complete months of a monthly series for an area, with its rate per
    10,000 children from the protected count `rate_of` (default `value`; none when the count
    is hidden): referrals' rate counts children under 18 only, as the population does."""
    return frame.filter(pl.col("month").is_between(pl.lit(months[0]), pl.lit(months[1]))).select(
        "month",
        pl.lit(area).alias("area"),
        pl.col(value),
        "children",
        pl.when(pl.col("children") > 0)
        .then((pl.col(rate_of or value) / pl.col("children") * PER).round(1))
        .alias("per_10000"),
    )


referred_here = run("referrals_filtered", {"district": district})
referred_all = run("referrals_filtered", {})
demand = pl.concat(
    [
        monthly(referred_here, district, "referrals", "referrals_under_18"),
        monthly(referred_all, kpis.BOROUGH, "referrals", "referrals_under_18"),
    ]
)
if not ui.measure_available(runner, "profile.referral_rate"):
    pass  # not in this extract: the notice says which field
elif demand["per_10000"].drop_nulls().is_empty():
    st.info(
        "Rates per 10,000 children need the child population: ingest a population.csv "
        "(district, year, age_band, children) with the extract. Until then the Demand page "
        f"shows {district}'s referrals as numbers."
    )
else:
    ui.chart_with_data(
        kpi_charts.comparison_figure(
            demand,
            "month",
            "per_10000",
            "area",
            district,
            title=f"Referrals per 10,000 children: {district} and the borough",
            y_title="Referrals to early help each month, per 10,000 children",
            subject=f"monthly referrals to early help per 10,000 children in {district} and "
            "the whole borough",
        ),
        demand.pivot(on="area", index="month", values=["referrals", "children", "per_10000"]),
        download_name="district_profile_referrals_per_10000",
        count_columns=[f"referrals_{district}", f"referrals_{kpis.BOROUGH}"],
    )

# --- Caseload -----------------------------------------------------------------------------------
st.header("Caseload")
by_month = run("caseload_by_month", {"as_of": last_date})
by_level = run("caseload_by_month_and_level", {"as_of": last_date})
# The borough's open episodes: added up over levels of need (a month with a hidden count has no
# borough figure). This query has no district column, so it is the same for every role.
borough_open = by_level.group_by("month").agg(
    pl.when(pl.col("open_episodes").null_count() == 0)
    .then(pl.col("open_episodes").sum())
    .alias("open_episodes")
)
open_here = by_month.filter(pl.col("district") == district).select("month", "open_episodes")
caseload = pl.concat(
    [
        monthly(
            open_here.join(referred_here.select("month", "children"), on="month", how="left"),
            district,
            "open_episodes",
        ),
        monthly(
            borough_open.join(referred_all.select("month", "children"), on="month", how="left"),
            kpis.BOROUGH,
            "open_episodes",
        ),
    ]
).sort("area", "month")
if not ui.measure_available(runner, "profile.open_rate"):
    pass  # not in this extract: the notice says which field
elif caseload["per_10000"].drop_nulls().is_empty():
    st.info(
        f"There are no open episodes per 10,000 children to show for {district}: the child "
        "population or the open cases are missing. The Caseloads page shows open cases as "
        "numbers."
    )
else:
    ui.chart_with_data(
        charts.shade_extract_warm_up(
            warm_up,
            kpi_charts.comparison_figure(
                caseload,
                "month",
                "per_10000",
                "area",
                district,
                title=f"Open cases per 10,000 children: {district} and the borough",
                y_title="Open early help episodes at the end of each month, per 10,000 children",
                subject=f"open early help episodes at the end of each month per 10,000 children "
                f"in {district} and the whole borough",
            ),
        ),
        caseload.pivot(on="area", index="month", values=["open_episodes", "children", "per_10000"]),
        download_name="district_profile_open_per_10000",
        count_columns=[f"open_episodes_{district}", f"open_episodes_{kpis.BOROUGH}"],
        note=warm_up.note(caseload["month"]),
    )
st.caption(
    "Caseload per worker is counted for the whole borough only: see the Caseloads page for "
    "teams and workers."
)

# --- Strategy KPIs ------------------------------------------------------------------------------
st.header(f"Strategy measures: {district} against the borough")
st.markdown(
    f"Each measure for {district} beside the whole borough, against the strategy's target. "
    "Status is for the district (for the borough where a measure is counted for the whole "
    "borough only): **✔ On target**, **▲ Close to target**, **✖ Off target**, **– Not "
    "available** when a figure is too small to show."
)
results = kpis.evaluate_all(kpi_set, run, first_date, last_date, role)
by_id = {r.kpi.id: r for r in results}
for priority, members in kpi_set.by_priority():
    st.subheader(priority.title)
    table = kpis.district_table([by_id[k.id] for k in members], district)
    shown = ui.display_table(table)
    ui.status_table(
        shown,
        ["District status", "Borough status"],
        alt=f"{priority.title}: each measure for {district} and the whole borough, with the "
        "target, status and change on a year before.",
    )
    ui.download_table(
        shown, f"district_profile_{priority.id}", key=f"download-profile-{priority.id}"
    )
    with st.expander("What these measures mean"):
        st.markdown(
            "\n".join(
                f"- **{k.title}**: {k.definition} Target: {k.target_words()}. "
                f"Source: {k.source_notes}"
                for k in members
            )
        )

ui.page_pack(runner, "district", district=district)
