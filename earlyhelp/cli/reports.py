"""The commands that read the warehouse and report on it: query, quality, peaks, kpis,
bench and pack."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from earlyhelp.core.errors import QueryError


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"--param takes key=value, not {pair!r}")
        params[key.strip()] = value
    return params


def _query(args: argparse.Namespace) -> int:
    from earlyhelp.query import disclosure
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    role = Role.parse(args.role)
    runner = QueryRunner.open(Path(args.warehouse))
    frame = runner.run(args.name, _parse_params(args.param), role=role)
    # Null counts (and statistics of them) are withheld for any role with protected figures,
    # including a manager of one district (other districts and the borough are protected).
    counts = [] if role.exact_everywhere else runner.counts_of(args.name)
    statistics = {} if role.exact_everywhere else runner.statistics_of(args.name)
    if args.format == "json":
        withheld = disclosure.withheld_statistics(frame, statistics)
        rows = frame.to_dicts()
        for index, row in enumerate(rows):  # numbers stay numbers; withheld ones are 'c'
            row.update({c: disclosure.SUPPRESSED_SYMBOL for c in counts if row.get(c) is None})
            row.update({s: disclosure.SUPPRESSED_SYMBOL for s, m in withheld.items() if m[index]})
        print(json.dumps(rows, default=str, indent=1))
    else:
        from earlyhelp.core.csv_safe import to_csv

        sys.stdout.write(to_csv(disclosure.as_display_text(frame, counts, statistics)))
    return 0


def _quality(args: argparse.Namespace) -> int:
    from earlyhelp.load.warehouse import current_version_dir
    from earlyhelp.measures import quality

    findings = quality.report(current_version_dir(Path(args.warehouse)))
    if args.format == "json":
        print(json.dumps(quality.as_dicts(findings), indent=1))
    else:
        print(quality.as_text(findings))
    return 0


# measure -> (named query, its count column, the table whose last date ends the data). The
# Demand page's series: each district's and the borough's months protected as they are shown
# there (the borough's own count protected, not a sum of protected districts).
PEAK_MEASURES = {
    "referrals": ("referrals_filtered", "referrals", "early_help_episodes"),
    "contacts": ("contacts_filtered", "contacts", "contacts"),
}


def _peaks(args: argparse.Namespace) -> int:
    from datetime import date

    from earlyhelp.core.calendar import load_events
    from earlyhelp.measures.demand import complete_periods, describe, find_peaks
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    query, column, table = PEAK_MEASURES[args.measure]
    runner = QueryRunner.open(Path(args.warehouse))
    role = Role.parse(args.role)
    last_day = next(
        (
            date.fromisoformat(str(row["last_date"])[:10])
            for row in runner.manifest.get("coverage") or []
            if row.get("table_name") == table and row.get("last_date")
        ),
        None,
    )
    events = load_events()
    if args.by == "district":
        districts = runner.run("districts", role=role)["district"].to_list()
        if role.district is not None:
            districts = [d for d in districts if d == role.district]
    else:
        districts = [None]
    series = [
        (d, complete_periods(runner.run(query, {"district": d}, role), "month", last_day))
        for d in districts
    ]
    findings = []
    for district, frame in series:
        try:
            findings.extend(
                find_peaks(
                    frame.select("month", column),
                    measure=args.measure,
                    district=district,
                    events=events,
                )
            )
        except ValueError as exc:
            print(f"note: {district or 'borough'}: {exc}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(findings, default=str, indent=1))
    else:
        for f in findings:
            print(
                f"{f['period']}  {f['district'] or 'Borough':<14} {f['kind']:<7} "
                f"observed {f['observed']:>6}  expected {f['expected']:>8}  {describe(f)}"
            )
        if not findings:
            print("No peaks or troughs beyond normal variation.")
    return 0


def _kpis(args: argparse.Namespace) -> int:
    from earlyhelp.measures import kpis
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    role = Role.parse(args.role)
    kpi_set = kpis.load_kpis(Path(args.kpis) if args.kpis else kpis.DEFAULT_KPIS_FILE)
    runner = QueryRunner.open(Path(args.warehouse))
    area = kpis.BOROUGH
    if args.district:
        role.check_may_see(args.district)  # a district role never gets another's header
        known = runner.run("districts", role=Role.parse("analyst"))["district"].to_list()
        if args.district not in known:
            raise QueryError(f"no district named {args.district!r} (districts: {', '.join(known)})")
        area = args.district
    first_date, last_date = kpis.coverage(runner.manifest)
    results = kpis.evaluate_all(
        kpi_set, lambda name, params: runner.run(name, params, role), first_date, last_date, role
    )
    rows = [kpis.summary_row(result, area) for result in results]
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return 0
    where = "the whole borough" if area == kpis.BOROUGH else area
    print(f"Strategy KPIs for {where} ({role} view), from {kpi_set.path}")
    print(f"{'id':<25}{'title':<41}{'value':>8}  {'target':<10}{'unit':<21}{'rag':<7}period")
    for result, row in zip(results, rows, strict=True):
        kpi = result.kpi
        value = kpi.format(row["value"], suffix=False) if row["value"] is not None else "none"
        better = ">=" if kpi.direction == "higher" else "<="
        target = f"{better} {kpi.format(kpi.target, suffix=False)}"
        print(
            f"{kpi.id:<25}{kpi.title[:39]:<41}{value:>8}  {target:<10}{kpi.unit:<21}"
            f"{row['rag']:<7}{row['period']}"
        )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from earlyhelp.tools import bench

    sections = []
    for warehouse in args.warehouse:
        measurements, raw = bench.run_queries(
            Path(warehouse), runs=args.runs, pandas_runs=args.pandas_runs
        )
        sections.append(bench.report(str(warehouse), measurements, raw))
        print(sections[-1], "\n", flush=True)
        if not all(m.same_result for m in measurements):
            print(
                "error: marts and pandas disagree on a figure (see 'same result')", file=sys.stderr
            )
            return 1
        if args.browser:
            results = bench.run_browser(Path(warehouse), runs=args.browser_runs)
            sections.append(bench.browser_report(str(warehouse), results))
            print(sections[-1], "\n", flush=True)
    if args.out:
        Path(args.out).write_text("\n\n".join(sections) + "\n")
    return 0


def _pack(args: argparse.Namespace) -> int:
    import datetime as dt

    from earlyhelp.presentation import pack
    from earlyhelp.query.roles import Role
    from earlyhelp.query.runner import QueryRunner

    role = Role.parse(args.role)
    try:
        meeting = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        raise QueryError(f"--date must be YYYY-MM-DD, not {args.date!r}") from exc
    started = time.perf_counter()
    built = pack.build(
        QueryRunner.open(Path(args.warehouse)),
        Path(args.out),
        role,
        sections=args.sections,
        district=args.district,
        title=args.title,
        meeting_date=meeting,
    )
    size = Path(args.out).stat().st_size
    print(
        f"Wrote {args.out} ({size / 1_000_000:.1f} MB, {len(built.sections)} sections, "
        f"{len(built.charts)} charts, {built.marking}) in {time.perf_counter() - started:.1f} s"
    )
    return 0
