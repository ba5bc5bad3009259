"""What the Pathways page's views share: the selection made in its sidebar, and the charts of a
percentage by district and by month drawn in more than one of its tabs (the tabs are drawn by
views/pathways_front_door.py and views/pathways_journeys.py)."""

from dataclasses import dataclass

import polars as pl

from earlyhelp import ui
from earlyhelp.measures import pathways
from earlyhelp.presentation import charts
from earlyhelp.query.runner import QueryRunner


@dataclass(frozen=True)
class Selection:
    """The page's choices (district, period, front-door standard) and the figures its headline
    tiles were worked out from, which the views draw too."""

    runner: QueryRunner
    period: pathways.Period
    #: The district chosen (None: all districts); it or the borough (`place`), and in words.
    district: str | None
    place: str
    area: str
    #: The period's and the district's query parameters.
    params: dict
    #: The front-door standard in working days, and in words.
    standard: int
    in_time: str
    #: pathway_summary and frontdoor_summary for the period, by district and the borough, and the
    #: pathway_summary row of `place`.
    summary: pl.DataFrame
    front: pl.DataFrame
    row: dict


def with_borough(page: Selection, frame: pl.DataFrame) -> pl.DataFrame:
    """A monthly frame of every area: the district chosen and the borough, or the borough alone
    when no district is chosen."""
    if page.district is None:
        frame = frame.filter(pl.col("district") == pathways.BOROUGH)
    return frame


def per_cent_by_month(
    page: Selection, frame: pl.DataFrame, *, title: str, y_title: str, subject: str, **shown
) -> None:
    """The per cent (`per_cent`) each month of `frame` (with_borough), the district chosen
    against the whole borough; `subject` is said of the area. `shown` is ui.chart_with_data's."""
    district, area = page.district, page.area
    ui.chart_with_data(
        charts.monthly_trend(
            frame,
            "month",
            "per_cent",
            color="district" if district else None,
            title=title,
            y_title=y_title,
            subject=f"{subject}, {area}" + (" against the whole borough" if district else ""),
        ),
        frame,
        **shown,
    )


def per_cent_by_district(
    page: Selection,
    frame: pl.DataFrame,
    value: str,
    *,
    title: str,
    x_title: str,
    subject: str,
    **shown,
) -> None:
    """`value` (a percentage) in each district and the borough, the area chosen highlighted, with
    its data; `shown` is ui.chart_with_data's."""
    ui.chart_with_data(
        charts.labelled_bar_chart(
            frame,
            "district",
            value,
            title=title,
            x_title=x_title,
            subject=subject,
            noun="areas (districts and the borough)",
            highlight=page.place,
        ),
        frame,
        **shown,
    )
