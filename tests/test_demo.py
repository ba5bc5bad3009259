"""Tests for the demo borough generator (earlyhelp/tools/demo/) and the calendar it follows.

The demo is what every user sees first and what every other test builds on, so it is checked
for what a council analyst would check in a real extract: the SSD columns and the value
conventions of SystemC's and Mosaic's SSD deployments (DATETIME text, NULL, outcome flags,
placeholders, local codes declared in mapping.yaml), ids that join, the step-up and step-down
links, the front door behind each referral, volumes, districts and the Covid checkpoints
published by the DfE. Files are read with tests/demo_files.py, not with the library.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from earlyhelp.core import calendar
from earlyhelp.core.schema import END_REASONS, SOURCE_CODES, SOURCE_GROUPS, SSD_TABLES
from earlyhelp.load.mapping import load_mapping
from earlyhelp.tools import demo
from tests import demo_files

# The columns each deployment's SSD SQL writes (../shared/reference/ssd), in its order, plus
# the council's local columns on early help episodes and, in SystemC, its early help
# involvements. Written out here so that the generator is checked against the specification,
# not against itself.
INVOLVEMENT_COLUMNS = [
    "invo_involvements_id",
    "invo_professional_id",
    "invo_professional_role_id",
    "invo_professional_team",
    "invo_person_id",
    "invo_involvement_start_date",
    "invo_involvement_end_date",
    "invo_worker_change_reason",
    "invo_referral_id",
]
SYSTEMC_COLUMNS = {
    "ssd_person": [
        "pers_person_id",
        "pers_forename",
        "pers_surname",
        "pers_sex",
        "pers_gender",
        "pers_ethnicity",
        "pers_dob",
        "pers_expected_dob",
    ],
    "ssd_address": [
        "addr_table_id",
        "addr_person_id",
        "addr_address_type",
        "addr_address_start_date",
        "addr_address_end_date",
        "addr_address_postcode",
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
        "earl_local_level_of_need",
        "earl_local_referral_source",
    ],
    "ssd_early_help_involvements": INVOLVEMENT_COLUMNS,
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
    "ssd_involvements": INVOLVEMENT_COLUMNS,
    "ssd_professionals": [
        "prof_professional_id",
        "prof_staff_id",
        "prof_professional_name",
        "prof_agency_worker_flag",
        "prof_professional_job_title",
        "prof_professional_caseload",
        "prof_professional_department",
        "prof_full_time_equivalency",
    ],
    "ssd_department": [
        "dept_team_id",
        "dept_team_name",
        "dept_team_parent_id",
        "dept_team_parent_name",
    ],
}
MOSAIC_COLUMNS = {
    name: columns
    for name, columns in SYSTEMC_COLUMNS.items()
    if name != "ssd_early_help_involvements"
}
MOSAIC_COLUMNS["ssd_early_help_episodes"] = [
    *SYSTEMC_COLUMNS["ssd_early_help_episodes"][:-2],
    "earl_local_threshold",
    "earl_local_eh_source",
]
# Mosaic's data-warehouse SQL: its own spellings, and no source description.
MOSAIC_COLUMNS["ssd_cin_episodes"] = [
    "cine_referral_id",
    "cine_person_id",
    "cine_referral_date",
    "cine_cin_primary_need_code",
    "cine_referral_source",
    "cin_referral_nfa",
    "cine_close_reason",
    "cine_close_date",
    "cine_referral_team",
    "cine_referral_worker_id",
]
OUTCOME_KEYS = [
    "NEW_REFERRAL_FLAG",
    "EXISTING_REFERRAL_FLAG",
    "CP_ENQUIRY_FLAG",
    "NFA_FLAG",
    "NON_AGENCY_ADOPTION_FLAG",
    "PRIVATE_FOSTERING_FLAG",
    "ADVICE_FLAG",
    "MISSING_FLAG",
    "OLA_CP_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
    "NUMBER_OF_OUTCOMES",
    "COMMENTS",
]
DATETIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2} 00:00:00\.000$")
REPO = Path(__file__).resolve().parent.parent
EXTRACT_DATE = dt.date(2026, 3, 31)
FAR_FUTURE = dt.date(2100, 1, 1)
HOLIDAYS = np.array(calendar.bank_holidays(2018, 2027), dtype="datetime64[D]")


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

read_extract = demo_files.read_extract


@pytest.fixture(scope="module")
def borough_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    counts = demo.write_demo(folder)
    assert counts == {stem: df.height for stem, df in read_extract(folder).items()}
    return folder


@pytest.fixture(scope="module")
def borough(borough_dir: Path) -> dict[str, pl.DataFrame]:
    return read_extract(borough_dir)


@pytest.fixture(scope="module")
def mosaic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mosaic")
    demo.write_demo(folder, flavour="mosaic")
    return folder


@pytest.fixture(scope="module")
def mosaic(mosaic_dir: Path) -> dict[str, pl.DataFrame]:
    return read_extract(mosaic_dir)


@pytest.fixture(scope="module")
def episodes(borough_dir: Path) -> pl.DataFrame:
    """Early help episodes with the mapping applied (tests/demo_files.py)."""
    return demo_files.episodes(borough_dir)


def referrals(episodes: pl.DataFrame) -> pl.DataFrame:
    """Early help episodes that started from a referral, with the source group."""
    groups = {code: group for code, (_, group) in SOURCE_CODES.items()}
    return episodes.filter(pl.col("start_reason") == "Referral").with_columns(
        group=pl.col("source_code").replace_strict(groups),
        earl_episode_start_date=pl.col("start"),
    )


def flags(contacts: pl.DataFrame) -> pl.DataFrame:
    """Each contact's outcome flags as read by pattern (the JSON may be invalid)."""
    outcome = pl.col("cont_contact_outcome_json")
    return contacts.with_columns(
        outcome.str.extract(rf'"{name}": "([YN])"', 1).alias(name) for name in OUTCOME_KEYS[:10]
    )


