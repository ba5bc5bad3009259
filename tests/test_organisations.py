"""Organisation types as council-editable data (data/organisations.csv): loaded at ingest into
the warehouse's organisation_types table, read by mart_episode_flags (who leads an episode) and by
earlyhelp/measures/caseloads/teams_and_providers.py (commissioned providers); a bad row stops
the ingest naming file, row and value; an organisation the file does not list falls back to
patterns in its name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from earlyhelp.core.config import DEFAULT_ORGANISATIONS_FILE
from earlyhelp.core.errors import UnusableInput
from earlyhelp.load import warehouse
from earlyhelp.load.ingest import ingest
from earlyhelp.measures import caseloads

REPO = Path(__file__).resolve().parent.parent


def write_organisations(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "organisations.csv"
    path.write_text(text)
    return path


def write_episodes(folder: Path, organisations: list[str | None]) -> Path:
    """Canonical Parquet: one early help episode per organisation, each for its own child."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(organisations)
    pl.DataFrame(
        {
            "episode_id": [f"E{i}" for i in range(n)],
            "child_id": [str(i) for i in range(n)],
            "start_date": ["2021-05-01"] * n,
            "organisation": organisations,
        },
        schema={c: pl.String for c in ("episode_id", "child_id", "start_date", "organisation")},
    ).write_parquet(folder / "early_help_episodes.parquet")
    return folder


def lead_organisations(version_dir: Path) -> dict[str, str]:
    flags = pl.read_parquet(version_dir / "marts" / "mart_episode_flags.parquet")
    episodes = pl.read_parquet(version_dir / "tables" / "early_help_episodes.parquet")
    joined = flags.join(episodes.select("episode_id", "organisation"), on="episode_id")
    return dict(joined.select(pl.col("organisation").fill_null(""), "lead_organisation").rows())


# --- The file ---------------------------------------------------------------------------------
def test_the_file_is_read_with_types_normalised(tmp_path):
    path = write_organisations(
        tmp_path,
        "\ufeffOrganisation , Type,notes\n"
        "Brightside  Trust,Commissioned,our provider\n"
        "Little Acorns Nursery,Early years,\n"
        ",,\n"
        "St Mary's Clinic,health,\n"
        "brightside trust,commissioned,same again is fine\n",
    )
    frame = warehouse.load_organisation_types(path)
    assert frame.rows() == [
        ("Brightside Trust", "commissioned"),
        ("Little Acorns Nursery", "early_years"),
        ("St Mary's Clinic", "health"),
    ]


def test_a_missing_file_is_an_empty_table(tmp_path):
    frame = warehouse.load_organisation_types(tmp_path / "none.csv")
    assert frame.is_empty() and frame.columns == ["organisation", "type"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "organisation,type\nBrightside Trust,commissioned\nOakwood School,academy\n",
            r"row 2 \(line 3\): type 'academy' for 'Oakwood School' is not one of council, "
            r"commissioned, school, health, early_years, other",
        ),
        (
            "organisation,type\n,school\n",
            r"row 1 \(line 2\): organisation is empty \(type 'school'\)",
        ),
        (
            "organisation,type\nOakwood School,school\nOAKWOOD SCHOOL,health\n",
            r"row 2 \(line 3\): 'OAKWOOD SCHOOL' is 'health' here but 'school' in row 1",
        ),
        ("name,type\nOakwood School,school\n", "missing column.*organisation"),
    ],
)
def test_a_bad_file_is_refused_naming_file_row_and_value(tmp_path, text, expected):
    path = write_organisations(tmp_path, text)
    with pytest.raises(UnusableInput, match=expected) as refused:
        warehouse.load_organisation_types(path)
    assert str(refused.value).startswith(f"{path}: ")


def test_the_shipped_file_types_every_demo_organisation(demo_warehouse):
    listed = warehouse.load_organisation_types(DEFAULT_ORGANISATIONS_FILE)
    keys = {warehouse.organisation_key(n) for n in listed["organisation"]}
    version = warehouse.current_version_dir(demo_warehouse)
    episodes = pl.read_parquet(version / "tables" / "early_help_episodes.parquet")
    demo = set(episodes["organisation"].drop_nulls().unique())
    assert demo and not [o for o in demo if warehouse.organisation_key(o) not in keys]
    # The manifest records the table's rows; opening warehouse.duckdb a second time in this
    # process, beside the query runner's locked-down connection, is refused by DuckDB.
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["organisation_types"] == listed.height


