"""Standard Safeguarding Dataset (SSD) extracts: a folder of ssd_<table>.csv or .parquet files.

Real extracts are filled by each case system's deployment SQL (SystemC/Liquidlogic, Mosaic),
and what SSD leaves local is declared in the council's mapping file (earlyhelp.load.mapping). This
reader renames SSD columns to canonical ones and applies the mapping: local columns for level of
need and early help referral source, local end-reason and organisation codes, placeholders such
as SystemC's SSD_PH, which involvements hold a case, and what an involvement is about (SSD: a
social care referral). Values stay text; earlyhelp.load.validate parses and checks them.
"""

from __future__ import annotations

import atexit
import codecs
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl

from earlyhelp.core.errors import UnusableInput
from earlyhelp.core.schema import CANONICAL_TABLES, SSD_COLUMN_ALIASES, SSD_TABLES
from earlyhelp.load.mapping import Mapping
from earlyhelp.load.sources import SOURCE_ROW, RawTable, read_error

LOOKUP_FILE = "district_lookup.csv"
POPULATION_FILE = "population.csv"
POPULATION_COLUMNS = ("district", "year", "age_band", "children")
_SSD_FILE = re.compile(r"^(ssd_[a-z_]+?)(?:_\d{8})?\.(csv|parquet)$", re.IGNORECASE)

# Columns holding a key into ssd_professionals: a placeholder there means "not recorded".
_WORKER_COLUMNS = ("worker_id",)
# An Annex A source code at the start of a value ("6", "3A", "q) 6: Police"): when a case
# system writes its own lookup code instead, the description beside it is read.
_ANNEX_A_CODE = r"^\s*(?:[a-zA-Z]{1,2}\d?\)\s*)?(10|[1-9][A-Fa-f]?)(?:\b|:|\s|$)"


def table_name_for(path: Path) -> str | None:
    match = _SSD_FILE.match(path.name)
    if match and match.group(1).lower() in SSD_TABLES:
        return match.group(1).lower()
    return None


def looks_like_ssd(folder: Path) -> bool:
    """A folder holding a file named as an SSD table (or a copy of one, or an empty one)."""
    return any(ssd_table_of(p) for p in folder.iterdir() if p.is_file())


# Files an extract folder may hold besides the SSD tables, read by name.
_COMPANION_FILES = (LOOKUP_FILE, POPULATION_FILE, "mapping.yaml")
_SSD_LIKE = re.compile(r"^(ssd_[a-z_]+)", re.IGNORECASE)
# What a download or a copy adds to a file's name: "ssd_contacts (1).csv",
# "ssd_contacts - Copy.csv", "ssd_contacts copy 2.csv".
_COPY_SUFFIX = re.compile(
    r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\(\d+\))?|[\s_]copy(?:\s*\d+)?)$", re.IGNORECASE
)


def copied_from(path: Path) -> str | None:
    """The SSD file name a copy such as `ssd_contacts (1).csv` was made from, if it is one."""
    base = _COPY_SUFFIX.sub("", path.stem)
    if base == path.stem:
        return None
    original = base + path.suffix
    return original if table_name_for(Path(original)) else None


