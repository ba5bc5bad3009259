"""The Data quality report (earlyhelp/measures/quality/): statuses from small SSD extracts in
which a field is absent, half filled or full; the JSON and text the command prints; ingest's
summary; and the pages saying "Not in this extract" instead of drawing a chart."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from earlyhelp.core.config import REPO_ROOT
from earlyhelp.load.ingest import ingest
from earlyhelp.load.warehouse import current_version_dir
from earlyhelp.measures import quality
from earlyhelp.presentation import charts
from tests.apptest import assert_ran_cleanly, figures, open_app, run_cli
from tests.test_pages import PAGES

TODAY = date(2026, 3, 31)
EPISODES = 20


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def dt(day: date) -> str:
    return f"{day.isoformat()} 00:00:00.000"


def extract(folder: Path, *, levels: str | None, contacts: bool = True) -> Path:
    """An SSD extract of 20 children with one early help episode each (January to October
    2025, half of them closed "OUTMET" 40 days later), their home addresses in two districts
    and, when `contacts`, a contact a few days before each episode with its outcome flags.
    `levels`: None leaves the level of need column out of the file; "half" fills it for every
    other episode; "full" for every one."""
    _write(
        folder / "ssd_person.csv",
        "pers_person_id,pers_sex,pers_dob\n"
        + "".join(f"{i},F,{dt(date(2015, 1 + i % 12, 1))}\n" for i in range(EPISODES)),
    )
    _write(
        folder / "ssd_address.csv",
        "addr_person_id,addr_address_type,addr_address_start_date,addr_address_postcode\n"
        + "".join(f"{i},HOME,NULL,ZZ{1 + i % 2} 1AA\n" for i in range(EPISODES)),
    )
    _write(folder / "district_lookup.csv", "postcode_sector,district\nZZ1 1,North\nZZ2 1,South\n")
    header = (
        "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date,"
        "earl_episode_reason,earl_episode_end_reason,earl_episode_organisation,"
        "earl_episode_worker_id,earl_referral_source_code"
    )
    rows = []
    for i in range(EPISODES):
        start = date(2025, 1 + i // 2, 3 + i % 2)
        closed = i % 2 == 0
        end = dt(start + timedelta(days=40)) if closed else "NULL"
        level = "" if levels is None else ("2" if levels == "full" or i % 2 == 0 else "NULL")
        row = (
            f"E{i},{i},{dt(start)},{end},Referral,{'OUTMET' if closed else 'NULL'},"
            f"Targeted Early Help - North,W1,2A"
        )
        rows.append(row + ("" if levels is None else f",{level}"))
    _write(
        folder / "ssd_early_help_episodes.csv",
        header + ("" if levels is None else ",earl_level_of_need") + "\n" + "\n".join(rows) + "\n",
    )
    _write(
        folder / "ssd_professionals.csv",
        "prof_professional_id,prof_staff_id,prof_professional_name,prof_full_time_equivalency\n"
        "W1,S1,Wendy Worker,1\n",
    )
    if contacts:
        flags = '"{""NEW_REFERRAL_FLAG"": ""N"", ""NFA_FLAG"": ""Y""}"'
        _write(
            folder / "ssd_contacts.csv",
            "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code,"
            "cont_contact_outcome_json\n"
            + "".join(
                f"C{i},{i},{dt(date(2025, 1 + i // 2, 1))},2A,{flags}\n" for i in range(EPISODES)
            ),
        )
    _write(folder / "mapping.yaml", "early_help_episodes:\n  end_reasons: {OUTMET: met}\n")
    return folder


def warehouse_for(tmp_path: Path, name: str, **kwargs) -> Path:
    warehouse = tmp_path / f"wh-{name}"
    ingest([extract(tmp_path / name, **kwargs)], warehouse, today=TODAY, key_path=tmp_path / "key")
    return warehouse


def findings(warehouse: Path) -> dict[str, quality.Finding]:
    return {f.key: f for f in quality.report(current_version_dir(warehouse))}


@pytest.fixture(scope="module")
def no_levels(tmp_path_factory) -> Path:
    """Level of need absent from the extract, and no contacts at all."""
    return warehouse_for(tmp_path_factory.mktemp("quality"), "absent", levels=None, contacts=False)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    """Every field the extract's pages need, filled."""
    return warehouse_for(tmp_path_factory.mktemp("quality"), "full", levels="full")