def followed_by_early_help(contacts: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    """Contacts with the referral episode of the child that starts 0-30 days after them (the
    nearest), and the working days to its start."""
    starts = referrals(episodes).select("person", "start", "source_code").sort("start")
    joined = (
        contacts.sort("cont_contact_date")
        .join_asof(
            starts,
            left_on="cont_contact_date",
            right_on="start",
            by_left="cont_person_id",
            by_right="person",
            strategy="forward",
            check_sortedness=False,
        )
        .filter((pl.col("start") - pl.col("cont_contact_date")).dt.total_days() <= 30)
    )
    working_days = np.busday_count(
        joined["cont_contact_date"].to_numpy().astype("datetime64[D]"),
        joined["start"].to_numpy().astype("datetime64[D]"),
        holidays=HOLIDAYS,
    )
    return joined.with_columns(working_days=pl.Series(working_days))


def contained(values: pl.Series, universe: pl.Series) -> bool:
    return bool(values.drop_nulls().is_in(universe.implode()).all())


# --- Files, conventions and determinism ---------------------------------------------------------


@pytest.mark.parametrize("flavour", ["systemc", "mosaic"])
def test_files_and_columns_are_each_deployments_ssd(flavour, borough_dir, mosaic_dir) -> None:
    folder = borough_dir if flavour == "systemc" else mosaic_dir
    expected = SYSTEMC_COLUMNS if flavour == "systemc" else MOSAIC_COLUMNS
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(
        [f"{t}.csv" for t in expected] + ["district_lookup.csv", "population.csv", "mapping.yaml"]
    )
    for table, columns in expected.items():
        with (folder / f"{table}.csv").open() as handle:
            assert handle.readline().strip().split(",") == columns, table
    # Everything the reader needs is there (under Mosaic's spellings where it has its own).
    aliases = {
        "cine_referral_source": "cine_referral_source_code",
        "cin_referral_nfa": "cine_referral_nfa",
    }
    local = demo_files.mapping(folder)["early_help_episodes"]
    for table, (_, columns) in SSD_TABLES.items():
        if table not in expected:
            continue
        written = {aliases.get(c, c) for c in expected[table]}
        needed = set(columns) - {"earl_level_of_need", "earl_referral_source_code"}
        if flavour == "mosaic":
            needed -= {"cine_referral_source_desc"}
        assert needed <= written, table
        if table == "ssd_early_help_episodes":
            assert {local["level_of_need_column"], local["referral_source_column"]} <= written


@pytest.mark.parametrize("flavour", ["systemc", "mosaic"])
def test_csv_values_are_written_as_sql_server_exports_them(flavour, borough_dir, mosaic_dir):
    """Dates as DATETIME text, nulls as the text NULL (never an empty field), ids as numbers."""
    folder = borough_dir if flavour == "systemc" else mosaic_dir
    for path in sorted(folder.glob("ssd_*.csv")):
        text = pl.read_csv(path, infer_schema=False)
        for column in text.columns:
            values = text[column]
            assert values.null_count() == 0, (path.name, column, "empty field, not NULL")
            given = values.filter(values != "NULL")
            if demo_files.is_date_column(column):
                assert given.str.contains(DATETIME_TEXT.pattern).all(), (path.name, column)
            if column.endswith("_person_id") or column in ("cont_contact_id", "earl_episode_id"):
                assert given.str.contains(r"^\d+$").all(), (path.name, column)
        if path.stem == "ssd_professionals" and flavour == "mosaic":
            assert (text["prof_professional_id"] == "NULL").all()
    contacts = (folder / "ssd_contacts.csv").read_text()
    assert "NULL" not in contacts.split("\n", 1)[1].split(",")[2]  # a contact always has a date
    addresses = pl.read_csv(folder / "ssd_address.csv", infer_schema=False)
    assert (addresses["addr_address_start_date"] == "NULL").any()
    assert (addresses["addr_address_end_date"] == "NULL").any()


def test_same_seed_gives_identical_csv_files(borough_dir: Path, tmp_path: Path) -> None:
    """Identical bytes from another process, whatever its string hashing (PYTHONHASHSEED)."""
    script = "from pathlib import Path; from earlyhelp.tools.demo import write_demo; "
    script += f"write_demo(Path({str(tmp_path)!r}), seed=2021)"
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment, check=True)
    files = sorted(p.name for p in borough_dir.iterdir())
    assert files == sorted(p.name for p in tmp_path.iterdir())
    for name in files:
        assert (borough_dir / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_same_seed_gives_identical_parquet_files_with_the_csv_values(
    tmp_path: Path, borough: dict[str, pl.DataFrame]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    demo.write_demo(first, seed=2021, fmt="parquet")
    demo.write_demo(second, seed=2021, fmt="parquet")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(
        [f"{t}.parquet" for t in SYSTEMC_COLUMNS]
        + ["district_lookup.csv", "population.csv", "mapping.yaml"]
    )
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # Typed columns, the same values and codes as the CSV extract.
    for table in ("ssd_early_help_episodes", "ssd_contacts", "ssd_professionals", "ssd_address"):
        frame = pl.read_parquet(first / f"{table}.parquet")
        assert frame.columns == SYSTEMC_COLUMNS[table]
        csv = borough[table]
        assert frame.select(csv.columns).equals(csv.cast(frame.schema)), table
    episodes = pl.read_parquet(first / "ssd_early_help_episodes.parquet")
    assert episodes.schema["earl_episode_start_date"] == pl.Date


def test_a_different_seed_gives_different_data(borough_dir: Path, tmp_path: Path) -> None:
    demo.write_demo(tmp_path, seed=2022)
    for table in ("ssd_contacts", "ssd_early_help_episodes", "ssd_person"):
        assert (tmp_path / f"{table}.csv").read_bytes() != (
            borough_dir / f"{table}.csv"
        ).read_bytes()


def test_a_rerun_replaces_the_other_flavours_files(tmp_path: Path) -> None:
    demo.write_demo(tmp_path, flavour="mosaic", fmt="parquet", scale="national", _areas=1)
    demo.write_demo(tmp_path, flavour="systemc", fmt="csv", scale="national", _areas=1)
    assert not list(tmp_path.glob("*.parquet"))
    assert (tmp_path / "ssd_early_help_involvements.csv").exists()
    demo.write_demo(tmp_path, flavour="mosaic", scale="national", _areas=1)
    assert not (tmp_path / "ssd_early_help_involvements.csv").exists()


def test_rejects_unknown_scale_format_and_flavour(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        demo.write_demo(tmp_path, scale="county")
    with pytest.raises(ValueError, match="fmt"):
        demo.write_demo(tmp_path, fmt="xlsx")
    with pytest.raises(ValueError, match="flavour"):
        demo.write_demo(tmp_path, flavour="eclipse")


def test_rows_are_sorted_by_id(borough: dict[str, pl.DataFrame]) -> None:
    for table, columns in SYSTEMC_COLUMNS.items():
        ids = borough[table][columns[0]]
        assert ids.is_unique().all(), table
        assert ids.is_sorted(), table
    both = pl.concat(
        [borough["ssd_involvements"]["invo_involvements_id"]]
        + [borough["ssd_early_help_involvements"]["invo_involvements_id"]]
    )
    assert both.is_unique().all(), "one id space for both involvement tables"


# --- The mapping file -----------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["systemc", "mosaic"])
def test_the_mapping_file_declares_every_local_code(flavour, borough_dir, mosaic_dir):
    folder = borough_dir if flavour == "systemc" else mosaic_dir
    mapping = load_mapping(folder / "mapping.yaml")  # the reader's own checks pass
    assert mapping.flavour == flavour and mapping.case_holding_roles == ("CW",)
    assert mapping.involvements_refer_to == "cin_referrals"
    raw = demo_files.read_table(folder, "ssd_early_help_episodes")
    spec = demo_files.mapping(folder)["early_help_episodes"]
    levels = raw[spec["level_of_need_column"]].str.to_uppercase()
    assert set(levels) == set(mapping.levels_of_need)
    assert sorted(set(mapping.levels_of_need.values())) == [1, 2, 3, 4]
    ends = raw["earl_episode_end_reason"].drop_nulls().str.to_uppercase()
    assert set(ends) == set(mapping.end_reasons)
    assert set(mapping.end_reasons.values()) == {*END_REASONS, "Other"}
    organisations = raw["earl_episode_organisation"].cast(pl.String)
    assert set(organisations) <= set(mapping.organisations)
    names = {o.name for o in mapping.organisations.values()}
    assert not set(organisations) & names, "codes, not names"
    assert mapping.level_labels[3] == "Targeted Early Help"
    # Names and kinds as in data/organisations.csv, so the organisation types keep working.
    listed = dict(pl.read_csv(REPO / "data" / "organisations.csv").iter_rows())
    for organisation in mapping.organisations.values():
        assert listed[organisation.name] == organisation.kind, organisation
    text = (folder / "mapping.yaml").read_text()
    assert text.startswith("# ") and text.count("\n#") + text.count("  #") > 10, "commented"


@pytest.mark.parametrize("flavour", ["systemc", "mosaic"])
def test_the_shipped_example_mappings_are_the_demo_boroughs(flavour, borough_dir, mosaic_dir):
    shipped = REPO / "data" / "mappings" / f"{flavour}.yaml"
    assert shipped.read_text() == demo.example_mapping_text(flavour)
    example, written = (
        load_mapping(shipped),
        load_mapping((borough_dir if flavour == "systemc" else mosaic_dir) / "mapping.yaml"),
    )
    for field in ("levels_of_need", "end_reasons", "organisations", "case_holding_roles"):
        assert getattr(example, field) == getattr(written, field), field


# --- Integrity ------------------------------------------------------------------------------------


def test_every_record_points_at_something_that_exists(borough: dict[str, pl.DataFrame]) -> None:
    people = borough["ssd_person"]["pers_person_id"]
    episodes = borough["ssd_early_help_episodes"]
    staff = borough["ssd_professionals"]
    workers = staff["prof_professional_id"]
    teams = borough["ssd_department"]
    referrals_ = borough["ssd_cin_episodes"]
    assert contained(episodes["earl_person_id"], people)
    assert contained(borough["ssd_contacts"]["cont_person_id"], people)
    assert contained(referrals_["cine_person_id"], people)
    assert contained(borough["ssd_address"]["addr_person_id"], people)
    # Early help involvements name the episode, social care ones the CIN referral (SSD).
    early_help = borough["ssd_early_help_involvements"]
    social_care = borough["ssd_involvements"]
    assert contained(early_help["invo_referral_id"], episodes["earl_episode_id"])
    assert contained(social_care["invo_referral_id"], referrals_["cine_referral_id"])
    for involvements, events, key, person in (
        (early_help, episodes, "earl_episode_id", "earl_person_id"),
        (social_care, referrals_, "cine_referral_id", "cine_person_id"),
    ):
        assert contained(involvements["invo_professional_id"], workers)
        assert contained(involvements["invo_professional_team"], teams["dept_team_id"])
        joined = involvements.join(events, left_on="invo_referral_id", right_on=key)
        assert (joined["invo_person_id"] == joined[person]).all()
    assert social_care["invo_referral_id"].sort().equals(referrals_["cine_referral_id"].sort())
    # SystemC: the placeholder for the episode's worker, the worker's name on a referral.
    assert (episodes["earl_episode_worker_id"] == "SSD_PH").all()
    assert contained(referrals_["cine_referral_worker_id"], staff["prof_professional_name"])
    assert contained(referrals_["cine_referral_team"], teams["dept_team_id"])
    # Every person has a current home address, and the team hierarchy closes.
    current = borough["ssd_address"].filter(
        pl.col("addr_address_end_date").is_null() & (pl.col("addr_address_type") == "HOME")
    )
    assert current["addr_person_id"].sort().equals(people.sort(), check_names=False)
    assert contained(teams["dept_team_parent_id"], teams["dept_team_id"])
    assert contained(staff["prof_professional_department"], teams["dept_team_name"])


def test_a_child_has_one_early_help_episode_at_a_time(episodes: pl.DataFrame) -> None:
    ordered = episodes.sort("person", "start")
    previous_end = pl.col("end").fill_null(FAR_FUTURE).shift(1).over("person")
    assert ordered.filter(pl.col("start") <= previous_end).height == 0


def test_every_step_up_has_its_social_care_referral(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    step_ups = episodes.filter(pl.col("end_reason") == "Step-up")
    assert (
        borough["ssd_early_help_episodes"]
        .filter(pl.col("earl_episode_end_reason") == "STEPUP")
        .height
        == step_ups.height
        > 0
    )
    from_early_help = borough["ssd_cin_episodes"].filter(
        pl.col("cine_referral_source_code") == "5D"
    )
    missing = step_ups.join(
        from_early_help,
        left_on=["person", "end"],
        right_on=["cine_person_id", "cine_referral_date"],
        how="anti",
    )
    assert missing.height == 0
    assert (from_early_help["cine_referral_source_desc"] == SOURCE_CODES["5D"][0]).all()


def test_every_rc9_closure_is_followed_by_a_step_down(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    closed_to_early_help = borough["ssd_cin_episodes"].filter(pl.col("cine_close_reason") == "RC9")
    step_downs = episodes.filter(pl.col("start_reason") == "Step-down")
    assert closed_to_early_help.height > 0
    followed = closed_to_early_help.join(
        step_downs, left_on="cine_person_id", right_on="person"
    ).filter((pl.col("start") - pl.col("cine_close_date")).dt.total_days().is_between(0, 14))
    assert followed["cine_referral_id"].n_unique() == closed_to_early_help.height


# --- The front door -------------------------------------------------------------------------------


def test_outcomes_are_systemcs_flag_json_with_a_few_broken_by_a_quote(
    borough: dict[str, pl.DataFrame],
) -> None:
    outcomes = borough["ssd_contacts"]["cont_contact_outcome_json"].to_list()
    broken = []
    for text in outcomes:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            broken.append(text)
            continue
        assert list(parsed) == OUTCOME_KEYS
        set_flags = [k for k in OUTCOME_KEYS[:10] if parsed[k] == "Y"]
        assert all(parsed[k] in ("Y", "N") for k in OUTCOME_KEYS[:10])
        assert parsed["NUMBER_OF_OUTCOMES"] == len(set_flags) <= 1
        assert parsed["COMMENTS"]
    assert 5 <= len(broken) <= 100, "a handful"
    assert all(re.search(r'"COMMENTS": ".*".*".*"}$', text) for text in broken)
    # The flags still read by pattern in a broken one.
    assert all(flags(pl.DataFrame({"cont_contact_outcome_json": broken}))["NFA_FLAG"].is_not_null())


def test_every_referral_comes_through_the_front_door(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    """Each referral episode follows a contact about the child, from the same source, within
    10 working days: the front door's early help decision, which SSD shows only by the
    episode that follows (its flags: another outcome, none, or no further action)."""
    contacts = flags(borough["ssd_contacts"])
    followed = followed_by_early_help(contacts, episodes)
    matched = followed.filter(
        (pl.col("source_code") == pl.col("cont_contact_source_code"))
        & pl.col("working_days").is_between(0, 10)
    )
    missing = referrals(episodes).join(
        matched,
        left_on=["person", "start", "source_code"],
        right_on=["cont_person_id", "start", "source_code"],
        how="anti",
    )
    assert missing.height == 0
    # A few contacts that went elsewhere happen to come just before a child's early help from
    # the same source (SSD cannot tell them apart either).
    elsewhere_first = (pl.col("NEW_REFERRAL_FLAG") == "Y") | (pl.col("ADVICE_FLAG") == "Y")
    assert matched.filter(elsewhere_first).height < 0.001 * matched.height
    variants = matched.filter(~elsewhere_first).group_by("OTHER_OUTCOMES_EXIST_FLAG", "NFA_FLAG")
    assert variants.len().height == 3  # another outcome, no flag, or NFA from social care
    # A social care referral on the contact's decision day for each new referral flag.
    new = contacts.filter(pl.col("NEW_REFERRAL_FLAG") == "Y")
    cin = borough["ssd_cin_episodes"]
    on_time = new.join(
        cin,
        left_on=["cont_person_id", "cont_contact_source_code"],
        right_on=["cine_person_id", "cine_referral_source_code"],
    ).filter(
        (pl.col("cine_referral_date") - pl.col("cont_contact_date"))
        .dt.total_days()
        .is_between(0, 21)
    )
    assert on_time["cont_contact_id"].n_unique() == new.height
    assert (new["ADVICE_FLAG"] == "N").all() and (new["NFA_FLAG"] == "N").all()
    # About as many contacts again lead elsewhere (advice, no further action).
    elsewhere = contacts.filter((pl.col("ADVICE_FLAG") == "Y") | (pl.col("NFA_FLAG") == "Y"))
    elsewhere = elsewhere.filter(
        ~pl.col("cont_contact_id").is_in(matched["cont_contact_id"].implode())
    )
    assert 0.45 < elsewhere.height / matched.height < 0.75
    descriptions = {code: description for code, (description, _) in SOURCE_CODES.items()}
    expected = contacts["cont_contact_source_code"].replace_strict(descriptions)
    assert (contacts["cont_contact_source_desc"] == expected).all()


def test_early_help_starts_within_working_days_of_the_contact_and_gets_faster(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    """Front-door timeliness from SSD: working days from the contact to the start of the early
    help that follows (the episode starts on the decision day): about 70% within 2 working
    days in 2018, about 90% after the integrated front door."""
    contacts = flags(borough["ssd_contacts"]).filter(pl.col("NEW_REFERRAL_FLAG") == "N")
    followed = followed_by_early_help(contacts, episodes)
    # The contact nearest each episode is at most 10 working days before it.
    nearest = followed.sort("cont_contact_date").group_by("cont_person_id", "start").last()
    assert nearest["working_days"].min() >= 0 and nearest["working_days"].max() <= 10
    decided = followed.with_columns(quick=pl.col("working_days") <= 2)
    in_2018 = decided.filter(pl.col("cont_contact_date").dt.year() == 2018)["quick"].mean()
    after_mash = decided.filter(pl.col("cont_contact_date") >= dt.date(2021, 2, 1))["quick"].mean()
    assert 0.65 < in_2018 < 0.76
    assert 0.86 < after_mash < 0.94


# --- Episodes, workers and caseloads ------------------------------------------------------------


def test_early_help_case_workers_follow_one_another_to_the_end_of_the_episode(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    all_rows = borough["ssd_early_help_involvements"]
    involvements = all_rows.filter(pl.col("invo_professional_role_id") == "CW").sort(
        "invo_referral_id", "invo_involvement_start_date"
    )
    nxt = pl.col("invo_involvement_start_date").shift(-1).over("invo_referral_id")
    chained = involvements.with_columns(next_start=nxt)
    handed_over = chained.filter(pl.col("next_start").is_not_null())
    gap = (handed_over["next_start"] - handed_over["invo_involvement_end_date"]).dt.total_days()
    assert (gap == 1).all()
    assert handed_over["invo_professional_id"].len() > 0
    last = chained.filter(pl.col("next_start").is_null()).join(
        episodes, left_on="invo_referral_id", right_on="episode"
    )
    assert last["invo_involvement_end_date"].eq_missing(last["end"]).all()

    per_episode = involvements.group_by("invo_referral_id").agg(
        changes=pl.len() - 1,
        first_start=pl.col("invo_involvement_start_date").min(),
        first_reason=pl.col("invo_worker_change_reason").first(),
        later_reasons=pl.col("invo_worker_change_reason").slice(1).drop_nulls().len(),
    )
    assert per_episode["changes"].max() <= 3
    assert per_episode["first_reason"].null_count() == per_episode.height
    assert (per_episode["later_reasons"] == per_episode["changes"]).all()
    # SSD's code set for the reason a worker changed.
    reasons = set(involvements["invo_worker_change_reason"].drop_nulls().unique())
    assert reasons == {"LEFTRL", "MANAGE", "ORGRST", "PCCHAN"}

    allocated = per_episode.join(episodes, left_on="invo_referral_id", right_on="episode")
    wait = (allocated["first_start"] - allocated["start"]).dt.total_days()
    assert wait.min() >= 0 and wait.max() <= 30 and (wait < 10).mean() > 0.8
    before = allocated.filter(pl.col("first_start") < dt.date(2021, 4, 1))["changes"].mean()
    after = allocated.filter(pl.col("first_start") >= dt.date(2021, 4, 1))["changes"].mean()
    assert after < 0.75 * before  # the district model reduced transfers


def test_team_managers_oversee_some_cases_without_holding_them(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    rows = borough["ssd_early_help_involvements"]
    assert set(rows["invo_professional_role_id"]) == {"CW", "TM"}
    managers = rows.filter(pl.col("invo_professional_role_id") == "TM")
    overseen = managers["invo_referral_id"].n_unique()
    allocated = rows.filter(pl.col("invo_professional_role_id") == "CW")["invo_referral_id"]
    assert 0.10 < overseen / allocated.n_unique() < 0.20
    titles = managers.join(
        borough["ssd_professionals"],
        left_on="invo_professional_id",
        right_on="prof_professional_id",
    )["prof_professional_job_title"]
    assert titles.len() == managers.height and (titles == "Team Manager").all()
    within = managers.join(episodes, left_on="invo_referral_id", right_on="episode").filter(
        (pl.col("invo_involvement_start_date") >= pl.col("start"))
        & (
            pl.col("end").is_null()
            | (pl.col("invo_involvement_end_date").fill_null(FAR_FUTURE) <= pl.col("end"))
        )
    )
    assert within.height == managers.height
    assert managers["invo_worker_change_reason"].null_count() == managers.height


def test_workers_only_on_targeted_episodes(episodes: pl.DataFrame, borough_dir: Path) -> None:
    held = demo_files.case_involvements(borough_dir)
    with_worker = episodes.filter(pl.col("episode").is_in(held["episode"].implode()))
    assert (with_worker["level"] >= 3).all()
    waiting = episodes.filter(
        (pl.col("level") >= 3) & ~pl.col("episode").is_in(held["episode"].implode())
    )
    assert 0 < waiting.height < 200
    assert waiting["end"].null_count() == waiting.height
    assert (waiting["start"] > dt.date(2026, 2, 28)).all()
    targeted = episodes.filter(pl.col("level") >= 3)["organisation"]
    assert targeted.str.starts_with("Targeted Early Help - ").mean() > 0.6
    assert 0.2 < (targeted == "Positive Steps").mean() < 0.35
    assert episodes["organisation"].str.ends_with("School").any()
    assert set(episodes.filter(pl.col("level") <= 2)["kind"]) == {"school", "health", "early_years"}


def test_episode_mix(episodes: pl.DataFrame) -> None:
    closed = episodes.filter(pl.col("end").is_not_null())
    assert set(closed["end_reason"].unique()) == {*END_REASONS, "Other"}
    shares = closed["end_reason"].value_counts(normalize=True)
    share = dict(zip(shares["end_reason"], shares["proportion"], strict=True))
    assert 0.50 < share["Outcomes met"] < 0.60 and 0.07 < share["Step-up"] < 0.13
    assert 0.003 < share["Other"] < 0.02  # a few reasons of the council's own
    open_now = episodes.filter(pl.col("end").is_null())
    assert open_now["end_reason"].null_count() == open_now.height
    levels = episodes["level"].value_counts(normalize=True).sort("level")
    level_share = dict(zip(levels["level"], levels["proportion"], strict=True))
    assert set(level_share) == {1, 2, 3, 4}
    assert level_share[2] + level_share[3] > 0.85 and level_share[4] < level_share[1] + 0.02
    sources = referrals(episodes)["group"].value_counts(normalize=True)
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
    # The recorded caseload is the open allocated-case-worker involvements, early help and
    # social care (a team manager's oversight is not a case).
    open_cases = pl.concat(
        [
            borough["ssd_early_help_involvements"].filter(
                pl.col("invo_professional_role_id") == "CW"
            ),
            borough["ssd_involvements"],
        ]
    ).filter(pl.col("invo_involvement_end_date").is_null())
    counted = open_cases.group_by("invo_professional_id").len()
    recorded = staff.filter(pl.col("prof_professional_caseload") > 0)
    assert dict(counted.iter_rows()) == dict(
        recorded.select("prof_professional_id", "prof_professional_caseload").iter_rows()
    )


# --- Mosaic ---------------------------------------------------------------------------------------


def test_mosaic_writes_the_same_records_its_own_way(
    borough: dict[str, pl.DataFrame], mosaic: dict[str, pl.DataFrame], mosaic_dir: Path
) -> None:
    # The same records: both flavours tell one story.
    for table, columns in (
        ("ssd_contacts", ["cont_contact_id", "cont_person_id", "cont_contact_date"]),
        (
            "ssd_early_help_episodes",
            [
                "earl_episode_id",
                "earl_person_id",
                "earl_episode_start_date",
                "earl_episode_end_date",
            ],
        ),
        (
            "ssd_cin_episodes",
            ["cine_referral_id", "cine_close_reason", "cine_close_date", "cine_referral_team"],
        ),
        ("ssd_address", ["addr_person_id", "addr_address_postcode", "addr_address_start_date"]),
    ):
        assert mosaic[table].select(columns).equals(borough[table].select(columns)), table
    # Sex as descriptions; next-step names instead of flags.
    sexes = {"M": "Male", "F": "Female", "U": "Unknown", "I": "Indeterminate"}
    assert mosaic["ssd_person"]["pers_sex"].equals(
        borough["ssd_person"]["pers_sex"].replace_strict(sexes)
    )
    outcomes = set(mosaic["ssd_contacts"]["cont_contact_outcome_json"])
    assert outcomes == set(demo.MOSAIC_OUTCOMES)
    # Workers keyed by prof_staff_id; no professional id, FTE or agency flag.
    staff = mosaic["ssd_professionals"]
    for column in ("prof_professional_id", "prof_full_time_equivalency", "prof_agency_worker_flag"):
        assert staff[column].null_count() == staff.height, column
    assert staff["prof_staff_id"].is_unique().all()
    assert contained(mosaic["ssd_involvements"]["invo_professional_id"], staff["prof_staff_id"])
    assert contained(mosaic["ssd_cin_episodes"]["cine_referral_worker_id"], staff["prof_staff_id"])
    # No early help involvements: the episode names its allocated (last) worker.
    episodes = demo_files.episodes(mosaic_dir)
    held = episodes.filter(pl.col("worker").is_not_null())
    assert contained(held["worker"], staff["prof_staff_id"])
    assert (held["level"] >= 3).all() and held.height > 0.4 * episodes.height
    # Departments are Mosaic's placeholder: no rows; organisations are ids.
    assert mosaic["ssd_department"].height == 0
    assert (
        mosaic["ssd_early_help_episodes"]["earl_episode_organisation"].str.contains(r"^\d+$").all()
    )


def test_mosaic_episodes_mean_what_systemcs_mean(borough_dir: Path, mosaic_dir: Path) -> None:
    columns = [
        "episode",
        "start",
        "end",
        "start_reason",
        "end_reason",
        "level",
        "organisation",
        "kind",
        "source_code",
    ]
    systemc = demo_files.episodes(borough_dir).select(columns)
    mosaic = demo_files.episodes(mosaic_dir).select(columns)
    assert mosaic.equals(systemc)


def test_both_flavours_load_through_the_ssd_reader_with_the_same_figures(
    borough_dir: Path, mosaic_dir: Path, tmp_path: Path
) -> None:
    """Ingested with the mapping.yaml beside them, no row is rejected and no value cleared, and
    what both flavours carry gives the same figures; Mosaic has no allocation history (its
    episodes name only their worker) and no FTE."""
    from earlyhelp.load.ingest import ingest
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    analyst, period = Role.parse("analyst"), {"from": "2025-04-01", "to": "2026-03-31"}
    figures = {}
    for name, folder in (("systemc", borough_dir), ("mosaic", mosaic_dir)):
        result = ingest([folder], tmp_path / name)
        for row in result.reconciliation:
            assert row["rejected"] == 0, (name, row)
            assert row["values_cleared"] == 0, (name, row)
        runner = QueryRunner.open(tmp_path / name)
        figures[name] = {
            query: runner.run(query, period, analyst)
            for query in ("pathway_summary", "frontdoor_summary", "referrals_by_month")
        }
        figures[name]["caseload"] = runner.run(
            "caseload_by_district", {"as_of": "2026-03-31"}, analyst
        )
    for query, frame in figures["systemc"].items():
        if query == "caseload":
            continue
        assert frame.equals(figures["mosaic"][query]), query
    summary = figures["systemc"]["frontdoor_summary"]
    assert summary["decided"].sum() > 0.4 * summary["contacts"].sum()
    open_now = [f["caseload"]["open_episodes"].sum() for f in figures.values()]
    assert open_now[0] == open_now[1] > 0


# --- People and places ----------------------------------------------------------------------------


def test_people_have_placeholder_names_and_plausible_ages(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    people = borough["ssd_person"]
    assert (people["pers_forename"] == "Child").all()
    assert people["pers_surname"].str.contains(r"^Demo\d+$").all()
    sexes = people["pers_sex"].value_counts()
    assert set(sexes["pers_sex"]) == {"M", "F", "U", "I"}
    assert 0 < (people["pers_sex"] == "I").sum() < 0.005 * people.height
    assert people["pers_ethnicity"].value_counts(sort=True)["pers_ethnicity"][0] == "WBRI"
    # A few births are estimated: pers_dob NULL, pers_expected_dob set; never both or neither.
    estimated = people.filter(pl.col("pers_dob").is_null())
    assert 0 < estimated.height < 0.01 * people.height
    assert estimated["pers_expected_dob"].null_count() == 0
    assert people.filter(pl.col("pers_dob").is_not_null())["pers_expected_dob"].null_count() == (
        people.height - estimated.height
    )
    born = people.select(
        "pers_person_id", pl.coalesce("pers_dob", "pers_expected_dob").alias("dob")
    )
    ages = (
        referrals(episodes)
        .join(born, left_on="person", right_on="pers_person_id")
        .select((pl.col("start") - pl.col("dob")).dt.total_days() / 365.25)
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
    assert set(addresses["addr_address_type"]) == {"HOME", "PLACEMENT"}
    homes = addresses.filter(pl.col("addr_address_type") == "HOME")
    # About a tenth of children move once, some to another district; rows never overlap.
    moves = homes.group_by("addr_person_id").len()
    assert moves["len"].max() == 2 and 0.07 < (moves["len"] == 2).mean() < 0.13
    moved = homes.sort("addr_person_id", "addr_address_start_date", nulls_last=False).with_columns(
        previous_end=pl.col("addr_address_end_date").shift(1).over("addr_person_id")
    )
    gaps = moved.filter(pl.col("previous_end").is_not_null())
    assert ((gaps["addr_address_start_date"] - gaps["previous_end"]).dt.total_days() == 1).all()
    # Some first addresses have no start date (SSD's is optional); never a later one.
    no_start = homes.filter(pl.col("addr_address_start_date").is_null())
    assert 0.03 < no_start.height / homes["addr_person_id"].n_unique() < 0.07
    first = homes.group_by("addr_person_id").agg(pl.col("addr_table_id").min())
    assert no_start["addr_table_id"].is_in(first["addr_table_id"].implode()).all()


def test_placements_are_elsewhere_and_never_move_a_childs_district(
    borough: dict[str, pl.DataFrame], borough_dir: Path
) -> None:
    addresses = borough["ssd_address"]
    placements = addresses.filter(pl.col("addr_address_type") == "PLACEMENT")
    people = addresses["addr_person_id"].n_unique()
    assert 0.01 < placements.height / people < 0.03
    assert placements["addr_address_start_date"].null_count() == 0
    home = demo_files.districts_at_start(
        borough_dir,
        placements.select(
            "addr_table_id",
            "addr_person_id",
            pl.col("addr_address_start_date").alias("day"),
            "addr_address_postcode",
        ),
        "addr_person_id",
        "day",
    )
    assert home.height == placements.height, "a home address on every placement's first day"
    lookup = borough["district_lookup"]
    sector = pl.col("addr_address_postcode").str.slice(0, 5)
    placed = home.join(
        lookup.rename({"district": "placed_in"}), left_on=sector, right_on="postcode_sector"
    )
    assert (placed["placed_in"] != placed["district"]).all()


def test_district_teams_follow_the_home_address_on_the_day(
    episodes: pl.DataFrame, borough_dir: Path
) -> None:
    at_start = demo_files.districts_at_start(borough_dir, referrals(episodes), "person", "start")
    assert at_start.height == referrals(episodes).height
    counts = at_start["district"].value_counts()["count"]
    assert 1.8 < counts.max() / counts.min() < 3.2  # districts of unequal size
    district_teams = at_start.filter(pl.col("organisation").str.starts_with("Targeted"))
    expected = "Targeted Early Help - " + district_teams["district"]
    assert (district_teams["organisation"] == expected).all()


# --- Demand ---------------------------------------------------------------------------------------


def test_about_six_thousand_referrals_a_year(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    start = pl.col("start")
    financial_year = start.dt.year() - (start.dt.month() < 4).cast(pl.Int32)
    per_year = referrals(episodes).group_by(financial_year.alias("year")).len().sort("year")
    assert per_year["year"].to_list() == list(range(2018, 2026))
    assert per_year["len"].is_between(5_000, 7_000).all()
    social_care = borough["ssd_cin_episodes"].height / 8
    assert 2_500 < social_care < 3_600


def test_school_holidays_and_weekends_are_quiet(
    borough: dict[str, pl.DataFrame], episodes: pl.DataFrame
) -> None:
    schools = referrals(episodes).filter(pl.col("group") == "Schools")
    dates = schools["start"]
    holiday = calendar.school_holiday_flags(dates)
    per_day_holiday = holiday.sum() / calendar.school_holiday_flags(_all_days()).sum()
    per_day_term = (~holiday).sum() / (~calendar.school_holiday_flags(_all_days())).sum()
    assert per_day_holiday < 0.35 * per_day_term  # decisions spill over a few days
    weekend = referrals(episodes)["start"].dt.weekday() >= 6
    assert weekend.mean() < 0.03
    # Schools refer more in the first fortnight of the autumn term than later in it (seen at
    # the front door: the decision lag blurs it in episode starts).
    contacts = followed_by_early_help(borough["ssd_contacts"], episodes).filter(
        pl.col("cont_contact_source_code").is_in(["2A", "2B"])
        & (pl.col("source_code") == pl.col("cont_contact_source_code"))
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


def test_covid_checkpoints_in_the_generated_borough(episodes: pl.DataFrame) -> None:
    """The same checkpoints on the borough's own referrals, within their sampling error.

    A week of a borough's referrals is about a hundred, so a single borough lands within about
    10 points of a checkpoint (the model test above checks the calibration itself). The
    tolerance is 3 standard errors of the change if the target were true (Poisson counts), and
    the direction must always be right.
    """
    data = referrals(episodes)

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


def test_peaks_on_the_returns_to_school(episodes: pl.DataFrame) -> None:
    """Weekly referrals peak when schools fully return: September 2020 and 8 March 2021."""
    weekly = (
        referrals(episodes)
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


@pytest.mark.parametrize(("fmt", "flavour"), [("csv", "systemc"), ("parquet", "mosaic")])
def test_national_scale_streams_areas_with_unique_ids(tmp_path: Path, fmt: str, flavour: str):
    counts = demo.write_demo(tmp_path, seed=3, scale="national", fmt=fmt, flavour=flavour, _areas=2)
    expected = SYSTEMC_COLUMNS if flavour == "systemc" else MOSAIC_COLUMNS
    tables = {t: demo_files.read_table(tmp_path, t) for t in expected}
    lookup = pl.read_csv(tmp_path / "district_lookup.csv")
    population = pl.read_csv(tmp_path / "population.csv")
    assert counts == {
        **{t: df.height for t, df in tables.items()},
        "district_lookup": lookup.height,
        "population": population.height,
    }
    assert set(population["district"]) == set(lookup["district"])
    for table, columns in expected.items():
        assert tables[table].columns == columns
        key = "prof_staff_id" if table == "ssd_professionals" else columns[0]
        assert tables[table][key].is_unique().all(), table
    assert lookup["district"].n_unique() == 10
    assert lookup["district"].str.contains(r"^A00[12] (North|East|South|West|Central)$").all()
    assert lookup["postcode_sector"].is_unique().all()
    # Both areas are there, each in its own block of ids, and records join within the run.
    people = tables["ssd_person"]["pers_person_id"]
    assert (people // demo.ID_BLOCK).unique().sort().to_list() == [1, 2]
    episodes = demo_files.episodes(tmp_path)
    assert contained(episodes["person"], people)
    assert episodes["organisation"].null_count() == 0, "every area's codes are in the mapping"
    assert episodes["organisation"].str.starts_with("Targeted Early Help - A002 ").any()
    assert contained(
        tables["ssd_involvements"]["invo_referral_id"],
        tables["ssd_cin_episodes"]["cine_referral_id"],
    )
    if flavour == "systemc":
        assert contained(
            tables["ssd_early_help_involvements"]["invo_referral_id"], episodes["episode"]
        )
    assert 80_000 < episodes.height < 400_000
    load_mapping(tmp_path / "mapping.yaml")


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
