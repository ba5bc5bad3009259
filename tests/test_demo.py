"""Tests for the demo borough generator (earlyhelp/demo.py) and the calendar it follows.

The demo is what every user sees first and what every other test builds on, so it is checked
for what a council analyst would check in a real extract: the SSD columns, ids that join, the
step-up and step-down links, the front door behind each referral, volumes, districts and the
Covid checkpoints published by the DfE.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from earlyhelp import calendar, demo
from earlyhelp.schema import END_REASONS, SOURCE_CODES, SOURCE_GROUPS, SSD_TABLES

# The SSD columns as DOMAIN.md lists them, plus the names (dropped at ingest) and the two local
# columns on early help episodes. Written out here so that the generator is checked against the
# specification, not against itself.
SSD_COLUMNS = {
    "ssd_person": [
        "pers_person_id",
        "pers_sex",
        "pers_gender",
        "pers_ethnicity",
        "pers_dob",
        "pers_forename",
        "pers_surname",
    ],
    "ssd_address": [
        "addr_person_id",
        "addr_address_postcode",
        "addr_address_start_date",
        "addr_address_end_date",
    ],
    "ssd_contacts": [
        "cont_contact_id",
        "cont_person_id",
        "cont_contact_date",
        "cont_contact_source_code",
        "cont_contact_source_desc",
        "cont_contact_outcome_json",
    ],
    "ssd_early_help_episodes": [
        "earl_episode_id",
        "earl_person_id",
        "earl_episode_start_date",
        "earl_episode_end_date",
        "earl_episode_reason",
        "earl_episode_end_reason",
        "earl_episode_organisation",
        "earl_episode_worker_id",
        "earl_level_of_need",
        "earl_referral_source_code",
    ],
    "ssd_cin_episodes": [
        "cine_referral_id",
        "cine_person_id",
        "cine_referral_date",
        "cine_cin_primary_need_code",
        "cine_referral_source_code",
        "cine_referral_source_desc",
        "cine_referral_nfa",
        "cine_close_reason",
        "cine_close_date",
        "cine_referral_team",
        "cine_referral_worker_id",
    ],
    "ssd_professionals": [
        "prof_professional_id",
        "prof_staff_id",
        "prof_professional_name",
        "prof_professional_job_title",
        "prof_professional_caseload",
        "prof_professional_department",
        "prof_full_time_equivalency",
        "prof_agency_worker_flag",
    ],
    "ssd_involvements": [
        "invo_involvements_id",
        "invo_professional_id",
        "invo_professional_role_id",
        "invo_professional_team",
        "invo_involvement_start_date",
        "invo_involvement_end_date",
        "invo_worker_change_reason",
        "invo_person_id",
        "invo_referral_id",
    ],
    "ssd_department": [
        "dept_team_id",
        "dept_team_name",
        "dept_team_parent_id",
        "dept_team_parent_name",
    ],
}
REPO = Path(__file__).resolve().parent.parent
EXTRACT_DATE = dt.date(2026, 3, 31)
FAR_FUTURE = dt.date(2100, 1, 1)


def late_may(year: int) -> tuple[dt.date, dt.date]:
    """ISO weeks 21-22: the second half of May, half term included every year."""
    return dt.date.fromisocalendar(year, 21, 1), dt.date.fromisocalendar(year, 22, 7)


# DfE Vulnerable Children and Young People Survey (DOMAIN.md): change against the same weeks
# before Covid, for all referrals and for referrals from schools.
CHECKPOINTS = {
    # name: (window in 2020/21, the same windows in the two years before Covid, all, schools)
    "late May 2020": (late_may(2020), [late_may(2018), late_may(2019)], -0.16, -0.76),
    "10-23 August 2020": (
        (dt.date(2020, 8, 10), dt.date(2020, 8, 23)),
        [(dt.date(y, 8, 10), dt.date(y, 8, 23)) for y in (2018, 2019)],
        0.12,
        None,  # schools are closed for the summer every year
    ),
    # The extract starts in April 2018, so January compares with 2019 and 2020.
    "25-31 January 2021": (
        (dt.date(2021, 1, 25), dt.date(2021, 1, 31)),
        [(dt.date(y, 1, 25), dt.date(y, 1, 31)) for y in (2019, 2020)],
        -0.23,
        -0.57,
    ),
}


def column_type(name: str) -> type[pl.DataType]:
    """How each SSD column is read: ISO dates, integer ids and counts, FTE, otherwise text."""
    if name.endswith("_date") or name == "pers_dob":
        return pl.Date
    if name == "prof_full_time_equivalency":
        return pl.Float64
    text_ids = ("prof_staff_id", "invo_professional_role_id")
    if name.endswith("_id") and name not in text_ids:
        return pl.Int64
    if name in ("prof_professional_caseload", "earl_level_of_need"):
        return pl.Int64
    return pl.String


def read_csv(path: Path) -> pl.DataFrame:
    """One CSV file read strictly with the expected types (a bad date or id fails the read)."""
    with path.open() as file:
        header = file.readline().strip().split(",")
    return pl.read_csv(path, schema={name: column_type(name) for name in header})


def read_extract(folder: Path) -> dict[str, pl.DataFrame]:
    return {path.stem: read_csv(path) for path in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def borough_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    counts = demo.write_demo(folder)
    assert counts == {stem: df.height for stem, df in read_extract(folder).items()}
    return folder


@pytest.fixture(scope="module")
def borough(borough_dir: Path) -> dict[str, pl.DataFrame]:
    return read_extract(borough_dir)


def referrals(borough: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Early help episodes that started from a referral, with the source group."""
    groups = {code: group for code, (_, group) in SOURCE_CODES.items()}
    return (
        borough["ssd_early_help_episodes"]
        .filter(pl.col("earl_episode_reason") == "Referral")
        .with_columns(
            group=pl.col("earl_referral_source_code").cast(pl.String).replace_strict(groups)
        )
    )


