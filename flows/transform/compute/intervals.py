"""Interval arithmetic for estimates: a point value with a low and a high, per row.

Both methods are products of positive inputs, so the product of the lows bounds the product
from below and the product of the highs from above. The bounds are ranges the inputs can
take (stated ranges, a utilization range, two plausible peaks), not a confidence interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Bounds:
    """Aligned Series: point, low, high (low <= point <= high where all are known)."""

    point: pd.Series
    low: pd.Series
    high: pd.Series

    def __mul__(self, other) -> Bounds:
        if isinstance(other, Bounds):
            return Bounds(self.point * other.point, self.low * other.low, self.high * other.high)
        return Bounds(self.point * other, self.low * other, self.high * other)

    __rmul__ = __mul__

    def fillna(self, other: Bounds) -> Bounds:
        """Rows without a point value take all three from `other`."""
        take = self.point.isna()
        return Bounds(self.point.where(~take, other.point), self.low.where(~take, other.low),
                      self.high.where(~take, other.high))


def bounds_of(frame: pd.DataFrame, column: str) -> Bounds:
    """A column with its optional <column>_low / <column>_high; a missing end is the point."""
    point = pd.to_numeric(frame[column], errors="coerce").astype(float)
    ends = []
    for end in ("low", "high"):
        name = f"{column}_{end}"
        values = pd.to_numeric(frame[name], errors="coerce").astype(float) if name in frame else point
        ends.append(values.fillna(point).where(point.notna()))
    return Bounds(point, *ends)


def describe_ranges(frame: pd.DataFrame, columns: list[str]) -> list[str | None]:
    """Per row, the inputs whose range is wider than a point, e.g. 'training_hours 120-144'."""
    parts = pd.Series("", index=frame.index, dtype=object)
    for column in columns:
        if column not in frame:
            continue
        b = bounds_of(frame, column)
        wide = (b.low < b.high).fillna(False).to_numpy(dtype=bool)
        for i in frame.index[wide]:
            text = f"{column} {b.low[i]:.3g}-{b.high[i]:.3g}"
            parts[i] = f"{parts[i]}; {text}" if parts[i] else text
    return [p or None for p in parts]


def threshold_flag(low: pd.Series, high: pd.Series, threshold: float) -> np.ndarray:
    """'above' when the whole interval is at or over the threshold, 'possibly above' when only its
    top is, 'below' otherwise; None without an estimate."""
    known = low.notna() & high.notna()
    flag = np.select([low >= threshold, high >= threshold], ["above", "possibly above"], "below").astype(object)
    flag[~known.to_numpy()] = None
    return flag
