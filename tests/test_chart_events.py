"""Events on a trend (issue 19): numbered badges above the plot in one or two rows, and a key
under it naming each number, so seven events in eighteen months no longer stack seven rows of
labels over the chart."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlyhelp.presentation import charts

EVENTS = pl.DataFrame(
    {
        "start_date": [
            date(2020, 3, 23),
            date(2020, 6, 1),
            date(2020, 9, 1),
            date(2020, 11, 5),
            date(2021, 1, 6),
            date(2021, 3, 8),
            date(2021, 7, 19),
        ],
        "end_date": [
            date(2020, 5, 31),
            None,
            None,
            date(2020, 12, 2),
            date(2021, 3, 7),
            None,
            None,
        ],
        "label": [
            "First lockdown",
            "Primary schools partly reopen",
            "Schools return (Sep 2020)",
            "Second lockdown",
            "Third lockdown",
            "Schools reopen (8 Mar 2021)",
            "Restrictions lifted",
        ],
        "kind": ["covid"] * 7,
    }
)
MONTHS = pl.DataFrame(
    {
        "month": pl.date_range(date(2018, 4, 1), date(2026, 3, 1), "1mo", eager=True),
    }
).with_columns(referrals=pl.lit(600))


def _trend(events=EVENTS):
    return charts.monthly_trend(
        MONTHS, "month", "referrals", events=events, title="Referrals", y_title="Per month"
    ).to_dict()


def _badges(figure):
    return [a for a in figure["layout"]["annotations"] if a.get("bgcolor") == charts.DARK_GREY]


def _key(figure):
    return [a for a in figure["layout"]["annotations"] if a.get("xref") == "paper"]


def test_each_event_has_a_numbered_badge_and_a_line_in_the_key():
    figure = _trend()
    assert [b["text"] for b in _badges(figure)] == [f"<b>{n}</b>" for n in range(1, 8)]
    assert [k["text"] for k in _key(figure)] == [
        "<b>1</b> First lockdown",
        "<b>2</b> Primary schools partly reopen",
        "<b>3</b> Schools return (Sep 2020)",
        "<b>4</b> Second lockdown",
        "<b>5</b> Third lockdown",
        "<b>6</b> Schools reopen (8 Mar 2021)",
        "<b>7</b> Restrictions lifted",
    ]
    assert all(k["y"] == 0 and k["yshift"] < 0 for k in _key(figure)), "the key is under the plot"


def test_badges_take_at_most_two_rows_and_never_touch():
    figure = _trend()
    shifts = sorted({b["yshift"] for b in _badges(figure)})
    assert len(shifts) == 2, "seven events in eighteen months: two rows of badges"
    total_days = (date(2026, 3, 1) - date(2018, 4, 1)).days
    for row in shifts:
        days = sorted(
            date.fromisoformat(str(b["x"])[:10]) for b in _badges(figure) if b["yshift"] == row
        )
        gaps_px = [
            (later - earlier).days / total_days * charts.ASSUMED_PLOT_WIDTH_PX
            for earlier, later in zip(days, days[1:], strict=False)
        ]
        assert all(gap >= 22 for gap in gaps_px), (row, gaps_px)


def test_the_events_take_less_room_than_a_row_of_labels_each():
    with_events, without = _trend(), _trend(events=None)
    extra = with_events["layout"]["height"] - without["layout"]["height"]
    # Badges (two rows) and a key of three lines: about 150 px, where seven stacked rows of
    # labels took 7 x 24 px above the plot and pushed it off a projector's first screen.
    assert 0 < extra <= 160, extra
    key_lines = {k["yshift"] for k in _key(with_events)}
    assert with_events["layout"]["margin"]["b"] >= 56 + 24 * (len(key_lines) - 1)


def test_the_alt_text_still_names_the_events():
    assert "First lockdown" in charts.alt_text(
        charts.monthly_trend(
            MONTHS, "month", "referrals", events=EVENTS, title="Referrals", y_title="Per month"
        )
    )


def test_the_data_is_said_to_be_loaded_at_a_time_in_words_in_uk_time():
    # 3 December is in GMT; 1 July in BST, an hour ahead of UTC.
    assert charts.loaded_at("2026-12-03T11:58:01+00:00") == "3 December 2026 at 11:58"
    assert charts.loaded_at("2026-07-01T09:05:00+00:00") == "1 July 2026 at 10:05"
    assert charts.loaded_at(None) == "at an unknown time"
