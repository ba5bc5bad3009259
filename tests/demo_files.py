"""The demo extract read as a council analyst would read an SSD export, without the library.

Tests that check the product's figures against an independent computation read the demo's raw
files through these helpers: CSV text with `NULL` for nulls and SQL Server DATETIME text
(`2024-12-10 00:00:00.000`) for dates, and the local codes resolved through the `mapping.yaml`
beside the extract, read here as plain YAML. Nothing in earlyhelp/ is used, so a mistake in the
reader or the mapping code shows up as a difference.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

DATETIME = "%Y-%m-%d %H:%M:%S%.3f"
# Columns holding numbers in every flavour (others, e.g. codes such as "6", stay text).
NUMERIC_COLUMNS = ("invo_professional_team", "cine_referral_team", "prof_professional_caseload")
OUTCOMES = {
    "met": "Outcomes met",
    "step-up": "Step-up",
    "disengaged": "Disengaged",
    "moved away": "Moved away",
    "no further action": "No further action",
    "other": "Other",
}
SOURCE_DESCRIPTIONS = {
    "Individual - family member": "1A",
    "Individual - acquaintance": "1B",
    "Individual - self": "1C",
    "Individual - other": "1D",
    "Schools": "2A",
    "Education services": "2B",
    "Health - GP": "3A",
    "Health - health visitor": "3B",
    "Health - school nurse": "3C",
    "Health - other primary health services": "3D",
    "Health - A&E": "3E",
    "Health - other": "3F",
    "Housing": "4",
    "LA services - social care": "5A",
    "LA services - other internal": "5B",
    "LA services - external": "5C",
    "LA services - early help": "5D",
    "Police": "6",
    "Legal agency": "7",
    "Other": "8",
    "Anonymous": "9",
    "Unknown": "10",
}


def is_date_column(name: str) -> bool:
    return name.endswith("_date") or name in ("pers_dob", "pers_expected_dob")


def read_table(folder: Path, name: str) -> pl.DataFrame:
    """One SSD table, CSV or Parquet. CSV dates must all be DATETIME text (a value that is not
    fails the read), nulls `NULL`; id columns whose every value is a number become integers."""
    parquet = folder / f"{name}.parquet"
    if parquet.exists():
        return pl.read_parquet(parquet)
    frame = pl.read_csv(folder / f"{name}.csv", infer_schema=False, null_values=["NULL"])
    columns = []
    for column in frame.columns:
        value = pl.col(column)
        if is_date_column(column):
            columns.append(value.str.strptime(pl.Datetime("ms"), DATETIME).dt.date())
        elif column == "prof_full_time_equivalency":
            columns.append(value.cast(pl.Float64))
        elif (column.endswith("_id") or column in NUMERIC_COLUMNS) and bool(
            frame[column].drop_nulls().str.contains(r"^\d+$").all()
        ):
            columns.append(value.cast(pl.Int64))
        else:
            columns.append(value)
    return frame.select(columns)


def read_extract(folder: Path) -> dict[str, pl.DataFrame]:
    names = {p.stem for p in folder.iterdir() if p.suffix in (".csv", ".parquet")}
    return {name: read_table(folder, name) for name in sorted(names)}


def mapping(folder: Path) -> dict:
    return yaml.safe_load((folder / "mapping.yaml").read_text(encoding="utf-8"))


def _lookup(values: dict, column: str) -> pl.Expr:
    keys = {str(k).upper(): str(v) for k, v in values.items()}
    return pl.col(column).cast(pl.String).str.to_uppercase().replace_strict(keys, default=None)


def episodes(folder: Path) -> pl.DataFrame:
    """Early help episodes with the mapping applied: level 1-4, the outcome of each end
    reason, the organisation's name and kind, the Annex A source code and the worker (none
    for SystemC's placeholder)."""
    spec = mapping(folder)["early_help_episodes"]
    raw = read_table(folder, "ssd_early_help_episodes")
    names = {str(k): v["name"] for k, v in spec["organisations"].items()}
    kinds = {str(k): v["kind"] for k, v in spec["organisations"].items()}
    source = pl.col(spec["referral_source_column"])
    worker = pl.col("earl_episode_worker_id").cast(pl.String)
    return raw.select(
        pl.col("earl_episode_id").alias("episode"),
        pl.col("earl_person_id").alias("person"),
        pl.col("earl_episode_start_date").alias("start"),
        pl.col("earl_episode_end_date").alias("end"),
        pl.col("earl_episode_reason").alias("start_reason"),
        _lookup(
            {k: OUTCOMES[v] for k, v in spec["end_reasons"].items()}, "earl_episode_end_reason"
        ).alias("end_reason"),
        _lookup(spec["levels_of_need"], spec["level_of_need_column"]).cast(pl.Int64).alias("level"),
        _lookup(names, "earl_episode_organisation").alias("organisation"),
        _lookup(kinds, "earl_episode_organisation").alias("kind"),
        pl.coalesce(source.replace_strict(SOURCE_DESCRIPTIONS, default=None), source).alias(
            "source_code"
        ),
        pl.when(worker == "SSD_PH").then(None).otherwise(worker).alias("worker"),
    )


