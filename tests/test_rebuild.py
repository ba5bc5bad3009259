"""Rebuild: a new version from the current one's tables with this release's marts, no re-ingest."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from earlyhelp import cli
from earlyhelp.core.errors import UnusableInput, WarehouseOutdated
from earlyhelp.load import warehouse
from earlyhelp.load.validate import empty_rejects
from earlyhelp.query.roles import Role
from earlyhelp.query.runner import QueryRunner

# Rejects as ingest writes them, with what CSV makes awkward: a comma, quotes, an empty value
# beside a missing one, a line break, spaces at the ends, a null token and non-ASCII text.
REJECTS = pl.DataFrame(
    [
        (
            "ssd_contacts.csv",
            2,
            "contacts",
            "contact_date",
            "31/02/2021",
            "not a date",
            "row rejected",
        ),
        ("a, b.csv", 7, "children", "child_id", None, 'duplicate of "x" row 3', "row rejected"),
        (
            "w.xlsx#List 1",
            10,
            "early_help_episodes",
            "level_of_need",
            "",
            " a\nb ",
            "value cleared",
        ),
        ("ssd_contacts.csv", 11, "contacts", "source", "  NA  ", "Ünïcode – code", "value cleared"),
    ],
    schema=empty_rejects().schema,
    orient="row",
)


def copy_of(demo_warehouse: Path, folder: Path) -> Path:
    """The shared demo warehouse copied (not linked), so that a test may change it."""
    shutil.copytree(demo_warehouse, folder)
    return folder


def fingerprints(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(warehouse_dir: Path) -> list[str]:
    """Scratch and staging folders a rebuild should have removed."""
    return sorted(p.name for p in warehouse_dir.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def rebuilt(demo_warehouse, tmp_path_factory):
    """A copy of the demo warehouse (with some rejects) rebuilt once: (folder, old, new, old
    version's file fingerprints before the rebuild)."""
    folder = copy_of(demo_warehouse, tmp_path_factory.mktemp("rebuild") / "wh")
    old = warehouse.current_version_dir(folder)
    REJECTS.write_csv(old / "rejects.csv")
    before = fingerprints(old)
    version, new = warehouse.rebuild(folder)
    assert new.name == version
    return folder, old, new, before


def test_rebuild_publishes_a_new_version_and_leaves_the_old_one_intact(rebuilt):
    folder, old, new, before = rebuilt
    assert new != old
    assert new.parent == old.parent
    assert (folder / warehouse.CURRENT).read_text().strip() == new.name
    assert warehouse.current_version_dir(folder) == new
    assert fingerprints(old) == before  # readers still on it see the same files
    for table in old.glob("tables/*.parquet"):
        # The same file, hard-linked rather than copied: no second copy of a national table.
        assert os.path.samefile(table, new / "tables" / table.name)
    assert leftovers(folder) == []


def test_rebuild_keeps_tables_marts_rejects_and_manifest(rebuilt):
    _folder, old, new, _before = rebuilt
    old_manifest, new_manifest = warehouse.read_manifest(old), warehouse.read_manifest(new)
    assert new_manifest["tables"] == old_manifest["tables"]
    assert new_manifest["version"] == new.name
    assert new_manifest["rebuilt_from"] == old.name
    for key in ("sources", "reconciliation", "pseudonymised", "ingested_on", "coverage"):
        assert new_manifest[key] == old_manifest[key], key
    assert new_manifest["rejects"] == REJECTS.height
    assert (new / "rejects.csv").read_bytes() == (old / "rejects.csv").read_bytes()
    marts = sorted(old.glob("marts/*.parquet"))
    assert len(marts) == len(old_manifest["marts"]) > 0
    for mart in marts:
        assert pl.read_parquet(mart).equals(pl.read_parquet(new / "marts" / mart.name)), mart.stem


def test_query_runner_reads_the_rebuilt_warehouse(rebuilt):
    folder, old, new, _before = rebuilt
    runner = QueryRunner.open(folder)
    assert runner.version == new.name
    districts = runner.run("districts", role=Role.parse("analyst"))["district"].to_list()
    assert (
        districts
        == QueryRunner(old).run("districts", role=Role.parse("analyst"))["district"].to_list()
    )
    assert len(districts) > 0


def test_cli_rebuild_picks_up_changed_mart_definitions(
    demo_warehouse, tmp_path, monkeypatch, capsys
):
    """A release that edits one mart and adds another: the rebuilt version has both. Where hard
    links are not possible (another file system), the tables are copied."""
    folder = copy_of(demo_warehouse, tmp_path / "wh")
    old = warehouse.current_version_dir(folder)
    marts = tmp_path / "marts"
    shutil.copytree(warehouse.MART_QUERIES_DIR, marts)
    districts_sql = marts / "mart_districts.sql"
    districts_sql.write_text(
        districts_sql.read_text()
        + "\nINSERT INTO mart_districts (district) VALUES ('Added by the upgrade');\n"
    )
    (marts / "mart_zz_episode_total.sql").write_text(
        "CREATE TABLE mart_zz_episode_total AS\n"
        "SELECT count(*) AS episodes FROM early_help_episodes;\n"
    )
    monkeypatch.setattr(warehouse, "MART_QUERIES_DIR", marts)

    def no_links(*args, **kwargs):
        raise OSError("Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)

    assert cli.main(["rebuild", "--warehouse", str(folder)]) == 0
    out = capsys.readouterr().out
    new = warehouse.current_version_dir(folder)
    assert f"{old.name} -> {new.name}" in out
    manifest = warehouse.read_manifest(new)
    assert f"{len(manifest['marts'])} marts" in out
    assert "early_help_episodes" in out and "Rebuild took" in out

    assert "mart_zz_episode_total" in manifest["marts"]
    total = pl.read_parquet(new / "marts" / "mart_zz_episode_total.parquet")["episodes"][0]
    assert total == manifest["tables"]["early_help_episodes"]
    runner = QueryRunner.open(folder)
    districts = runner.run("districts", role=Role.parse("analyst"))["district"].to_list()
    assert "Added by the upgrade" in districts
    assert (
        "Added by the upgrade"
        not in pl.read_parquet(old / "marts/mart_districts.parquet")["district"].to_list()
    )
    for table in old.glob("tables/*.parquet"):
        copied = new / "tables" / table.name
        assert not os.path.samefile(table, copied)
        assert copied.read_bytes() == table.read_bytes()
    assert leftovers(folder) == []


@pytest.mark.parametrize("exists", [False, True])
def test_cli_rebuild_without_a_warehouse_says_so(tmp_path, capsys, exists):
    folder = tmp_path / "no warehouse here"
    if exists:
        folder.mkdir()
    assert cli.main(["rebuild", "--warehouse", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: No published warehouse in")
    assert str(folder) in captured.err
    assert "Traceback" not in captured.err
    assert folder.exists() == exists  # nothing created


def test_rebuild_refuses_tables_from_a_release_with_other_columns(demo_warehouse, tmp_path):
    """A table whose columns differ from this release's needs a re-ingest: rebuild stops, and
    the current version stays current, with nothing left behind."""
    folder = copy_of(demo_warehouse, tmp_path / "wh")
    old = warehouse.current_version_dir(folder)
    versions = sorted((folder / warehouse.VERSIONS).iterdir())
    teams = old / "tables" / "teams.parquet"
    frame = pl.read_parquet(teams)
    frame.drop(frame.columns[0]).write_parquet(teams)
    with pytest.raises(UnusableInput, match="teams.*python -m earlyhelp ingest"):
        warehouse.rebuild(folder)
    assert warehouse.current_version_dir(folder) == old
    assert sorted((folder / warehouse.VERSIONS).iterdir()) == versions
    assert leftovers(folder) == []


def test_cli_rebuild_if_outdated_leaves_an_up_to_date_warehouse_alone(
    demo_warehouse, tmp_path, capsys
):
    """What `make run` does before starting the app: nothing, when no mart is missing."""
    folder = copy_of(demo_warehouse, tmp_path / "wh")
    before = fingerprints(folder)
    assert cli.main(["rebuild", "--warehouse", str(folder), "--if-outdated"]) == 0
    assert "is up to date with this release's marts" in capsys.readouterr().out
    assert fingerprints(folder) == before


def test_cli_rebuild_if_outdated_rebuilds_a_warehouse_from_an_earlier_release(
    demo_warehouse, tmp_path, capsys
):
    """After an upgrade that added a mart, `make run` rebuilds before the app starts, so the
    app opens on the data instead of asking for the command."""
    import json

    folder = copy_of(demo_warehouse, tmp_path / "wh")
    old = warehouse.current_version_dir(folder)
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["marts"].remove("mart_selection_events")
    (old / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(WarehouseOutdated):
        QueryRunner.open(folder)

    assert cli.main(["rebuild", "--warehouse", str(folder), "--if-outdated"]) == 0
    new = warehouse.current_version_dir(folder)
    assert f"{old.name} -> {new.name}" in capsys.readouterr().out
    assert warehouse.missing_marts(warehouse.read_manifest(new)) == []
    QueryRunner.open(folder).run("referrals_filtered", role=Role.parse("analyst"))


def test_cli_rebuild_if_outdated_rebuilds_marts_whose_definition_changed(
    demo_warehouse, tmp_path, monkeypatch, capsys
):
    """A release (or a developer) editing a mart's SQL: the version records each definition it
    was built from, so the edit is noticed and only then rebuilt."""
    folder = copy_of(demo_warehouse, tmp_path / "wh")
    old = warehouse.current_version_dir(folder)
    assert warehouse.outdated_marts(warehouse.read_manifest(old)) == []
    marts = tmp_path / "marts"
    shutil.copytree(warehouse.MART_QUERIES_DIR, marts)
    districts_sql = marts / "mart_districts.sql"
    districts_sql.write_text(districts_sql.read_text() + "\n-- edited by a release\n")
    monkeypatch.setattr(warehouse, "MART_QUERIES_DIR", marts)

    assert warehouse.outdated_marts(warehouse.read_manifest(old)) == ["mart_districts"]
    assert cli.main(["rebuild", "--warehouse", str(folder), "--if-outdated"]) == 0
    out = capsys.readouterr().out
    assert "Rebuilding 1 missing or changed marts: mart_districts" in out
    new = warehouse.current_version_dir(folder)
    assert new != old and warehouse.outdated_marts(warehouse.read_manifest(new)) == []