# --- Statuses -----------------------------------------------------------------------------------
def test_a_field_absent_from_the_extract_is_missing(no_levels):
    found = findings(no_levels)["pathways.level_of_need"]
    assert found.status == quality.MISSING
    assert found.filled_pct == 0.0
    assert found.fields == "ssd_early_help_episodes.earl_level_of_need"
    assert found.note.startswith("Not in this extract: ssd_early_help_episodes.earl_level_of_need")
    assert "level_of_need_column" in found.note
    assert found.notice == (
        "Not in this extract: ssd_early_help_episodes.earl_level_of_need. See Data quality."
    )


def test_a_table_absent_from_the_extract_is_missing(no_levels):
    found = findings(no_levels)
    assert found["overview.contacts"].status == quality.MISSING
    assert found["overview.contacts"].fields == "ssd_contacts.cont_contact_id"
    assert found["pathways.timeliness"].status == quality.MISSING
    assert found["pathways.decisions"].fields == "ssd_contacts.cont_contact_outcome_json"


def test_a_half_filled_field_is_partial(tmp_path):
    found = findings(warehouse_for(tmp_path, "half", levels="half"))
    level = found["demand.level_of_need"]
    assert (level.status, level.filled_pct) == (quality.PARTIAL, 50.0)
    assert "50.0% of early help episodes have a level of need" in level.note
    assert level.notice.startswith("Partly recorded: 50.0% of early help episodes")
    # The journeys rest on the level too: the least filled field sets their share.
    assert found["pathways.journeys"].status == quality.PARTIAL
    assert found["pathways.journeys"].filled_pct == 50.0


def test_a_full_field_is_complete(full):
    found = findings(full)
    level = found["caseloads.by_level"]
    assert (level.status, level.filled_pct, level.note) == (quality.COMPLETE, 100.0, "")
    assert level.notice is None
    assert found["overview.referrals_by_district"].status == quality.COMPLETE
    assert found["overview.contacts"].status == quality.COMPLETE
    # Outcomes: every closed episode has its end reason (open ones are not counted).
    assert found["pathways.outcomes"].status == quality.COMPLETE


def test_every_district_not_known_is_missing(tmp_path):
    folder = extract(tmp_path / "x", levels="full")
    (folder / "district_lookup.csv").write_text("postcode_sector,district\nAA1 1,Elsewhere\n")
    ingest([folder], tmp_path / "wh", today=TODAY, key_path=tmp_path / "key")
    found = findings(tmp_path / "wh")["overview.referrals_by_district"]
    assert (found.status, found.filled_pct) == (quality.MISSING, 0.0)
    assert "no early help episode has a known district" in found.note.lower()


def test_an_ssd_extract_without_early_help_involvements_has_no_waits(no_levels):
    """Caseloads from the episodes' own worker: who holds a case is known, but not when the
    worker started, so waits and changes of worker are not in the extract."""
    found = findings(no_levels)
    assert found["caseloads.with_worker"].status == quality.COMPLETE
    waiting = found["caseloads.waiting"]
    assert waiting.status == quality.MISSING
    assert waiting.missing_fields == "ssd_early_help_involvements.invo_referral_id"


# --- Rules, on the report's own inputs ---------------------------------------------------------
FULL = {m: (10, 10) for m in ("early_help_episodes.end_reason", "cin_referrals.source_code")}


def test_step_ups_are_partial_when_one_of_their_two_records_is_missing():
    manifest = {
        "source_fields": {
            "early_help_episodes": {"end_reason": None, "episode_id": "ssd_early_help_episodes.x"},
            "cin_referrals": {"source_code": "ssd_cin_episodes.cine_referral_source_code"},
        }
    }
    step_ups = quality.assess_measure(quality.BY_KEY["pathways.step_ups"], FULL, manifest)
    assert step_ups.status == quality.PARTIAL
    assert "Not in this extract: ssd_early_help_episodes.earl_episode_end_reason" in step_ups.note
    manifest["source_fields"]["cin_referrals"]["source_code"] = None
    step_ups = quality.assess_measure(quality.BY_KEY["pathways.step_ups"], FULL, manifest)
    assert step_ups.status == quality.MISSING
    assert step_ups.notice.startswith(
        "Not in this extract: ssd_early_help_episodes.earl_episode_end_reason; "
        "ssd_cin_episodes.cine_referral_source_code."
    )


