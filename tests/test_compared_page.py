"""The Compared with others page through Streamlit's AppTest: without published figures it says
how to load them; with the real DfE files (../shared/benchmarks, skipped when absent) it shows
each measure for Oldham (the demo borough's council) against its neighbours, in words checked
against the files read by hand, with its charts, tables and downloads, and the extract beside
the published figures."""

from __future__ import annotations

import io

import polars as pl
import pytest

from earlyhelp.measures import benchmarks
from tests.apptest import assert_ran_cleanly, figures, open_app, open_data_tables
from tests.test_benchmarks import (  # noqa: F401  (loaded_warehouse is a fixture)
    C1,
    loaded_warehouse,
    neighbours_by_hand,
    rate_by_hand,
    rows_of,
)

PAGE = "pages/compared.py"


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, str]:
    """The page's CSV downloads by file name (AppTest does not expose their data)."""
    import streamlit

    files: dict[str, str] = {}
    real = streamlit.download_button

    def recording(label, data=None, file_name=None, **kwargs):
        files[file_name] = data
        return real(label, data=data, file_name=file_name, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return files


def test_without_published_figures_the_page_says_how_to_load_them(with_demo, monkeypatch):
    monkeypatch.delenv("EARLYHELP_LOCAL_AUTHORITY", raising=False)
    at = open_app(PAGE)
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["Compared with others"]
    assert "No DfE published figures are loaded yet" in texts(at.info)
    assert "python -m earlyhelp benchmarks --warehouse" in texts(at.code)
    assert not at.get("plotly_chart")


@pytest.fixture
def compared(loaded_warehouse, monkeypatch):  # noqa: F811
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(loaded_warehouse))
    monkeypatch.delenv("EARLYHELP_LOCAL_AUTHORITY", raising=False)
    return loaded_warehouse


def test_each_measure_is_charted_with_oldham_highlighted(compared):
    at = open_app(PAGE)
    assert_ran_cleanly(at)
    headers = [h.value for h in at.header]
    assert headers == [
        *(m.title for m in benchmarks.MEASURES),
        "Our extract against our published figures",
        "About these figures",
    ]
    charts = figures(at)
    assert len(charts) == len(benchmarks.MEASURES)
    for chart in charts:
        council = [t for t in chart["data"] if t["name"] == "Oldham"]
        others = [t for t in chart["data"] if t["name"] != "Oldham"]
        assert len(council) == 1 and len(others) == 13  # 10 neighbours, average, region, England
        width = council[0]["line"]["width"]
        assert all(t["line"]["width"] < width for t in others)
        assert not chart["layout"].get("showlegend", True)  # labelled at the line ends
    page = texts(at.markdown)
    name_of = {r["old_la_code"]: r["la_name"] for r in rows_of(C1)}
    names = [name_of[n] for n in neighbours_by_hand("353")]
    assert f"closest first: {', '.join(names)}." in page


def test_the_sentence_says_where_oldham_stands_as_the_files_do(compared):
    at = open_app(PAGE)
    latest = max(int(r["time_period"]) for r in rows_of(C1))
    ours = rate_by_hand("353", latest)
    theirs = [rate_by_hand(n, latest) for n in neighbours_by_hand("353")]
    below = sum(r < ours for r in theirs if r is not None)
    above = sum(r > ours for r in theirs if r is not None)
    place = (
        f"higher than {below} of its 10 neighbours"
        if below >= above
        else f"lower than {above} of its 10 neighbours"
    )
    assert f"In the year to 31 March {latest}, Oldham ({ours:,.1f}) was {place}" in texts(
        at.markdown
    )


def test_tables_and_downloads_hold_the_published_figures(compared, downloads):
    at = open_data_tables(open_app(PAGE))
    assert_ran_cleanly(at)
    table = pl.read_csv(io.StringIO(downloads["compared_referrals_rate.csv"]), infer_schema=False)
    assert table.columns[0] == "Area" and table["Area"][0] == "Oldham"
    assert table["Area"][1] == "Neighbours' average"
    assert table["Area"].to_list()[4:] == [
        f"{k}. {name}"
        for k, name in enumerate(
            [
                "Rochdale",
                "Bradford",
                "Walsall",
                "Tameside",
                "Kirklees",
                "Bolton",
                "Derby",
                "Dudley",
                "Blackburn with Darwen",
                "Rotherham",
            ],
            start=1,
        )
    ]
    assert table.filter(pl.col("Area") == "Oldham")["2024"].to_list() == [
        f"{rate_by_hand('353', 2024):.1f}"
    ]
    rank = pl.read_csv(io.StringIO(downloads["compared_referrals_rate_rank.csv"]))
    assert rank.height == len({r["time_period"] for r in rows_of(C1)})
    shown = [d.value for d in at.dataframe]
    assert any(frame.columns[0] == "Area" for frame in shown)


