"""The layout is the architecture (docs/ARCHITECTURE.md): one sub-package of earlyhelp/ per stage
of the flow, imports running only down it, no module a newcomer must scroll through, each saying
its one job, and Streamlit and Plotly only where the flow says. Read from the source as text and
syntax trees, so a wrong import fails here before it fails anywhere at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from earlyhelp.core.config import QUERIES_DIR, REPO_ROOT

PACKAGE = REPO_ROOT / "earlyhelp"
#: The stages in the order data flows through them; a module may import its own stage or one
#: before it. The command line (earlyhelp/cli/ and the modules directly in earlyhelp/) may
#: import any stage.
STAGES = ("core", "load", "query", "measures", "presentation", "ui", "tools")
ENTRY = len(STAGES)
#: About 500 lines: past that a module has more than one job (the issue that set the layout).
MAX_LINES = 500
#: Where the flow allows a library: Streamlit only in earlyhelp/ui (the widgets and the page views),
#: Plotly only where figures are built or drawn (presentation, ui) and in the tools that time them.
ALLOWED = {
    "streamlit": ("ui/",),
    "plotly": ("presentation", "ui/", "tools"),
}
PRODUCT_FILES = sorted(
    [*PACKAGE.rglob("*.py"), *(REPO_ROOT / "pages").glob("*.py"), REPO_ROOT / "app.py"]
)


def _relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _stage(module: str) -> int:
    """The stage of a dotted module name under earlyhelp (ENTRY for earlyhelp.cli and the like)."""
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else ENTRY


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (line, dotted name), at the top or inside a function;
    `from earlyhelp.x import y` counts as importing earlyhelp.x.y when y is a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if (REPO_ROOT / candidate.replace(".", "/")).is_dir() or (
                    REPO_ROOT / (candidate.replace(".", "/") + ".py")
                ).is_file():
                    found.append((node.lineno, candidate))
    return found


LIBRARY = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", LIBRARY, ids=_relative)
def test_imports_run_only_down_the_flow(path):
    here = _stage(_module_of(path))
    upward = [
        f"line {line}: {name} ({STAGES[_stage(name)]})"
        for line, name in _imports(path)
        if name.startswith("earlyhelp.") and _stage(name) > here
    ]
    assert not upward, f"{_relative(path)} ({STAGES[here] if here < ENTRY else 'entry'}) imports"


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_streamlit_and_plotly_only_where_the_flow_allows(library):
    allowed = ALLOWED[library]
    wrong = sorted(
        f"{_relative(path)}:{line}"
        for path in LIBRARY
        for line, name in _imports(path)
        if name.split(".")[0] == library
        and not _relative(path).removeprefix("earlyhelp/").startswith(allowed)
    )
    assert not wrong, f"{library} imported outside {allowed}: {wrong}"


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=_relative)
def test_no_module_a_newcomer_must_scroll_through(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{_relative(path)} has {lines} lines: split it by job"


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=_relative)
def test_every_module_opens_by_saying_its_job(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring and len(docstring.split()) >= 5, (
        f"{_relative(path)}: no docstring saying its job"
    )


def test_every_stage_is_a_package_and_nothing_else_is_loose():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {*STAGES, "cli"}
    loose = {p.name for p in PACKAGE.glob("*.py")}
    assert loose <= {"__init__.py", "__main__.py", "loadbench.py"}, loose


def test_named_queries_are_grouped_by_page_or_measure():
    """No query file directly in queries/: each sits in the folder of its page or measure, or in
    marts/, macros/ or ingest/ for the SQL run at publish and ingest."""
    assert not list(QUERIES_DIR.glob("*.sql"))
    folders = {p.name for p in QUERIES_DIR.iterdir() if p.is_dir()}
    assert {"marts", "macros", "ingest"} <= folders
    for folder in folders:
        assert list((QUERIES_DIR / folder).glob("*.sql")), f"queries/{folder} is empty"
