"""What writing an area's tables needs (_Output) and the helpers that turn numpy arrays into
Polars series (dates, ids, labels, nulls)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from earlyhelp.tools.demo.areas import _Area
from earlyhelp.tools.demo.conventions import ssd_schemas
from earlyhelp.tools.demo.settings import _OPEN
from earlyhelp.tools.demo.workforce import _Teams, _Workforce


@dataclass
class _Output:
    """What writing one area's tables needs: the flavour, its random stream, teams and staff."""

    area: _Area
    flavour: str
    style: np.random.Generator
    teams: _Teams
    staff: _Workforce

    @property
    def mosaic(self) -> bool:
        return self.flavour == "mosaic"

    @property
    def schemas(self) -> dict[str, pa.Schema]:
        return ssd_schemas(self.flavour)

    def frame(self, name: str, columns: dict[str, pl.Series]) -> pl.DataFrame:
        """A table with exactly the flavour's columns, in its order."""
        frame = pl.DataFrame([series.alias(column) for column, series in columns.items()])
        return frame.select(self.schemas[name].names)

    def team_ids(self, team: np.ndarray) -> pl.Series:
        """ssd_department.dept_team_id of each team index."""
        return _ints(self.area.id_base + 1 + team, team < 0)

    def staff_ids(self) -> pl.Series:
        """prof_staff_id of each holder (in holder order)."""
        number = _ints(self.staff.holder_id - self.area.id_base).cast(pl.String).str.zfill(4)
        return f"S{self.area.index + 1:03d}-" + number

    def worker_names(self) -> pl.Series:
        number = _ints(self.staff.holder_id - self.area.id_base).cast(pl.String).str.zfill(3)
        return "Worker " + number

    def worker_refs(self, holder: np.ndarray) -> pl.Series:
        """What an involvement names its worker by: prof_staff_id in Mosaic, else the id."""
        if self.mosaic:
            return self.staff_ids().gather(_ints(holder, holder < 0))
        return _ints(self.staff.holder_id[holder], holder < 0)


def _dates(days: np.ndarray) -> pl.Series:
    """Dates from day numbers; _OPEN (still open) becomes null."""
    mask = days >= _OPEN
    return pl.from_arrow(pa.array(np.where(mask, 0, days).astype(np.int32), mask=mask)).cast(
        pl.Date
    )


def _ints(values: np.ndarray, missing: np.ndarray | None = None) -> pl.Series:
    return pl.from_arrow(pa.array(values.astype(np.int64), mask=missing)).cast(pl.Int64)


def _floats(values: np.ndarray, missing: np.ndarray) -> pl.Series:
    return pl.from_arrow(pa.array(values.astype(np.float64), mask=missing)).cast(pl.Float64)


def _labels(names: Sequence[str], index: np.ndarray) -> pl.Series:
    """Text from a list of names; a negative index gives null."""
    return pl.Series(list(names), dtype=pl.String).gather(_ints(index, index < 0))


def _nulls(n: int, dtype: type[pl.DataType] = pl.String) -> pl.Series:
    return pl.Series([None] * n, dtype=dtype)


def _person_ids(area: _Area, rank: np.ndarray) -> pl.Series:
    return _ints(area.id_base + 1 + rank)