# --- Who leads an episode ---------------------------------------------------------------------
def test_a_listed_organisation_gets_its_type_an_unlisted_one_falls_back(tmp_path, monkeypatch):
    organisations = write_organisations(
        tmp_path,
        "organisation,type\n"
        "brightside   TRUST,other\n"  # listed: case and spaces do not matter
        "Oakwood Family Hub,school\n"  # listed: no pattern would say school
        "St Mary's Nursery Team,health\n"  # listed: the file wins over the name's pattern
        "Westgate Academy Trust,council\n"
        "Riverside Partnership,commissioned\n",
    )
    monkeypatch.setenv("EARLYHELP_ORGANISATIONS", str(organisations))
    extract = write_episodes(
        tmp_path / "in",
        [
            "Brightside Trust",
            "Oakwood Family Hub",
            "St Mary's Nursery Team",
            "Westgate Academy Trust",
            "Riverside Partnership",
            "Little Acorns Nursery",  # not listed: falls back to 'nursery'
            "Millbrook GP Practice",  # not listed: falls back to 'gp'
            "Hillside Academy",  # not listed: falls back to 'academy'
            "Targeted Early Help - East",  # not listed, no pattern: the council's
            None,
        ],
    )
    result = ingest([extract], tmp_path / "wh", key_path=tmp_path / "key")
    assert lead_organisations(result.version_dir) == {
        "Brightside Trust": "Other",
        "Oakwood Family Hub": "Schools",
        "St Mary's Nursery Team": "Health",
        "Westgate Academy Trust": "Council or commissioned",
        "Riverside Partnership": "Council or commissioned",
        "Little Acorns Nursery": "Early years",
        "Millbrook GP Practice": "Health",
        "Hillside Academy": "Schools",
        "Targeted Early Help - East": "Council or commissioned",
        "": "Not recorded",
    }
    flags = pl.read_parquet(result.version_dir / "marts" / "mart_episode_flags.parquet")
    partner = dict(
        flags.join(
            pl.read_parquet(result.version_dir / "tables" / "early_help_episodes.parquet"),
            on="episode_id",
        )
        .select(pl.col("organisation").fill_null(""), "partner_led")
        .rows()
    )
    assert {o for o, led in partner.items() if led} == {
        "Oakwood Family Hub",
        "St Mary's Nursery Team",
        "Little Acorns Nursery",
        "Millbrook GP Practice",
        "Hillside Academy",
    }


def test_without_a_file_every_organisation_falls_back_to_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("EARLYHELP_ORGANISATIONS", str(tmp_path / "not-there.csv"))
    extract = write_episodes(tmp_path / "in", ["Oakwood Primary School", "Positive Steps"])
    result = ingest([extract], tmp_path / "wh", key_path=tmp_path / "key")
    assert lead_organisations(result.version_dir) == {
        "Oakwood Primary School": "Schools",
        "Positive Steps": "Council or commissioned",
    }


def test_a_bad_type_stops_the_ingest_and_nothing_is_published(tmp_path, monkeypatch):
    organisations = write_organisations(
        tmp_path, "organisation,type\nPositive Steps,commissioned\nOakwood School,skool\n"
    )
    monkeypatch.setenv("EARLYHELP_ORGANISATIONS", str(organisations))
    extract = write_episodes(tmp_path / "in", ["Oakwood School"])
    with pytest.raises(UnusableInput, match=r"organisations.csv: row 2 \(line 3\): type 'skool'"):
        ingest([extract], tmp_path / "wh", key_path=tmp_path / "key")
    assert not (tmp_path / "wh" / warehouse.CURRENT).exists()
    assert not list((tmp_path / "wh").glob(".staging-*"))

    env = {
        "EARLYHELP_ORGANISATIONS": str(organisations),
        "EARLYHELP_KEY_FILE": str(tmp_path / "key"),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "earlyhelp", "ingest", extract, "--warehouse", tmp_path / "wh2"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f"{organisations}: row 2 (line 3): type 'skool'" in done.stderr
    assert "Traceback" not in done.stderr


# --- Commissioned providers in caseloads --------------------------------------------------------
def test_caseloads_read_commissioned_providers_from_the_file(tmp_path, monkeypatch):
    assert caseloads.provider_type("Positive Steps") == caseloads.COMMISSIONED  # shipped file
    organisations = write_organisations(
        tmp_path,
        "organisation,type\nRiverside Partnership,commissioned\nPositive Steps,council\n",
    )
    monkeypatch.setenv("EARLYHELP_ORGANISATIONS", str(organisations))
    assert caseloads.commissioned_providers() == ("riverside partnership",)
    assert caseloads.provider_type("Riverside  Partnership") == caseloads.COMMISSIONED
    assert caseloads.provider_type("A002 Riverside Partnership") == caseloads.COMMISSIONED
    assert caseloads.provider_type("Positive Steps") == caseloads.COUNCIL_TEAM
    assert caseloads.provider_type("Family Action (commissioned)") == caseloads.COMMISSIONED
    labelled = caseloads.with_provider_label(
        pl.DataFrame({"team": ["Riverside Partnership", "Targeted Early Help - North"]}), "team"
    )
    assert labelled.rows() == [
        ("Riverside Partnership (commissioned)", caseloads.COMMISSIONED),
        ("Targeted Early Help - North", caseloads.COUNCIL_TEAM),
    ]
    # An edit to the file is picked up without a restart.
    organisations.write_text("organisation,type\nRiverside Partnership,council\n")
    assert caseloads.provider_type("Riverside Partnership") == caseloads.COUNCIL_TEAM
