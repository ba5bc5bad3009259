"""The browser tests' one rerun (tests/browser_helpers.RERUN_WHEN_SLOW) is for slowness only:
a timeout is tried again, a wrong answer fails at once, so a regression that fails one run in
two cannot pass CI."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

pytest_plugins = ["pytester"]

INNER_TESTS = """
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser_helpers import RERUN_WHEN_SLOW, AppDidNotStart

runs = {"slow": 0, "slow start": 0, "wrong": 0}


@RERUN_WHEN_SLOW
def test_slow_once():
    runs["slow"] += 1
    if runs["slow"] == 1:
        raise PlaywrightTimeoutError("Page.wait_for_function: Timeout 60000ms exceeded.")


@RERUN_WHEN_SLOW
def test_slow_to_start_once():
    runs["slow start"] += 1
    if runs["slow start"] == 1:
        raise AppDidNotStart("streamlit not ready after 60 s")


@RERUN_WHEN_SLOW
def test_wrong_once():
    runs["wrong"] += 1
    assert runs["wrong"] > 1, "a wrong figure, the first time only"
"""


def test_a_timeout_is_run_again_and_a_wrong_answer_is_not(pytester, monkeypatch):
    pytester.makepyfile(test_inner=INNER_TESTS)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    # In a subprocess: pytest-playwright's soft-assertion scope cannot be nested in this one.
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("failed"), outcomes.get("rerun")) == (2, 1, 2)
    result.stdout.fnmatch_lines(
        ["FAILED test_inner.py::test_wrong_once - AssertionError: a wrong*"]
    )
