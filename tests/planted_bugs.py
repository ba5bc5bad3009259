"""Plant a one-line bug in a key rule, run the tests that guard it, and say which caught it.

    .venv/bin/python -m tests.planted_bugs            # every bug below, one at a time
    .venv/bin/python -m tests.planted_bugs --list
    .venv/bin/python -m tests.planted_bugs re-referral-365-excluded --all-fast-tests

A reviewer's check that the suite can fail (issue 23): each bug is a change a tired developer
could make, in the rule's one home, and each must fail at least one test. Each is planted in a
copy of the working tree, so nothing else running here ever sees it. By default each bug runs
the test modules that guard its rule (they are part of the suite, so the suite catches it);
`--all-fast-tests` runs every test that needs no browser instead. Not collected by pytest: run
it by hand after changing a rule.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PlantedBug:
    name: str
    rule: str
    path: str
    old: str
    new: str
    guards: tuple[str, ...]  # test modules that should catch it


BUGS = (
    PlantedBug(
        "re-referral-365-excluded",
        "re-referral window: a referral 365 days after the last is a re-referral",
        "queries/marts/mart_episode_flags.sql",
        "start_date - previous_start <= 365",
        "start_date - previous_start < 365",
        ("tests/test_pathways.py", "tests/test_hand_counted.py"),
    ),
    PlantedBug(
        "re-referral-366-included",
        "re-referral window: 366 days after is not a re-referral",
        "queries/marts/mart_episode_flags.sql",
        "start_date - previous_start <= 365",
        "start_date - previous_start <= 366",
        ("tests/test_pathways.py", "tests/test_hand_counted.py"),
    ),
    PlantedBug(
        "disclosure-6-and-7-shown",
        "disclosure threshold: 6 and 7 are withheld (rounded they would read as 5)",
        "earlyhelp/query/disclosure.py",
        "pl.when(pl.col(c).is_between(1, policy.withheld_up_to))",
        "pl.when(pl.col(c).is_between(1, policy.suppress_up_to))",
        ("tests/test_disclosure.py", "tests/test_hand_counted.py", "tests/test_roles.py"),
    ),
    PlantedBug(
        "disclosure-5-shown",
        "disclosure threshold: a count of 5 is withheld",
        "earlyhelp/query/disclosure.py",
        "pl.when(pl.col(c).is_between(1, policy.withheld_up_to))",
        "pl.when(pl.col(c).is_between(1, policy.suppress_up_to - 1))",
        ("tests/test_disclosure.py", "tests/test_hand_counted.py", "tests/test_roles.py"),
    ),
    PlantedBug(
        "district-scope-not-known-rows",
        "district scope: a district user never sees 'Not known' rows (they may be anyone's)",
        "earlyhelp/query/runner.py",
        "pl.col(DISTRICT_PARAMETER).is_in([role.district, *BOROUGH_ROWS])",
        'pl.col(DISTRICT_PARAMETER).is_in([role.district, *BOROUGH_ROWS, "Not known"])',
        ("tests/test_district_scope.py", "tests/test_roles.py"),
    ),
    PlantedBug(
        "district-scope-teams-over-borough",
        "district scope: a team's row is counted over the user's own district's children only",
        "earlyhelp/query/runner.py",
        "                bound[DISTRICT_PARAMETER] = role.district\n",
        "                pass\n",
        ("tests/test_district_scope.py", "tests/test_roles.py"),
    ),
    PlantedBug(
        "working-days-contact-years-only",
        "working days: bank holidays of the decision's year count (31 Dec to 2 Jan is 1 day)",
        "earlyhelp/core/calendar.py",
        "years = pl.concat([start.drop_nulls(), end.drop_nulls()]).dt.year()",
        "years = start.drop_nulls().dt.year()",
        ("tests/test_pathways.py", "tests/test_hand_counted.py"),
    ),
    PlantedBug(
        "working-days-no-bank-holidays",
        "working days: bank holidays are not working days",
        "earlyhelp/core/calendar.py",
        "counts = np.busday_count(s, e, holidays=holidays_list)",
        "counts = np.busday_count(s, e)",
        ("tests/test_pathways.py", "tests/test_hand_counted.py"),
    ),
    PlantedBug(
        "open-on-its-end-day",
        "open on a date: an episode is not open on the day it ends",
        "queries/marts/mart_caseload_daily.sql",
        "    SELECT end_date, district, level_of_need, -1, -(case_held::INT), 0, 0\n",
        "    SELECT end_date + 1, district, level_of_need, -1, -(case_held::INT), 0, 0\n",
        ("tests/test_caseloads.py", "tests/test_hand_counted.py"),
    ),
    PlantedBug(
        "open-records-on-their-end-day",
        "open on a date: the episode records open on a date leave out those ended that day",
        "queries/records/episode_records.sql",
        "(end_date IS NULL OR end_date > $open_on::DATE)",
        "(end_date IS NULL OR end_date >= $open_on::DATE)",
        ("tests/test_caseloads.py", "tests/test_hand_counted.py", "tests/test_district_scope.py"),
    ),
    PlantedBug(
        "step-up-28-days-apart",
        "step-up pairing: a 5D referral 28 days from a Step-up ending is the same step-up",
        "queries/marts/mart_pathway_step_ups.sql",
        "abs(r.referral_date - e.end_date) <= 28",
        "abs(r.referral_date - e.end_date) < 28",
        ("tests/test_pathways.py", "tests/test_hand_counted.py"),
    ),
)


#: Not copied: the environment, history, caches (the copy runs the same Python) and the built
#: data in data/ and docs/ (by folder, so the code's own demo/ and warehouse modules are copied).
_SKIPPED_ANYWHERE = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache"
)
_BUILT = {"data": {"warehouse", "demo"}, "docs": {"screenshots"}}


def _not_copied(folder: str, names: list[str]) -> set[str]:
    built = _BUILT.get(Path(folder).name, set()) if Path(folder).parent == REPO else set()
    return set(_SKIPPED_ANYWHERE(folder, names)) | (built & set(names))


def _run_tests(tree: Path, paths: list[str], all_fast: bool) -> tuple[int, list[str]]:
    existing = [p for p in paths if (tree / p).exists()]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    command += ["-m", "not browser", "tests"] if all_fast else existing
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    failed = [
        line.split(" ", 1)[1].split(" - ")[0]
        for line in done.stdout.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]
    return done.returncode, failed


def plant(bug: PlantedBug | None, guards: list[str], all_fast: bool) -> list[str]:
    """The tests that failed with `bug` planted (None: nothing planted) in a copy of the
    working tree."""
    with tempfile.TemporaryDirectory(prefix="planted-") as folder:
        tree = Path(folder) / REPO.name
        shutil.copytree(REPO, tree, ignore=_not_copied)
        if bug is not None:
            original = (tree / bug.path).read_text()
            if original.count(bug.old) != 1:
                raise SystemExit(f"{bug.name}: {bug.path} no longer holds the line exactly once")
            (tree / bug.path).write_text(original.replace(bug.old, bug.new))
        code, failed = _run_tests(tree, guards, all_fast)
    if code not in (0, 1):
        raise SystemExit(f"{bug.name if bug else 'baseline'}: pytest could not run (exit {code})")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.planted_bugs", description=__doc__)
    parser.add_argument("names", nargs="*", help="bugs to plant (default: all)")
    parser.add_argument("--list", action="store_true", help="list the bugs and stop")
    parser.add_argument("--all-fast-tests", action="store_true", help="run every non-browser test")
    args = parser.parse_args(argv)
    if args.list:
        for bug in BUGS:
            print(f"{bug.name}: {bug.rule} ({bug.path})")
        return 0
    chosen = [b for b in BUGS if not args.names or b.name in args.names]
    # Tests already failing with no bug planted are not counted as catching one.
    every_guard = sorted({g for b in chosen for g in b.guards})
    baseline = set(plant(None, every_guard, args.all_fast_tests))
    if baseline:
        print("failing with no bug planted (not counted):", *sorted(baseline), sep="\n   - ")
    missed = []
    for bug in chosen:
        failed = [t for t in plant(bug, list(bug.guards), args.all_fast_tests) if t not in baseline]
        print(f"## {bug.name}: {bug.rule}")
        print(f"   {bug.path}: {bug.old.strip()!r} -> {bug.new.strip()!r}")
        print("   caught by:" if failed else "   NOT CAUGHT")
        for test in failed:
            print(f"   - {test}")
        if not failed:
            missed.append(bug.name)
        sys.stdout.flush()
    print(f"\n{len(chosen) - len(missed)} of {len(chosen)} planted bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
