"""The first screen of every page at 1366x768, in normal and presentation mode, saved as PNGs
for the README and docs (`make screenshots`, into docs/screenshots/). What a board member sees
on a committee room's projector before scrolling; tests/test_browser_first_screen.py checks
that the headline figures and the main chart are on it.

    python -m tests.first_screens [--warehouse data/warehouse] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from earlyhelp.tools.bench import CHROMIUM, CHROMIUM_ARGS
from tests.browser_helpers import (
    ALL_DRAWN,
    PAGE_TIMEOUT_MS,
    REPO,
    VIEWPORT,
    serve_app,
    wait_until_run_finished,
)

#: url path -> file name stem
PAGES = {
    "": "overview",
    "demand": "demand",
    "caseloads": "caseloads",
    "pathways": "pathways",
    "scorecard": "scorecard",
    "district_profile": "district_profile",
    "committee_pack": "committee_pack",
    "compared": "compared",
    "data_quality": "data_quality",
    "about": "about",
}


def save_first_screens(warehouse: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with (
        tempfile.TemporaryDirectory() as logs,
        serve_app(warehouse, Path(logs)) as url,
        sync_playwright() as playwright,
    ):
        chromium = playwright.chromium
        browser = chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        for path, stem in PAGES.items():
            for suffix, query in (("", ""), ("_present", "?present=1")):
                page.goto(f"{url}/{path}{query}")
                wait_until_run_finished(page)
                page.wait_for_function(ALL_DRAWN, timeout=PAGE_TIMEOUT_MS)
                page.wait_for_timeout(500)  # Plotly's last transitions
                target = out / f"{stem}{suffix}.png"
                page.screenshot(path=str(target))
                saved.append(target)
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    for path in save_first_screens(args.warehouse.resolve(), args.out):
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
