"""The one contract every helper keeps: it takes the record or an events frame (such as ``from_acled`` returns),
and what it cannot answer from that input it refuses with a message naming what it needs.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"event_id": ["a"]})
>>> require_columns(frame, ["phase_id"], helper="phase_summary", hint="pass the record")
Traceback (most recent call last):
...
ValueError: phase_summary needs the events' phase_id, which this frame does not have; pass the record
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .load import Record

__all__ = ["events_of", "has_values", "is_acled", "require_columns", "require_record"]

#: What each column means to a reader of an error message.
_WHAT = {
    "phase_id": "the events' phase_id",
    "positions": "counts of positions",
    "target_type": "target types (town, headquarters, position)",
    "fatalities": "fatalities",
}


def events_of(data) -> pd.DataFrame:
    """The events frame of a record, or the frame itself.

    >>> import pandas as pd
    >>> events_of(pd.DataFrame({"event_id": ["a"]})).shape
    (1, 1)
    """
    from .load import Record

    if isinstance(data, Record):
        return data.events
    if isinstance(data, pd.DataFrame):
        return data
    raise TypeError(
        f"expected the record (ka.load_record()) or an events frame such as ka.from_acled() returns; got {type(data).__name__}"
    )


def is_acled(events: pd.DataFrame) -> bool:
    """True for a frame made by :func:`~kachin_analysis.interop.from_acled`.

    >>> import pandas as pd
    >>> is_acled(pd.DataFrame({"acled_sub_event_type": ["Armed clash"]}))
    True
    """
    return "acled_sub_event_type" in events.columns


def has_values(events: pd.DataFrame, column: str) -> bool:
    """The column exists and holds at least one value (an all-empty column tells nothing).

    >>> import pandas as pd
    >>> has_values(pd.DataFrame({"x": [None]}), "x"), has_values(pd.DataFrame({"x": [1]}), "x")
    (False, True)
    """
    return column in events.columns and (len(events) == 0 or bool(events[column].notna().any()))


def require_columns(events: pd.DataFrame, columns: Iterable[str], *, helper: str, hint: str) -> None:
    """Raise ``ValueError`` naming the first of ``columns`` the frame lacks (or leaves empty), and what to do instead."""
    for col in columns:
        # a column ACLED leaves empty tells nothing; in the record's own frames an empty column is a real zero
        if col not in events.columns or (is_acled(events) and not has_values(events, col)):
            source = "ACLED data does not have" if is_acled(events) else "this frame does not have"
            raise ValueError(f"{helper} needs {_WHAT.get(col, repr(col))}, which {source}; {hint}")


def require_record(data, *, helper: str, needs: str, hint: str = "pass the record (ka.load_record())") -> Record:
    """The record itself, or ``ValueError`` saying why a bare events frame (ACLED or other) cannot do.

    >>> import pandas as pd
    >>> require_record(pd.DataFrame({"acled_sub_event_type": []}), helper="towns_held", needs="places' ranks")
    Traceback (most recent call last):
    ...
    ValueError: towns_held needs places' ranks, which are part of the record, not of ACLED data; pass the record (ka.load_record())
    """
    from .load import Record

    if isinstance(data, Record):
        return data
    events = events_of(data)
    where = "ACLED data" if is_acled(events) else "an events frame"
    raise ValueError(f"{helper} needs {needs}, which are part of the record, not of {where}; {hint}")
