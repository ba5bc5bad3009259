"""Presentation mode (issue 19): `?present=1` or the sidebar's toggle hides the sidebar and the
controls for a committee screen, keeps the same figures, and is left with one button."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from earlyhelp import ui
from tests.apptest import APP, RUN_TIMEOUT, assert_ran_cleanly, figures


def _app(query_params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    if query_params:
        at.query_params.update(query_params)
    return at.run()


def _styles(at: AppTest) -> str:
    return "".join(e.proto.body for e in at.get("html"))


def test_the_address_asks_for_presentation_mode_and_the_figures_stay_the_same(with_demo):
    normal, presenting = _app(), _app({"present": "1"})
    assert_ran_cleanly(presenting)
    assert [t.label for t in normal.sidebar.toggle] == ["Presentation mode"]
    assert not presenting.sidebar.toggle, "no toggle while presenting: the sidebar is hidden"
    assert [b.label for b in presenting.button] == ["Leave presentation mode"]
    assert 'data-testid="stSidebar"' in _styles(presenting)
    assert 'data-testid="stSidebar"' not in _styles(normal)
    assert figures(presenting) == figures(normal), "the same charts, the same figures"
    assert [m.value for m in presenting.metric] == [m.value for m in normal.metric]


def test_the_toggle_turns_it_on_and_the_button_off(with_demo):
    at = _app()
    at.sidebar.toggle[0].set_value(True).run()
    assert (
        at.query_params.get(ui.PRESENT_PARAM) == ["1"]
        or at.query_params.get(ui.PRESENT_PARAM) == "1"
    )
    assert [b.label for b in at.button] == ["Leave presentation mode"]
    at.button[0].click().run()
    assert ui.PRESENT_PARAM not in at.query_params
    assert [t.label for t in at.sidebar.toggle] == ["Presentation mode"]


def test_presentation_mode_is_kept_from_page_to_page(with_demo):
    at = _app({"present": "1"})
    at.switch_page("pages/caseloads.py").run()
    assert_ran_cleanly(at)
    assert [b.label for b in at.button] == ["Leave presentation mode"]