def decisions(borough: dict[str, pl.DataFrame]) -> pl.DataFrame:
    outcome = pl.col("cont_contact_outcome_json")
    return borough["ssd_contacts"].with_columns(
        decision=outcome.str.json_path_match("$.decision"),
        decision_date=outcome.str.json_path_match("$.decision_date").str.to_date("%Y-%m-%d"),
    )


def contained(values: pl.Series, universe: pl.Series) -> bool:
    return bool(values.drop_nulls().is_in(universe.implode()).all())


# --- Files and determinism ----------------------------------------------------------------------


def test_files_and_columns_are_the_ssd_layout(borough: dict[str, pl.DataFrame]) -> None:
    assert set(borough) == {*SSD_COLUMNS, "district_lookup", "population"}
    for table, columns in SSD_COLUMNS.items():
        assert borough[table].columns == columns, table
    assert borough["district_lookup"].columns == ["postcode_sector", "district"]
    assert borough["population"].columns == ["district", "year", "age_band", "children"]
    # Everything the ingest maps is there.
    for table, (_, mapping) in SSD_TABLES.items():
        assert set(mapping) <= set(borough[table].columns), table


def test_same_seed_gives_identical_csv_files(borough_dir: Path, tmp_path: Path) -> None:
    """Identical bytes from another process, whatever its string hashing (PYTHONHASHSEED)."""
    script = "from pathlib import Path; from earlyhelp.demo import write_demo; "
    script += f"write_demo(Path({str(tmp_path)!r}), seed=2021)"
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment, check=True)
    files = sorted(p.name for p in borough_dir.iterdir())
    assert files == sorted(p.name for p in tmp_path.iterdir())
    for name in files:
        assert (borough_dir / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_same_seed_gives_identical_parquet_files(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    demo.write_demo(first, seed=7, fmt="parquet")
    demo.write_demo(second, seed=7, fmt="parquet")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(
        [f"{t}.parquet" for t in SSD_COLUMNS] + ["district_lookup.csv", "population.csv"]
    )
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    episodes = pl.read_parquet(first / "ssd_early_help_episodes.parquet")
    assert episodes.schema["earl_episode_start_date"] == pl.Date
    assert episodes.columns == SSD_COLUMNS["ssd_early_help_episodes"]


def test_a_different_seed_gives_different_data(borough_dir: Path, tmp_path: Path) -> None:
    demo.write_demo(tmp_path, seed=2022)
    for table in ("ssd_contacts", "ssd_early_help_episodes", "ssd_person"):
        assert (tmp_path / f"{table}.csv").read_bytes() != (
            borough_dir / f"{table}.csv"
        ).read_bytes()


def test_rejects_unknown_scale_and_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        demo.write_demo(tmp_path, scale="county")
    with pytest.raises(ValueError, match="fmt"):
        demo.write_demo(tmp_path, fmt="xlsx")


def test_rows_are_sorted_by_id(borough: dict[str, pl.DataFrame]) -> None:
    for table, columns in SSD_COLUMNS.items():
        ids = borough[table][columns[0]]
        if table != "ssd_address":  # one row per address, keyed by person and start
            assert ids.is_unique().all(), table
        assert ids.is_sorted(), table


# --- Integrity ------------------------------------------------------------------------------------


def test_every_record_points_at_something_that_exists(borough: dict[str, pl.DataFrame]) -> None:
    people = borough["ssd_person"]["pers_person_id"]
    episodes = borough["ssd_early_help_episodes"]
    workers = borough["ssd_professionals"]["prof_professional_id"]
    involvements = borough["ssd_involvements"]
    assert contained(episodes["earl_person_id"], people)
    assert contained(borough["ssd_contacts"]["cont_person_id"], people)
    assert contained(borough["ssd_cin_episodes"]["cine_person_id"], people)
    assert contained(borough["ssd_address"]["addr_person_id"], people)
    assert contained(involvements["invo_referral_id"], episodes["earl_episode_id"])
    assert contained(involvements["invo_professional_id"], workers)
    assert contained(episodes["earl_episode_worker_id"], workers)
    assert contained(borough["ssd_cin_episodes"]["cine_referral_worker_id"], workers)
    # An involvement's child is its episode's child.
    joined = involvements.join(episodes, left_on="invo_referral_id", right_on="earl_episode_id")
    assert (joined["invo_person_id"] == joined["earl_person_id"]).all()
    # Every person has a current address, and the team hierarchy closes.
    current = borough["ssd_address"].filter(pl.col("addr_address_end_date").is_null())
    assert current["addr_person_id"].sort().equals(people.sort(), check_names=False)
    teams = borough["ssd_department"]
    assert contained(teams["dept_team_parent_id"], teams["dept_team_id"])
    assert contained(
        borough["ssd_professionals"]["prof_professional_department"], teams["dept_team_name"]
    )


def test_a_child_has_one_early_help_episode_at_a_time(borough: dict[str, pl.DataFrame]) -> None:
    episodes = borough["ssd_early_help_episodes"].sort("earl_person_id", "earl_episode_start_date")
    previous_end = (
        pl.col("earl_episode_end_date").fill_null(FAR_FUTURE).shift(1).over("earl_person_id")
    )
    overlapping = episodes.filter(pl.col("earl_episode_start_date") <= previous_end)
    assert overlapping.height == 0


def test_every_step_up_has_its_social_care_referral(borough: dict[str, pl.DataFrame]) -> None:
    step_ups = borough["ssd_early_help_episodes"].filter(
        pl.col("earl_episode_end_reason") == "Step-up"
    )
    from_early_help = borough["ssd_cin_episodes"].filter(
        pl.col("cine_referral_source_code") == "5D"
    )
    assert step_ups.height > 0
    missing = step_ups.join(
        from_early_help,
        left_on=["earl_person_id", "earl_episode_end_date"],
        right_on=["cine_person_id", "cine_referral_date"],
        how="anti",
    )
    assert missing.height == 0
    assert (from_early_help["cine_referral_source_desc"] == SOURCE_CODES["5D"][0]).all()


def test_every_rc9_closure_is_followed_by_a_step_down(borough: dict[str, pl.DataFrame]) -> None:
    closed_to_early_help = borough["ssd_cin_episodes"].filter(pl.col("cine_close_reason") == "RC9")
    step_downs = borough["ssd_early_help_episodes"].filter(
        pl.col("earl_episode_reason") == "Step-down"
    )
    assert closed_to_early_help.height > 0
    followed = closed_to_early_help.join(
        step_downs, left_on="cine_person_id", right_on="earl_person_id"
    ).filter(
        (pl.col("earl_episode_start_date") - pl.col("cine_close_date"))
        .dt.total_days()
        .is_between(0, 14)
    )
    assert followed["cine_referral_id"].n_unique() == closed_to_early_help.height


def test_every_referral_comes_through_the_front_door(borough: dict[str, pl.DataFrame]) -> None:
    contacts = decisions(borough)
    assert set(contacts["decision"].unique()) == set(demo.DECISIONS)
    to_early_help = contacts.filter(pl.col("decision").str.starts_with("Early help"))
    missing = referrals(borough).join(
        to_early_help,
        left_on=["earl_person_id", "earl_episode_start_date", "earl_referral_source_code"],
        right_on=["cont_person_id", "decision_date", "cont_contact_source_code"],
        how="anti",
    )
    assert missing.height == 0
    # About as many contacts again lead elsewhere.
    elsewhere = contacts.height - to_early_help.height
    assert 0.7 < elsewhere / to_early_help.height < 1.3
    descriptions = {code: description for code, (description, _) in SOURCE_CODES.items()}
    expected = contacts["cont_contact_source_code"].replace_strict(descriptions)
    assert (contacts["cont_contact_source_desc"] == expected).all()


def test_front_door_decisions_take_working_days_and_get_faster(
    borough: dict[str, pl.DataFrame],
) -> None:
    contacts = decisions(borough)
    holidays = np.array(calendar.bank_holidays(2018, 2026), dtype="datetime64[D]")
    working_days = np.busday_count(
        contacts["cont_contact_date"].to_numpy().astype("datetime64[D]"),
        contacts["decision_date"].to_numpy().astype("datetime64[D]"),
        holidays=holidays,
    )
    assert working_days.min() >= 0 and working_days.max() <= 10
    decided = contacts.with_columns(quick=pl.Series(working_days <= 2))
    assert (decided["decision_date"] <= EXTRACT_DATE).all()
    in_2018 = decided.filter(pl.col("cont_contact_date").dt.year() == 2018)["quick"].mean()
    after_mash = decided.filter(pl.col("cont_contact_date") >= dt.date(2021, 2, 1))["quick"].mean()
    assert 0.65 < in_2018 < 0.76
    assert 0.86 < after_mash < 0.94


def test_involvements_follow_one_another_to_the_end_of_the_episode(
    borough: dict[str, pl.DataFrame],
) -> None:
    episodes = borough["ssd_early_help_episodes"]
    involvements = borough["ssd_involvements"].sort(
        "invo_referral_id", "invo_involvement_start_date"
    )
    nxt = pl.col("invo_involvement_start_date").shift(-1).over("invo_referral_id")
    chained = involvements.with_columns(next_start=nxt)
    handed_over = chained.filter(pl.col("next_start").is_not_null())
    gap = (handed_over["next_start"] - handed_over["invo_involvement_end_date"]).dt.total_days()
    assert (gap == 1).all()
    assert handed_over["invo_professional_id"].len() > 0
    last = chained.filter(pl.col("next_start").is_null()).join(
        episodes, left_on="invo_referral_id", right_on="earl_episode_id"
    )
    assert last["invo_involvement_end_date"].eq_missing(last["earl_episode_end_date"]).all()
    assert (last["invo_professional_id"] == last["earl_episode_worker_id"]).all()

    per_episode = involvements.group_by("invo_referral_id").agg(
        changes=pl.len() - 1,
        first_start=pl.col("invo_involvement_start_date").min(),
        first_reason=pl.col("invo_worker_change_reason").first(),
        later_reasons=pl.col("invo_worker_change_reason").slice(1).drop_nulls().len(),
    )
    assert per_episode["changes"].max() <= 3
    assert per_episode["first_reason"].null_count() == per_episode.height
    assert (per_episode["later_reasons"] == per_episode["changes"]).all()
    reasons = set(involvements["invo_worker_change_reason"].drop_nulls().unique())
    assert reasons == {"Worker left", "Caseload balancing", "Team restructure", "Family request"}

    allocated = per_episode.join(episodes, left_on="invo_referral_id", right_on="earl_episode_id")
    wait = (allocated["first_start"] - allocated["earl_episode_start_date"]).dt.total_days()
    assert wait.min() >= 0 and wait.max() <= 30 and (wait < 10).mean() > 0.8
    before = allocated.filter(pl.col("first_start") < dt.date(2021, 4, 1))["changes"].mean()
    after = allocated.filter(pl.col("first_start") >= dt.date(2021, 4, 1))["changes"].mean()
    assert after < 0.75 * before  # the district model reduced transfers


def test_workers_only_on_targeted_episodes(borough: dict[str, pl.DataFrame]) -> None:
    episodes = borough["ssd_early_help_episodes"]
    partner_led = episodes.filter(pl.col("earl_level_of_need") <= 2)
    assert partner_led["earl_episode_worker_id"].null_count() == partner_led.height
    waiting = episodes.filter(
        (pl.col("earl_level_of_need") >= 3) & pl.col("earl_episode_worker_id").is_null()
    )
    assert 0 < waiting.height < 200
    assert waiting["earl_episode_end_date"].null_count() == waiting.height
    assert (waiting["earl_episode_start_date"] > dt.date(2026, 2, 28)).all()
    organisation = episodes["earl_episode_organisation"]
    targeted = episodes.filter(pl.col("earl_level_of_need") >= 3)["earl_episode_organisation"]
    assert targeted.str.starts_with("Targeted Early Help - ").mean() > 0.6
    assert 0.2 < (targeted == "Positive Steps").mean() < 0.35
    assert organisation.str.ends_with("School").any()


def test_episode_mix(borough: dict[str, pl.DataFrame]) -> None:
    episodes = borough["ssd_early_help_episodes"]
    closed = episodes.filter(pl.col("earl_episode_end_date").is_not_null())
    assert set(closed["earl_episode_end_reason"].unique()) == set(END_REASONS)
    shares = closed["earl_episode_end_reason"].value_counts(normalize=True)
    share = dict(zip(shares["earl_episode_end_reason"], shares["proportion"], strict=True))
    assert 0.50 < share["Outcomes met"] < 0.60 and 0.07 < share["Step-up"] < 0.13
    open_now = episodes.filter(pl.col("earl_episode_end_date").is_null())
    assert open_now["earl_episode_end_reason"].null_count() == open_now.height
    levels = episodes["earl_level_of_need"].value_counts(normalize=True).sort("earl_level_of_need")
    level_share = dict(zip(levels["earl_level_of_need"], levels["proportion"], strict=True))
    assert set(level_share) == {1, 2, 3, 4}
    assert level_share[2] + level_share[3] > 0.85 and level_share[4] < level_share[1] + 0.02
    sources = referrals(borough)["group"].value_counts(normalize=True)
    source_share = dict(zip(sources["group"], sources["proportion"], strict=True))
    assert set(source_share) <= set(SOURCE_GROUPS)
    assert 0.25 < source_share["Schools"] < 0.31 and 0.15 < source_share["Health"] < 0.21


def test_caseloads_per_fte_are_realistic(borough: dict[str, pl.DataFrame]) -> None:
    staff = borough["ssd_professionals"]
    holding = staff.filter(pl.col("prof_professional_caseload") > 0)
    per_fte = holding.filter(pl.col("prof_full_time_equivalency") > 0).select(
        pl.col("prof_professional_caseload") / pl.col("prof_full_time_equivalency")
    )["prof_professional_caseload"]
    assert 12 <= per_fte.median() <= 22
    assert (per_fte > 18).mean() > 0.1
    fte = staff["prof_full_time_equivalency"]
    assert fte.null_count() > 0 and 1 <= (fte == 0).sum() <= 2
    assert fte.drop_nulls().filter(fte.drop_nulls() > 0).is_between(0.4, 1.0).all()
    assert set(staff["prof_agency_worker_flag"].unique()) == {"Y", "N"}
    assert set(staff["prof_professional_job_title"].unique()) == set(demo.JOB_TITLES)
    # The recorded caseload is the open involvements (plus open social care referrals).
    open_involvements = borough["ssd_involvements"].filter(
        pl.col("invo_involvement_end_date").is_null()
    )
    early_help = staff.filter(pl.col("prof_professional_job_title").str.contains("Family Worker"))
    assert early_help["prof_professional_caseload"].sum() == open_involvements.height


# --- People and places ----------------------------------------------------------------------------


def test_people_have_placeholder_names_and_plausible_ages(borough: dict[str, pl.DataFrame]) -> None:
    people = borough["ssd_person"]
    assert (people["pers_forename"] == "Child").all()
    assert people["pers_surname"].str.contains(r"^Demo\d+$").all()
    assert set(people["pers_sex"].unique()) == {"M", "F", "U"}
    assert people["pers_ethnicity"].value_counts(sort=True)["pers_ethnicity"][0] == "WBRI"
    ages = (
        referrals(borough)
        .join(people, left_on="earl_person_id", right_on="pers_person_id")
        .select((pl.col("earl_episode_start_date") - pl.col("pers_dob")).dt.total_days() / 365.25)
        .to_series()
    )
    assert ages.min() >= 0 and ages.max() < 19
    assert (ages >= 18).mean() < 0.02


def test_five_districts_and_a_lookup_for_every_postcode(borough: dict[str, pl.DataFrame]) -> None:
    lookup = borough["district_lookup"]
    assert lookup["postcode_sector"].is_unique().all()
    assert lookup["district"].n_unique() == 5
    addresses = borough["ssd_address"]
    postcode = addresses["addr_address_postcode"]
    assert postcode.str.contains(r"^ZZ\d{1,2} \d[A-Z]{2}$").all()
    assert contained(postcode.str.slice(0, postcode.str.len_chars() - 2), lookup["postcode_sector"])
    # About a tenth of children move once, some to another district; rows never overlap.
    moves = addresses.group_by("addr_person_id").len()
    assert moves["len"].max() == 2 and 0.07 < (moves["len"] == 2).mean() < 0.13
    moved = addresses.sort("addr_person_id", "addr_address_start_date").with_columns(
        previous_end=pl.col("addr_address_end_date").shift(1).over("addr_person_id")
    )
    gaps = moved.filter(pl.col("previous_end").is_not_null())
    assert ((gaps["addr_address_start_date"] - gaps["previous_end"]).dt.total_days() == 1).all()


def test_district_teams_follow_the_address_on_the_day(borough: dict[str, pl.DataFrame]) -> None:
    address = borough["ssd_address"].with_columns(
        postcode_sector=pl.col("addr_address_postcode").str.slice(0, 5)
    )
    at_start = (
        referrals(borough)
        .join(address, left_on="earl_person_id", right_on="addr_person_id")
        .filter(
            pl.col("earl_episode_start_date").is_between(
                pl.col("addr_address_start_date"),
                pl.col("addr_address_end_date").fill_null(FAR_FUTURE),
            )
        )
        .join(borough["district_lookup"], on="postcode_sector")
    )
    assert at_start.height == referrals(borough).height
    counts = at_start["district"].value_counts()["count"]
    assert 1.8 < counts.max() / counts.min() < 3.2  # districts of unequal size
    district_teams = at_start.filter(
        pl.col("earl_episode_organisation").str.starts_with("Targeted")
    )
    expected = "Targeted Early Help - " + district_teams["district"]
    assert (district_teams["earl_episode_organisation"] == expected).all()


# --- Demand ---------------------------------------------------------------------------------------


def test_about_six_thousand_referrals_a_year(borough: dict[str, pl.DataFrame]) -> None:
    start = pl.col("earl_episode_start_date")
    financial_year = start.dt.year() - (start.dt.month() < 4).cast(pl.Int32)
    per_year = referrals(borough).group_by(financial_year.alias("year")).len().sort("year")
    assert per_year["year"].to_list() == list(range(2018, 2026))
    assert per_year["len"].is_between(5_000, 7_000).all()
    social_care = borough["ssd_cin_episodes"].height / 8
    assert 2_500 < social_care < 3_600


def test_school_holidays_and_weekends_are_quiet(borough: dict[str, pl.DataFrame]) -> None:
    schools = referrals(borough).filter(pl.col("group") == "Schools")
    dates = schools["earl_episode_start_date"]
    holiday = calendar.school_holiday_flags(dates)
    per_day_holiday = holiday.sum() / calendar.school_holiday_flags(_all_days()).sum()
    per_day_term = (~holiday).sum() / (~calendar.school_holiday_flags(_all_days())).sum()
    assert per_day_holiday < 0.35 * per_day_term  # decisions spill over a few days
    weekend = referrals(borough)["earl_episode_start_date"].dt.weekday() >= 6
    assert weekend.mean() < 0.03
    # Schools refer more in the first fortnight of the autumn term than later in it (seen at
    # the front door: the decision lag blurs it in episode starts).
    contacts = decisions(borough).filter(
        pl.col("decision").str.starts_with("Early help")
        & pl.col("cont_contact_source_code").is_in(["2A", "2B"])
    )["cont_contact_date"]
    autumn = calendar.load_term_dates().filter(pl.col("term").str.ends_with("Autumn 1"))
    first_fortnight = later = 0.0
    autumn = autumn.filter(pl.col("start_date").is_between(dt.date(2018, 4, 1), EXTRACT_DATE))
    for _, start, end in autumn.iter_rows():
        fortnight_end = start + dt.timedelta(days=13)
        first_fortnight += contacts.is_between(start, fortnight_end).sum()
        rest = contacts.is_between(fortnight_end + dt.timedelta(days=1), end).sum()
        later += rest * 14 / (end - fortnight_end).days
    assert first_fortnight > 1.1 * later


def _all_days() -> pl.Series:
    return pl.date_range(dt.date(2018, 4, 1), EXTRACT_DATE, eager=True)


def _change(counts_now: float, counts_before: list[float]) -> float:
    return counts_now / (sum(counts_before) / len(counts_before)) - 1


def _expected_starts(mix: dict[str, float], per_year: float) -> tuple[np.ndarray, np.ndarray]:
    """The demand model's expected referrals by start date: contacts moved by the decision lag."""
    days = demo.ExtractDays.load()
    rates = demo.expected_daily_referrals(days, mix, per_year)
    fast = demo.fast_decision_share(days.day)
    lags = [(lag, fast * w) for lag, w in zip(demo.FAST_LAGS, demo.FAST_LAG_WEIGHTS, strict=True)]
    slow = demo.slow_lag_weights()
    lags += [(lag, (1 - fast) * w) for lag, w in zip(demo.SLOW_LAGS, slow, strict=True)]
    starts = np.zeros((rates.shape[0], len(days.day) + 30))
    contact = days.day.astype("datetime64[D]")
    for lag, share in lags:
        decided = np.busday_offset(contact, lag, roll="forward", holidays=days.bank_holidays)
        position = (decided - contact[0]).astype(np.int64)
        for group in range(rates.shape[0]):
            np.add.at(starts[group], position, rates[group] * share)
    return contact, starts[:, : len(days.day)]


def test_covid_checkpoints_in_the_demand_model() -> None:
    """The calibration itself, free of sampling noise: within 2 points of the DfE figures."""
    dates, starts = _expected_starts(demo.EARLY_HELP_MIX, demo.BOROUGH_REFERRALS_PER_YEAR)
    schools = SOURCE_GROUPS.index("Schools")

    def expected(window: tuple[dt.date, dt.date]) -> np.ndarray:
        inside = (dates >= np.datetime64(window[0])) & (dates <= np.datetime64(window[1]))
        return starts[:, inside].sum(axis=1)

    for name, (window, before, total, from_schools) in CHECKPOINTS.items():
        now, then = expected(window), [expected(w) for w in before]
        assert _change(now.sum(), [t.sum() for t in then]) == pytest.approx(total, abs=0.02), name
        if from_schools is not None:
            change = _change(now[schools], [t[schools] for t in then])
            assert change == pytest.approx(from_schools, abs=0.02), name


def test_covid_checkpoints_in_the_generated_borough(borough: dict[str, pl.DataFrame]) -> None:
    """The same checkpoints on the borough's own referrals, within their sampling error.

    A week of a borough's referrals is about a hundred, so a single borough lands within about
    10 points of a checkpoint (the model test above checks the calibration itself). The
    tolerance is 3 standard errors of the change if the target were true (Poisson counts), and
    the direction must always be right.
    """
    data = referrals(borough)

    def count(window: tuple[dt.date, dt.date], schools: bool) -> int:
        rows = data.filter(pl.col("earl_episode_start_date").is_between(*window))
        return rows.filter(pl.col("group") == "Schools").height if schools else rows.height

    for name, (window, before, total, from_schools) in CHECKPOINTS.items():
        targets = [(False, total)] + ([(True, from_schools)] if from_schools is not None else [])
        for schools, target in targets:
            now, then = count(window, schools), [count(w, schools) for w in before]
            change = _change(now, then)
            expected_now = (1 + target) * sum(then) / len(then)
            error = (1 + target) * np.sqrt(1 / expected_now + 1 / sum(then))
            assert abs(change - target) < 3 * error, (name, schools, change, error)
            assert np.sign(change) == np.sign(target), (name, schools, change)


def test_peaks_on_the_returns_to_school(borough: dict[str, pl.DataFrame]) -> None:
    """Weekly referrals peak when schools fully return: September 2020 and 8 March 2021."""
    weekly = (
        referrals(borough)
        .group_by(pl.col("earl_episode_start_date").dt.truncate("1w").alias("week"))
        .len()
        .sort("week")
    )

    def weeks(first: dt.date, last: dt.date) -> pl.Series:
        return weekly.filter(pl.col("week").is_between(first, last))["len"]

    lockdown = weeks(dt.date(2021, 1, 11), dt.date(2021, 2, 28)).mean()
    assert weeks(dt.date(2021, 3, 8), dt.date(2021, 3, 21)).mean() > 1.4 * lockdown
    summer = weeks(dt.date(2020, 7, 27), dt.date(2020, 8, 30)).mean()
    assert weeks(dt.date(2020, 9, 7), dt.date(2020, 9, 20)).mean() > 1.3 * summer


# --- National scale ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_national_scale_streams_areas_with_unique_ids(tmp_path: Path, fmt: str) -> None:
    counts = demo.write_demo(tmp_path, seed=3, scale="national", fmt=fmt, _areas=2)
    read = read_csv if fmt == "csv" else pl.read_parquet
    tables = {t: read(tmp_path / f"{t}.{fmt}") for t in SSD_COLUMNS}
    lookup = read_csv(tmp_path / "district_lookup.csv")
    population = read_csv(tmp_path / "population.csv")
    assert counts == {
        **{t: df.height for t, df in tables.items()},
        "district_lookup": lookup.height,
        "population": population.height,
    }
    assert set(population["district"]) == set(lookup["district"])
    for table, columns in SSD_COLUMNS.items():
        assert tables[table].columns == columns
        if table != "ssd_address":
            assert tables[table][columns[0]].is_unique().all(), table
    assert lookup["district"].n_unique() == 10
    assert lookup["district"].str.contains(r"^A00[12] (North|East|South|West|Central)$").all()
    assert lookup["postcode_sector"].is_unique().all()
    # Both areas are there, each in its own block of ids, and records join within the run.
    people = tables["ssd_person"]["pers_person_id"]
    assert (people // demo.ID_BLOCK).unique().sort().to_list() == [1, 2]
    episodes = tables["ssd_early_help_episodes"]
    assert contained(episodes["earl_person_id"], people)
    assert contained(tables["ssd_involvements"]["invo_referral_id"], episodes["earl_episode_id"])
    assert 80_000 < episodes.height < 400_000


# --- Calendar -------------------------------------------------------------------------------------


def test_events_calendar_loads_with_dates() -> None:
    events = calendar.load_events()
    assert events.columns == ["start_date", "end_date", "label", "kind", "description"]
    assert events.schema["start_date"] == pl.Date and events.schema["end_date"] == pl.Date
    assert set(events["kind"].unique()) == {"covid", "school"}
    starts = set(events["start_date"].to_list())
    for day in (
        dt.date(2020, 3, 23),
        dt.date(2020, 9, 1),
        dt.date(2021, 1, 5),
        dt.date(2021, 3, 8),
    ):
        assert day in starts
    assert events["label"].str.len_chars().max() <= 30  # short enough for a chart annotation


def test_term_dates_cover_the_extract_with_holidays_between_blocks() -> None:
    terms = calendar.load_term_dates()
    assert terms["start_date"].min() <= dt.date(2017, 9, 30)
    assert terms["end_date"].max() >= dt.date(2027, 7, 1)
    assert terms.height == 10 * 6
    days = pl.Series([dt.date(2020, 8, 10), dt.date(2020, 12, 25), dt.date(2021, 3, 8)])
    assert calendar.school_holiday_flags(days, terms).to_list() == [True, True, False]
    with pytest.raises(ValueError, match="term dates"):
        calendar.school_holiday_flags(pl.Series([dt.date(2030, 1, 1)]), terms)


def test_a_bad_calendar_date_names_file_row_and_column(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "start_date,end_date,label,kind,description\n"
        "2020-03-23,,First lockdown,covid,\n"
        "2021-02-30,,Not a day,school,\n"
    )
    with pytest.raises(ValueError, match=r"events\.csv: row 2 \(line 3\), column start_date"):
        calendar.load_events(events)
    terms = tmp_path / "term_dates.csv"
    terms.write_text("term,start_date,end_date\nAutumn 1,2020-09-02,23/10/2020\n")
    with pytest.raises(ValueError, match=r"term_dates\.csv: row 1 \(line 2\), column end_date"):
        calendar.load_term_dates(terms)
    backwards = tmp_path / "backwards.csv"
    backwards.write_text("term,start_date,end_date\nAutumn 1,2020-09-02,2020-08-01\n")
    with pytest.raises(ValueError, match="before start_date"):
        calendar.load_term_dates(backwards)


def test_an_edited_calendar_is_read_again(tmp_path: Path) -> None:
    """The pages read the calendar on every rerun from a cache: a council's edit must still
    show on the next one, and a file broken by an edit must still be reported."""
    events = tmp_path / "events.csv"
    header = "start_date,end_date,label,kind,description\n"
    events.write_text(header + "2020-03-23,,First lockdown,covid,\n")
    assert calendar.load_events(events)["label"].to_list() == ["First lockdown"]
    assert calendar.load_events(events) is calendar.load_events(events)
    events.write_text(header + "2020-03-23,,First lockdown,covid,\n2024-09-02,,New hub,local,\n")
    assert calendar.load_events(events)["label"].to_list() == ["First lockdown", "New hub"]
    events.write_text(header + "2024-13-02,,New hub,local,\n")
    with pytest.raises(ValueError, match="column start_date"):
        calendar.load_events(events)
    events.unlink()
    with pytest.raises(ValueError, match="not found"):
        calendar.load_events(events)