def case_involvements(folder: Path) -> pl.DataFrame:
    """The involvements that hold an early help case: the council's early help involvement
    table where there is one (case-holding roles only), else each episode's own worker from
    its start to its end. Columns: involvement, worker (text), episode, start, end."""
    roles = mapping(folder)["involvements"]["case_holding_roles"]
    path = folder / "ssd_early_help_involvements"
    if path.with_suffix(".csv").exists() or path.with_suffix(".parquet").exists():
        return (
            read_table(folder, "ssd_early_help_involvements")
            .filter(pl.col("invo_professional_role_id").is_in(roles))
            .select(
                pl.col("invo_involvements_id").cast(pl.String).alias("involvement"),
                pl.col("invo_professional_id").cast(pl.String).alias("worker"),
                pl.col("invo_referral_id").alias("episode"),
                pl.col("invo_involvement_start_date").alias("start"),
                pl.col("invo_involvement_end_date").alias("end"),
            )
        )
    return (
        episodes(folder)
        .filter(pl.col("worker").is_not_null())
        .select(
            ("episode:" + pl.col("episode").cast(pl.String)).alias("involvement"),
            "worker",
            "episode",
            "start",
            "end",
        )
    )


def workers(folder: Path) -> pl.DataFrame:
    """Workers keyed as involvements name them: prof_professional_id, else prof_staff_id."""
    raw = read_table(folder, "ssd_professionals")
    return raw.select(
        pl.coalesce(pl.col("prof_professional_id").cast(pl.String), pl.col("prof_staff_id")).alias(
            "worker"
        ),
        pl.col("prof_full_time_equivalency").cast(pl.Float64).alias("fte"),
        "prof_professional_department",
    )


def districts_at_start(folder: Path, events: pl.DataFrame, person: str, day: str) -> pl.DataFrame:
    """Each event with the district of the child's home address on `day` (an address without
    a start date counts from the beginning; placement addresses are not where the family
    lives). Events whose child has no home address then get no row."""
    excluded = [t.upper() for t in mapping(folder).get("addresses", {}).get("exclude_types", [])]
    addresses = read_table(folder, "ssd_address").filter(
        ~pl.col("addr_address_type").str.to_uppercase().is_in(excluded)
    )
    lookup = pl.read_csv(folder / "district_lookup.csv")
    sector = pl.col("addr_address_postcode").str.split(" ")
    addresses = addresses.with_columns(
        (sector.list.get(0) + " " + sector.list.get(1).str.slice(0, 1)).alias("postcode_sector")
    ).join(lookup, on="postcode_sector")
    return (
        events.join(
            addresses.select(
                "addr_person_id", "addr_address_start_date", "addr_address_end_date", "district"
            ),
            left_on=person,
            right_on="addr_person_id",
        )
        .filter(
            (
                pl.col("addr_address_start_date").is_null()
                | (pl.col("addr_address_start_date") <= pl.col(day))
            )
            & (
                pl.col("addr_address_end_date").is_null()
                | (pl.col("addr_address_end_date") >= pl.col(day))
            )
        )
        .drop("addr_address_start_date", "addr_address_end_date")
    )
