"""Status colours in tables: every status cell is found and filled, and each fill's text is
readable (WCAG 2.2 AA contrast, worked out here from the WCAG formula, not by the code)."""

from __future__ import annotations

import pytest

from earlyhelp.measures import kpis


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("status", kpis.RAGS)
def test_each_fill_is_readable_and_distinct(status):
    background, text = kpis.STATUS_FILLS[status]
    assert _contrast(background, text) >= 4.5
    others = {kpis.STATUS_FILLS[s][0] for s in kpis.RAGS if s != status}
    assert background not in others


def test_the_contrast_check_itself_can_fail():
    assert _contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert _contrast("#fff7bf", "#ffdd00") < 4.5


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("✔ On target", "green"),
        ("On target", "green"),
        ("▲ Close to target", "amber"),
        ("✖ Off target", "red"),
        ("Off target", "red"),
        ("– Not available", "none"),
        (kpis.BOROUGH_ONLY, None),
        (f"– {kpis.NO_DISTRICT_TARGET}", None),
        ("7,050", None),
        (None, None),
    ],
)
def test_status_cells_are_recognised_and_nothing_else(cell, status):
    assert kpis.status_of_text(cell) == status