def test_a_manifest_without_source_fields_is_judged_on_the_filled_shares():
    fills = {"early_help_episodes.level_of_need": (200, 180)}
    found = quality.assess_measure(quality.BY_KEY["demand.level_of_need"], fills, {})
    assert (found.status, found.filled_pct) == (quality.PARTIAL, 90.0)
    assert found.fields == "early_help_episodes.level_of_need"  # canonical: source unknown
    fills = {"early_help_episodes.level_of_need": (200, 190)}
    found = quality.assess_measure(quality.BY_KEY["demand.level_of_need"], fills, {})
    assert (found.status, found.filled_pct) == (quality.COMPLETE, 95.0)  # 95% is complete


def test_timeliness_from_ssd_is_measured_on_contacts_followed_by_early_help():
    fills = {
        "contacts.decision": (100, 100),
        "contacts.decision_date": (100, 40),  # only the 40 early help decisions have a date
        "contacts.decision_date_early_help": (40, 40),
    }
    ssd = {"definitions": {"frontdoor_timeliness": quality.CONTACT_TO_EARLY_HELP}}
    found = quality.assess_measure(quality.BY_KEY["pathways.timeliness"], fills, ssd)
    assert found.status == quality.COMPLETE
    assert "start of the early help episode that follows it (SSD has no decision date)" in (
        found.note
    )
    given = {"definitions": {"frontdoor_timeliness": quality.CONTACT_TO_DECISION}}
    found = quality.assess_measure(quality.BY_KEY["pathways.timeliness"], fills, given)
    assert (found.status, found.filled_pct) == (quality.PARTIAL, 40.0)
    assert "working days from contact to decision" in found.note


# --- Every measure the pages show, declared once ------------------------------------------------
MEASURE_KEY = r"\"((?:overview|demand|caseloads|pathways|profile|kpi)\.[a-z_]+)\""


def test_every_measure_key_a_page_uses_is_declared():
    used = set()
    for page in (REPO_ROOT / "pages").glob("*.py"):
        used |= set(re.findall(MEASURE_KEY, page.read_text()))
    assert used, "no page asks for a measure"
    assert used <= set(quality.BY_KEY), used - set(quality.BY_KEY)
    pages = {m.page for m in quality.MEASURES}
    assert pages == {"Overview", "Demand", "Caseloads", "Front door and pathways", "Scorecard",
                     "District profile"}  # fmt: skip


def test_every_shipped_kpi_has_a_measure():
    kpis = yaml.safe_load((REPO_ROOT / "data" / "kpis.yaml").read_text())["kpis"]
    assert {f"kpi.{k['id']}" for k in kpis} <= set(quality.BY_KEY)


def test_measures_are_one_row_each():
    pairs = [(m.name, m.page) for m in quality.MEASURES]
    keys = [m.key for m in quality.MEASURES]
    assert len(set(pairs)) == len(pairs) and len(set(keys)) == len(keys)