def _folder_plan(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The SSD files of an extract folder to read, and every other file or folder with why it is
    not read, so none is skipped silently. A copy such as `ssd_early_help_episodes (1).csv` is
    read as its table when the original is not there (the first such copy, by name), and named
    as a copy otherwise."""
    items = sorted(folder.iterdir())
    # The table files that will be read: a copy of one of these is not read.
    names = {
        p.name.lower() for p in items if p.is_file() and table_name_for(p) and p.stat().st_size
    }
    read: list[Path] = []
    unused: list[tuple[str, str]] = []
    copies_read: dict[str, Path] = {}
    for path in items:
        if path.is_dir():
            unused.append((str(path), "a folder: not read (give it as a path of its own)"))
            continue
        if not path.is_file():
            continue
        if ssd_table_of(path) and path.stat().st_size == 0:
            unused.append((str(path), "an empty file (no header, no rows): nothing to read"))
            continue
        if table_name_for(path):
            read.append(path)
            continue
        if path.name.lower() in _COMPANION_FILES:
            continue
        original = copied_from(path)
        if original and original.lower() in names:
            unused.append((str(path), f"looks like a copy of {original}, which is read instead"))
        elif original and original.lower() in copies_read:
            first = copies_read[original.lower()].name
            unused.append((str(path), f"looks like a copy of {first}, which is read instead"))
        elif original:
            copies_read[original.lower()] = path
            read.append(path)
        else:
            unused.append((str(path), _why_not_read(path)))
    return read, unused


def _why_not_read(path: Path) -> str:
    stem = _SSD_LIKE.match(path.name)
    if path.name.startswith("."):
        return "a hidden file"
    if path.stat().st_size == 0 and stem:
        return "an empty file"
    if stem and stem.group(1).lower() in SSD_TABLES:
        return (
            f"named like {stem.group(1).lower()} but not ssd_<table>.csv or .parquet "
            "(optionally _YYYYMMDD): rename it to be read"
        )
    if stem:
        return "an SSD table this product does not use"
    return "not an SSD table, district_lookup.csv, population.csv or mapping.yaml"


def unused_files(folder: Path) -> list[tuple[str, str]]:
    """Every file in an extract folder that is not read, with why, so none is skipped silently
    (a table saved as `ssd_contacts.txt` would otherwise leave its measures empty)."""
    return _folder_plan(folder)[1]


def ssd_table_of(path: Path) -> str | None:
    """The SSD table a file holds, by its name or the name it is a copy of."""
    original = copied_from(path)
    return table_name_for(Path(original)) if original else table_name_for(path)


def read_folder(
    folder: Path, mapping: Mapping | None = None, problems: list[str] | None = None
) -> list[RawTable]:
    """The tables of an SSD extract folder. With `problems`, a file that cannot be used is
    added to it (one line, naming the file) and the other files are still read, so that every
    problem is reported at once; without it, the first stops the read."""
    mapping = mapping or Mapping()
    files, _unused = _folder_plan(folder)
    tables = []
    readers = [(path, lambda p=path: read_files([p], mapping)) for path in files]
    for name, reader in ((LOOKUP_FILE, read_district_lookup), (POPULATION_FILE, read_population)):
        if (folder / name).exists():
            readers.append((folder / name, lambda p=folder / name, r=reader: [r(p)]))
    for _path, read in readers:
        try:
            tables.extend(read())
        except UnusableInput as exc:
            if problems is None:
                raise
            problems.append(str(exc))
    return tables


def read_files(files: list[Path], mapping: Mapping | None = None) -> list[RawTable]:
    mapping = mapping or Mapping()
    return [_read_ssd_file(path, ssd_table_of(path), mapping) for path in files]


# --- Encodings ----------------------------------------------------------------------------------

_TRANSCODED: list[Path] = []


def _remove_transcoded() -> None:
    for folder in _TRANSCODED:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_transcoded)


def detect_encoding(path: Path) -> str:
    """UTF-8 when every byte decodes as UTF-8 (a byte order mark allowed); otherwise Windows
    cp1252, which exports from SQL Server Management Studio and Excel usually are; latin-1
    when the file holds bytes cp1252 leaves undefined."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                cp1252.decode(chunk)
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _as_utf8(path: Path, encoding: str) -> Path:
    """A UTF-8 copy of a file in another encoding, for Polars, which reads UTF-8 only."""
    folder = Path(tempfile.mkdtemp(prefix="earlyhelp-utf8-"))
    _TRANSCODED.append(folder)
    target = folder / path.name
    with (
        path.open("r", encoding=encoding, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        shutil.copyfileobj(src, dst, 1 << 24)
    return target


def read_text_table(path: Path) -> pl.DataFrame:
    """Every column as text, so that validation sees exactly what the file holds."""
    frame, _encoding = scan_text_table_with_encoding(path)
    return RawTable("", str(path), frame).frame


def scan_text_table(path: Path) -> pl.LazyFrame:
    return scan_text_table_with_encoding(path)[0]


def scan_text_table_with_encoding(path: Path) -> tuple[pl.LazyFrame, str | None]:
    """A file's rows as text, read lazily (the columns are known now, the rows when streamed),
    and the text encoding it was read in (None for Parquet)."""
    encoding = None
    try:
        if path.suffix.lower() == ".parquet":
            frame = pl.scan_parquet(path)
            frame = frame.select(pl.all().cast(pl.String))
        else:
            encoding = detect_encoding(path)
            readable = path if encoding == "utf-8" else _as_utf8(path, encoding)
            frame = pl.scan_csv(readable, infer_schema=False, encoding="utf8-lossy")
        names = frame.collect_schema().names()
        # A byte order mark survives into the first column's name in some readers.
        frame = frame.rename({n: n.lstrip("\ufeff") for n in names if n.startswith("\ufeff")})
        frame.collect_schema()
        return frame, encoding
    except UnusableInput:
        raise
    except Exception as exc:  # polars raises several kinds; the user needs the file and why
        raise UnusableInput(f"{path}: cannot be read ({read_error(exc)})") from exc


def _with_source_row(frame: pl.LazyFrame) -> pl.LazyFrame:
    # Row 1 is the header in a spreadsheet view of the file, so data starts at row 2.
    return frame.with_row_index(SOURCE_ROW, offset=2).with_columns(
        pl.col(SOURCE_ROW).cast(pl.Int64)
    )


# --- One SSD file ---------------------------------------------------------------------------------


def _column_mapping(ssd_table: str, mapping: Mapping) -> dict[str, str]:
    """SSD column -> canonical column for this council's extract."""
    _canonical, columns = SSD_TABLES[ssd_table]
    columns = dict(columns)
    if ssd_table == "ssd_early_help_episodes":
        for local, canonical in (
            (mapping.level_of_need_column, "level_of_need"),
            (mapping.referral_source_column, "source_code"),
        ):
            if local:
                columns = {src: dst for src, dst in columns.items() if dst != canonical}
                columns[local] = canonical
    if ssd_table == "ssd_involvements" and mapping.involvements_refer_to == "early_help_episodes":
        columns["invo_referral_id"] = "episode_id"
    return columns


def _read_ssd_file(path: Path, ssd_table: str, mapping: Mapping) -> RawTable:
    canonical_table, _ = SSD_TABLES[ssd_table]
    columns_map = _column_mapping(ssd_table, mapping)
    frame, encoding = scan_text_table_with_encoding(path)
    names = frame.collect_schema().names()
    renamed = {}
    for name in names:
        clean = name.strip().lower()
        renamed[name] = SSD_COLUMN_ALIASES.get(ssd_table, {}).get(clean, clean)
    repeated = [name for name, n in Counter(renamed.values()).items() if n > 1]
    if repeated:
        raise UnusableInput(f"{path}: column {repeated[0]!r} appears twice")
    frame = frame.rename(renamed)
    columns = list(renamed.values())
    _require_key_columns(path, columns, canonical_table, columns_map, ssd_table)

    selected = [pl.col(src).alias(dst) for src, dst in columns_map.items() if src in columns]
    if ssd_table == "ssd_professionals" and "prof_professional_id" in columns:
        # Mosaic leaves prof_professional_id empty and keys workers by prof_staff_id.
        staff = pl.col("prof_staff_id") if "prof_staff_id" in columns else pl.lit(None, pl.String)
        selected = [e for e in selected if e.meta.output_name() != "worker_id"]
        selected.append(
            _not_null_token(pl.col("prof_professional_id")).fill_null(staff).alias("worker_id")
        )
    elif ssd_table == "ssd_professionals":
        selected.append(pl.col("prof_staff_id").alias("worker_id"))
    out = _with_source_row(frame).select(pl.col(SOURCE_ROW), *selected)

    present = {dst for src, dst in columns_map.items() if src in columns}
    if ssd_table == "ssd_professionals":
        present.add("worker_id")
    missing_optional = [dst for dst in dict.fromkeys(columns_map.values()) if dst not in present]
    if missing_optional:
        out = out.with_columns(pl.lit(None, pl.String).alias(c) for c in missing_optional)
    out = _apply_mapping(out, ssd_table, mapping, present)
    source_fields = {
        dst: (f"{ssd_table}.{src}" if src in columns else None) for src, dst in columns_map.items()
    }
    if ssd_table == "ssd_professionals":
        source_fields["worker_id"] = (
            "ssd_professionals.prof_professional_id / prof_staff_id"
            if {"prof_professional_id", "prof_staff_id"} & set(columns)
            else None
        )
    if ssd_table in ("ssd_involvements", "ssd_early_help_involvements"):
        source_fields["holds_case"] = source_fields.get("role")
    if ssd_table == "ssd_contacts":
        outcome = source_fields.pop("outcome_json", None)
        source_fields["decision"] = outcome
        # SSD has no decision date: the start of the early help that follows stands in.
        source_fields["decision_date"] = (
            f"{outcome} + ssd_early_help_episodes.earl_episode_start_date" if outcome else None
        )
    stored = _stored_columns(canonical_table)
    return RawTable(
        canonical_table,
        str(path),
        out,
        encoding=encoding,
        source_fields={k: v for k, v in source_fields.items() if k in stored},
    )


def _stored_columns(table: str) -> set[str]:
    if table in CANONICAL_TABLES:
        return set(CANONICAL_TABLES[table].column_names)
    return set()


def _not_null_token(value: pl.Expr) -> pl.Expr:
    text = value.str.strip_chars()
    return pl.when(text.str.to_uppercase().is_in(["", "NULL", "NONE"])).then(None).otherwise(text)


def _code_lookup(value: pl.Expr, codes: dict[str, object]) -> pl.Expr:
    """A council's code replaced by what it stands for; other values left as they are."""
    if not codes:
        return value
    key = value.str.strip_chars().str.to_uppercase()
    mapped = key.replace_strict(
        {k: str(v) for k, v in codes.items()}, default=None, return_dtype=pl.String
    )
    return pl.coalesce(mapped, value)


def _apply_mapping(
    frame: pl.LazyFrame, ssd_table: str, mapping: Mapping, present: set[str]
) -> pl.LazyFrame:
    placeholders = [p.upper() for p in mapping.placeholders]

    def without_placeholders(column: str) -> pl.Expr:
        value = pl.col(column)
        return (
            pl.when(value.str.strip_chars().str.to_uppercase().is_in(placeholders))
            .then(None)
            .otherwise(value)
            .alias(column)
        )

    exprs: list[pl.Expr] = []
    if ssd_table == "ssd_early_help_episodes":
        exprs += [
            without_placeholders("worker_id"),
            _code_lookup(pl.col("level_of_need"), mapping.levels_of_need).alias("level_of_need"),
            _code_lookup(pl.col("end_reason"), mapping.end_reasons).alias("end_reason"),
            _code_lookup(
                pl.col("organisation"), {k: o.name for k, o in mapping.organisations.items()}
            ).alias("organisation"),
        ]
    if ssd_table in ("ssd_involvements", "ssd_early_help_involvements"):
        roles = mapping.case_holding_roles
        role = pl.col("role").str.strip_chars().str.to_uppercase()
        holds = (
            pl.lit("Y")
            if roles is None
            else pl.when(role.is_in(list(roles))).then(pl.lit("Y")).otherwise(pl.lit("N"))
        )
        exprs += [without_placeholders("worker_id"), holds.alias("holds_case")]
    if ssd_table == "ssd_cin_episodes":
        exprs.append(without_placeholders("worker_id"))
    if ssd_table == "ssd_professionals":
        exprs.append(without_placeholders("worker_id"))
    if ssd_table == "ssd_contacts" and "source_description" in present:
        code = pl.col("source_code")
        looks_annex_a = code.str.contains(_ANNEX_A_CODE)
        exprs.append(
            pl.when(looks_annex_a.fill_null(False))
            .then(code)
            .otherwise(pl.coalesce(pl.col("source_description"), code))
            .alias("source_code")
        )
    return frame.with_columns(exprs) if exprs else frame


def _require_key_columns(
    path: Path, columns: list[str], table: str, mapping: dict[str, str], ssd_table: str
):
    if table == "addresses":
        required = {"person_id", "postcode"}
    else:
        required = {c.name for c in CANONICAL_TABLES[table].columns if c.required}
    if ssd_table == "ssd_professionals":
        required.discard("worker_id")
        if not {"prof_professional_id", "prof_staff_id"} & set(columns):
            raise UnusableInput(
                f"{path}: required column 'prof_professional_id' (or Mosaic's 'prof_staff_id') "
                "is missing"
            )
    for src, dst in mapping.items():
        if dst in required and src not in columns:
            raise UnusableInput(f"{path}: required column {src!r} is missing")


def read_district_lookup(path: Path) -> RawTable:
    frame = read_text_table(path)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    for column in ("postcode_sector", "district"):
        if column not in frame.columns:
            raise UnusableInput(f"{path}: required column {column!r} is missing")
    out = _with_source_row(frame.lazy()).select(SOURCE_ROW, "postcode_sector", "district")
    return RawTable("district_lookup", str(path), out.collect())


def is_population_file(path: Path) -> bool:
    return path.is_file() and path.name.lower() == POPULATION_FILE


def read_population(path: Path) -> RawTable:
    """The child population by district, mid-year and age band (optional; gives rates)."""
    frame = read_text_table(path)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    for column in POPULATION_COLUMNS:
        if column not in frame.columns:
            raise UnusableInput(f"{path}: required column {column!r} is missing")
    out = _with_source_row(frame.lazy()).select(SOURCE_ROW, *POPULATION_COLUMNS)
    return RawTable("population", str(path), out.collect())
