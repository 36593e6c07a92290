"""Calendar periods for the helpers' ``freq=``: any pandas offset of days, weeks, months, quarters or years.

Each period is labelled by its first day. Weeks run Monday to Sunday (``W`` is
pandas' ``W-SUN``: weeks ending on Sunday); ``2W`` groups weeks in pairs
counted from 1970, so the same date always falls in the same pair; months,
quarters and years follow the calendar (``ME``/``MS``, ``QE``/``QS``,
``YE``/``YS``; ``QE-JUN`` and the like move the anchor). The old codes ``M``,
``Q`` and ``Y`` are read as ``ME``, ``QE`` and ``YE``.

Example
-------
>>> import pandas as pd
>>> dates = pd.Series(pd.to_datetime(["2024-03-07", "2024-05-20"]))
>>> [str(d)[:10] for d in period_starts(dates, "QE")]
['2024-01-01', '2024-04-01']
>>> [str(d)[:10] for d in period_range("2024-01-15", "2024-03-02", "ME")]
['2024-01-01', '2024-02-01', '2024-03-01']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries import offsets
from pandas.tseries.frequencies import to_offset

__all__ = ["Bins", "bins", "period_range", "period_starts"]

_LEGACY = {"M": "ME", "Q": "QE", "Y": "YE", "A": "YE", "W": "W-SUN"}
_HELP = "freq must be a pandas offset of days, weeks, months, quarters or years, e.g. D, W, 2W, ME, MS, QE, YE"
_EPOCH_MONDAY = 4  # 1970-01-01 was a Thursday: Monday 1969-12-29 is day -3, i.e. days + 3 ≡ 0 (mod 7) on Mondays


@dataclass(frozen=True)
class Bins:
    """A calendar binning: ``unit`` is ``day``, ``week`` or ``month``; a bin is ``step`` units from ``shift``."""

    unit: str
    step: int
    shift: int
    days: int  # nominal length of one bin, for deciding when a date's precision is coarser than the bin


def bins(freq: str) -> Bins:
    """Parse ``freq`` into calendar bins, or raise ``ValueError`` saying what is accepted.

    >>> bins("2W")
    Bins(unit='week', step=2, shift=0, days=14)
    >>> bins("QE").step, bins("YE").step
    (3, 12)
    """
    try:
        off = to_offset(_LEGACY.get(freq, freq))
    except (ValueError, TypeError):
        raise ValueError(f"{_HELP}; got {freq!r}") from None
    n = int(off.n)
    if n < 1:
        raise ValueError(f"{_HELP}, with a positive multiple; got {freq!r}")
    if isinstance(off, offsets.Day):
        return Bins("day", n, 0, n)
    if isinstance(off, offsets.Week) and off.weekday is not None:
        # weeks ending on ``weekday`` start the day after it; shift is that start's weekday (Monday = 0)
        return Bins("week", n, (off.weekday + 1) % 7, 7 * n)
    month_based = {
        offsets.MonthEnd: (1, lambda o: 0),
        offsets.MonthBegin: (1, lambda o: 0),
        offsets.QuarterEnd: (3, lambda o: o.startingMonth % 3),
        offsets.QuarterBegin: (3, lambda o: (o.startingMonth - 1) % 3),
        offsets.YearEnd: (12, lambda o: o.month % 12),
        offsets.YearBegin: (12, lambda o: (o.month - 1) % 12),
    }
    for kind, (months, shift) in month_based.items():
        if type(off) is kind:
            return Bins("month", months * n, shift(off), 30 * months * n)
    raise ValueError(f"{_HELP}; got {freq!r}")


def _index(days: np.ndarray, b: Bins) -> np.ndarray:
    """Bin number of each day (int64 days since 1970-01-01)."""
    if b.unit == "day":
        return days // b.step
    if b.unit == "week":
        weeks = (days + 3 - b.shift) // 7  # whole weeks since the week starting on ``shift`` before the epoch
        return weeks // b.step
    months = _months(days)
    return (months - b.shift) // b.step


def _months(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def _start(index: np.ndarray, b: Bins) -> np.ndarray:
    """First day (datetime64[ns]) of each bin number."""
    if b.unit == "day":
        first = index * b.step
    elif b.unit == "week":
        first = index * b.step * 7 - 3 + b.shift
    else:
        return (index * b.step + b.shift).astype("datetime64[M]").astype("datetime64[D]").astype("datetime64[ns]")
    return first.astype("datetime64[D]").astype("datetime64[ns]")


def _days(dates) -> np.ndarray:
    return (
        pd.to_datetime(pd.Series(dates) if not isinstance(dates, pd.Series) else dates)
        .to_numpy()
        .astype("datetime64[D]")
        .astype("int64")
    )


def period_starts(dates, freq: str) -> np.ndarray:
    """First day of the period of ``freq`` that contains each date (datetime64[ns]).

    >>> import pandas as pd
    >>> [str(d)[:10] for d in period_starts(pd.Series(pd.to_datetime(["2024-03-07"])), "W")]
    ['2024-03-04']
    """
    b = bins(freq)
    return _start(_index(_days(dates), b), b)


def period_range(start, end, freq: str) -> pd.DatetimeIndex:
    """First days of every period from the one containing ``start`` to the one containing ``end``.

    >>> len(period_range("2024-01-01", "2024-12-31", "2W")) in (27, 28)
    True
    """
    b = bins(freq)
    lo, hi = _index(_days([pd.Timestamp(start)]), b)[0], _index(_days([pd.Timestamp(end)]), b)[0]
    return pd.DatetimeIndex(_start(np.arange(lo, hi + 1, dtype="int64"), b), name="period")


def period_end(starts: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Last day of each period that starts on ``starts``.

    >>> [str(d)[:10] for d in period_end(pd.DatetimeIndex(["2024-02-01"]), "ME")]
    ['2024-02-29']
    """
    b = bins(freq)
    idx = _index(_days(pd.Series(starts)), b)
    return pd.DatetimeIndex(_start(idx + 1, b)) - pd.Timedelta(days=1)