# --- The command line and ingest ----------------------------------------------------------------
def test_quality_json_is_an_array_of_measures(no_levels):
    result = run_cli("quality", "--warehouse", no_levels, "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == len(quality.MEASURES)
    for row in rows:
        assert list(row) == list(quality.COLUMNS)
        assert row["status"] in quality.STATUSES
        assert isinstance(row["filled_pct"], float) and 0 <= row["filled_pct"] <= 100
        assert isinstance(row["fields"], str) and row["fields"]
    level = next(r for r in rows if r["measure"] == "Referrals by level of need")
    assert (level["status"], level["fields"]) == (
        "missing",
        "ssd_early_help_episodes.earl_level_of_need",
    )


def test_quality_text_is_an_aligned_table(no_levels):
    result = run_cli("quality", "--warehouse", no_levels)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == list(quality.COLUMNS)
    assert len(lines) == len(quality.MEASURES) + 1
    at = lines[0].index("status")
    assert all(line[at:].split()[0] in quality.STATUSES for line in lines[1:])


def test_quality_without_a_warehouse_is_one_line(tmp_path):
    result = run_cli("quality", "--warehouse", tmp_path)
    assert result.returncode != 0
    assert result.stderr.startswith("error: No published warehouse")


def test_ingest_prints_the_missing_and_partial_measures(tmp_path):
    folder = extract(tmp_path / "x", levels="half", contacts=False)
    result = run_cli("ingest", folder, "--warehouse", tmp_path / "wh")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("rows read") < out.index("Data quality:")
    summary = out[out.index("Data quality:") :]
    assert re.search(r"missing\s+Overview: Contacts\s+0\.0%\s+ssd_contacts", summary)
    assert re.search(r"partial\s+Demand: Referrals by level of need\s+50\.0%", summary)
    lines = quality.summary_lines(current_version_dir(tmp_path / "wh"))
    assert lines[0] in summary
    assert not any("complete" in line.split()[:1] for line in lines[1:])  # only missing and partial


def test_ingest_of_the_demo_says_every_measure_is_complete_or_names_what_is_not(demo_warehouse):
    lines = quality.summary_lines(current_version_dir(demo_warehouse))
    found = findings(demo_warehouse)
    assert not [f.key for f in found.values() if f.status == quality.MISSING]
    assert lines[0].startswith("Data quality:")


# --- The pages ----------------------------------------------------------------------------------
def _texts(at, kind: str) -> str:
    return "\n".join(str(e.value) for e in at.get(kind))


#: The Front door and pathways page's views (tabs, named in the URL), each drawn only when open.
PATHWAYS_VIEWS = (
    "Front door",
    "Levels of need",
    "Step-ups and step-downs",
    "Re-referrals",
    "How episodes end",
    "Partners and districts",
)


def _every_pathways_view() -> list:
    """The Front door and pathways page opened on each of its views, each run cleanly."""
    views = [open_app("pages/pathways.py", {"view": view}) for view in PATHWAYS_VIEWS]
    for at in views:
        assert not at.exception, [e.value for e in at.exception]
    return views


def test_a_missing_measure_is_a_notice_on_the_page_not_a_chart(no_levels, monkeypatch):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(no_levels))
    views = _every_pathways_view()
    at = views[0]
    notices = "\n".join(str(e.value) for view in views for e in view.info)
    assert (
        "Not in this extract: ssd_early_help_episodes.earl_level_of_need. "
        "See [Data quality](data_quality)." in notices
    )
    assert "Not in this extract: ssd_contacts.cont_contact_outcome_json" in notices
    titles = [
        f["layout"]["title"]["text"]
        for view in views
        for f in figures(view)
        if f["layout"].get("title")
    ]
    assert not any("level of need" in t.lower() for t in titles), titles
    assert not any("Contacts by decision" in t for t in titles), titles
    # In the extract: drawn, or (this extract is small) a sentence that its values are withheld.
    withheld = [
        str(e.value) for view in views for e in view.info if charts.ALL_WITHHELD in str(e.value)
    ]
    assert any("Re-referrals within 12 months" in t for t in titles + withheld), titles
    # The headline the extract cannot give is a notice, not a 0.
    assert "Decided in time" not in [m.label for m in at.metric]


def test_the_front_door_says_which_timeliness_definition_is_in_use(full, monkeypatch):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(full))
    views = _every_pathways_view()
    at = views[0]  # the front door
    assert (
        "Front-door timeliness in this data is **working days from contact to the start of the "
        "early help episode that follows it (SSD has no decision date)**" in _texts(at, "markdown")
    )
    # The extract has no social care referrals: only their measures (step-downs) are missing.
    notices = [
        str(e.value) for view in views for e in view.info if "Not in this extract" in str(e.value)
    ]
    assert notices and all("ssd_cin_episodes" in n for n in notices), notices
    assert "Decided in time" in [m.label for m in at.metric]


def test_the_overview_says_contacts_are_not_in_this_extract(no_levels, monkeypatch):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(no_levels))
    at = open_app()
    assert not at.exception, [e.value for e in at.exception]
    assert "Contacts" not in [m.label for m in at.metric]
    assert "Not in this extract: ssd_contacts.cont_contact_id" in _texts(at, "caption")


def test_the_data_quality_page_shows_the_report_with_a_download(no_levels, monkeypatch):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(no_levels))
    at = open_app("pages/data_quality.py")
    assert_ran_cleanly(at)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Measure", "Page", "Fields", "Filled %", "Status", "Note"]
    assert len(table) == len(quality.MEASURES)
    assert "missing" in set(table["Status"])
    assert [b.proto.label for b in at.get("download_button")] == ["Download this table (CSV)"]
    assert "working days from contact" in _texts(at, "markdown")


def test_the_data_quality_page_runs_on_the_demo(with_demo):
    at = open_app("pages/data_quality.py")
    assert_ran_cleanly(at)
    assert len(at.dataframe[0].value) == len(quality.MEASURES)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_extract_missing_fields(no_levels, monkeypatch, page):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(no_levels))
    at = open_app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_demand_page_says_a_filter_on_a_missing_field_is_not_in_this_extract(
    no_levels, monkeypatch
):
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(no_levels))
    at = open_app("pages/demand.py")
    at.selectbox(key="level").set_value("2").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Not in this extract: ssd_early_help_episodes.earl_level_of_need" in "\n".join(
        str(e.value) for e in at.info
    )
    assert not figures(at)