def test_the_extract_is_set_beside_the_published_referrals(compared, downloads):
    at = open_app(PAGE)
    side = pl.read_csv(
        io.StringIO(downloads["compared_extract_against_published.csv"]), infer_schema=False
    )
    assert side.columns[:4] == [
        "Year (April to March)",
        "Referrals: extract",
        "Referrals: DfE",
        "Referrals: gap",
    ]
    row = side.filter(pl.col("Year (April to March)") == "2023-24").row(0, named=True)
    assert row["Referrals: DfE"] == "5481"  # Oldham, year to 31 March 2024, as published
    ours = int(row["Referrals: extract"])
    assert ours % 5 == 0  # the board sees the extract's counts rounded
    assert int(row["Referrals: gap"]) == ours - 5481
    assert "fewer referrals" in texts(at.markdown) or "more referrals" in texts(at.markdown)


def test_another_council_is_compared_when_configured(compared, monkeypatch):
    monkeypatch.setenv("EARLYHELP_LOCAL_AUTHORITY", "Rochdale")
    at = open_app(PAGE)
    assert_ran_cleanly(at)
    page = texts(at.markdown)
    assert "**This council:** Rochdale (E08000005, DfE number 354; set by EARLYHELP" in page
    assert "Oldham" in page  # Rochdale's neighbours include Oldham


def test_an_unknown_council_is_named_in_a_warning(compared, monkeypatch):
    monkeypatch.setenv("EARLYHELP_LOCAL_AUTHORITY", "Atlantis")
    at = open_app(PAGE)
    assert not at.exception
    assert "'Atlantis'" in texts(at.warning)
    assert not at.get("plotly_chart")


def test_a_withheld_figure_is_shown_as_its_symbol(demo_warehouse, tmp_path, monkeypatch):
    """Small files: Oldham's referrals published as c, so its rate is c, never 0."""
    from tests.apptest import run_cli
    from tests.test_benchmarks import C1_HEADER, POPULATION_HEADER, copy_of, la_row, write

    c1 = write(
        tmp_path / "c1.csv",
        C1_HEADER,
        la_row(2024, "353", "E08000004", "Oldham", "c", "c", "c"),
        la_row(2024, "354", "E08000005", "Rochdale", "400", "80", "20"),
    )
    population = write(
        tmp_path / "p.csv",
        POPULATION_HEADER,
        "2023,Reporting year,Local authority,E92000001,England,E12000002,North West,353,"
        "E08000004,Oldham,Children aged 0 to 17 years,50000",
        "2023,Reporting year,Local authority,E92000001,England,E12000002,North West,354,"
        "E08000005,Rochdale,Children aged 0 to 17 years,40000",
    )
    target = copy_of(demo_warehouse, tmp_path / "wh")
    assert run_cli("benchmarks", "--warehouse", target, c1, population).returncode == 0
    monkeypatch.setenv("EARLYHELP_WAREHOUSE", str(target))
    monkeypatch.delenv("EARLYHELP_LOCAL_AUTHORITY", raising=False)
    at = open_app(PAGE)
    assert_ran_cleanly(at)
    page = texts(at.markdown)
    assert "Oldham's figure is confidential (suppressed to protect individuals)" in page
    assert "No statistical neighbours" in page
    # The published count is c, so there is no gap to work out (never a gap against 0).
    assert "there is no gap to show" in page


def test_overview_and_scorecard_set_the_published_figures_beside_theirs(compared):
    latest = max(int(r["time_period"]) for r in rows_of(C1))
    ours = rate_by_hand("353", latest)
    theirs = [rate_by_hand(n, latest) for n in neighbours_by_hand("353")]
    average = round(sum(theirs) / len(theirs), 1)
    overview = open_app()
    assert_ran_cleanly(overview)
    caption = texts(overview.caption)
    assert (
        f"in the year to 31 March {latest}: Oldham {ours:,.1f}, its neighbours' average "
        f"{average:,.1f}, England" in caption
    )
    scorecard = open_app("pages/scorecard.py")
    assert_ran_cleanly(scorecard)
    notes = []
    for view in [t.label for t in scorecard.tabs][1:]:  # each priority's tab, with its KPIs
        tab = open_app("pages/scorecard.py", {"view": view})
        assert_ran_cleanly(tab)
        notes += [c.value for c in tab.caption if "as DfE published it" in str(c.value)]
    assert len(notes) == len(benchmarks.KPI_COMPARATORS)
    assert any("Re-referrals within 12 months (% of referrals)" in n for n in notes)
    assert any("Social worker caseload per FTE (cases per FTE) at 30 September" in n for n in notes)


def test_without_published_figures_overview_and_scorecard_are_as_before(with_demo):
    views = [t.label for t in open_app("pages/scorecard.py").tabs]
    for page, view in [(None, None), *(("pages/scorecard.py", v) for v in views)]:
        at = open_app(page, view and {"view": view})
        assert_ran_cleanly(at)
        assert "as DfE published it" not in texts(at.caption)
