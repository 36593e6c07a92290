"""Pure DataFrame-in, DataFrame-out helpers: captures over time, phases, actors, control, claims.

Every helper takes a :class:`~kachin_analysis.load.Record` or an events frame
shaped like ``events.csv`` (as :func:`~kachin_analysis.interop.from_acled`
returns for ACLED exports). What a helper cannot answer from its input (phases,
positions or target types are not part of ACLED data) it refuses with a
``ValueError`` that names what it needs and what to pass instead. None of them
reads files or draws anything. Control lives in :mod:`kachin_analysis.control`
and claims in :mod:`kachin_analysis.claims`; both are re-exported here.

Example
-------
>>> import kachin_analysis as ka
>>> record = ka.load_record()
>>> monthly = ka.count_captures(record, freq="ME", measure="positions", cumulative=True)
>>> bool(monthly["positions"].is_monotonic_increasing)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .actors import _distinct_lists, _long_codes, actor_rows, event_actors
from .claims import claims_vs_record
from .control import control_timeline, holder_on, towns_held
from .inputs import events_of, has_values, is_acled, require_columns, require_record
from .load import Record, load_record  # noqa: F401 - load_record for the examples
from .periods import bins, period_range, period_starts
from .repeats import shared_ids
from .schema import CLAIM_METRIC_RULES, FIGHTING_ROLES, GEO_LEVELS, HQ_TARGET_TYPES, ROLE, SIDE

__all__ = [
    "FREQS",
    "GROUPS",
    "MEASURES",
    "actor_appearances",
    "actor_involvement",
    "claims_vs_record",
    "co_participation",
    "control_timeline",
    "count_captures",
    "effective_actors",
    "holder_on",
    "phase_summary",
    "towns_held",
]

#: Examples of the period codes ``freq=`` accepts; any pandas offset of days, weeks, months, quarters or
#: years works (``2W``, ``QE``, ``YE``; see :mod:`kachin_analysis.periods`).
FREQS = ("D", "W", "2W", "ME", "QE", "YE")
#: Span of each date precision in days, to tell when a date is coarser than the counting period.
_PRECISION_DAYS = {"day": 1, "week": 7, "month": 28}
#: What :func:`count_captures` can count, and the column each needs.
MEASURES = {
    "positions": "positions",
    "events": None,
    "headquarters": "target_type",
    "towns": "target_type",
    "fatalities": "fatalities",
}
#: What ``by=`` accepts: record columns, actors and sides, and administrative levels (``township``,
#: ``district``, ``state``, or ACLED's ``admin1``–``admin3``).
GROUPS = ("phase_id", "theatre", "actor", "side", "target_type", "place_id", *GEO_LEVELS, "admin1", "admin2", "admin3")
_ADMIN_LEVEL = {acled: ours for ours, (_, acled) in GEO_LEVELS.items()}
_HINT_BY = "pass by='state' (or 'township', 'district', 'actor', 'side', 'place_id'), or use the record"


def _events(data: Record | pd.DataFrame) -> pd.DataFrame:
    return events_of(data)


def _with_theatre(data: Record | pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    if "theatre" in events.columns:
        return events
    if not isinstance(data, Record):
        require_columns(
            events_of(data),
            ["phase_id"],
            helper="grouping by theatre",
            hint="theatres are the areas of this record's phases; " + _HINT_BY,
        )
        raise ValueError("grouping by theatre needs the whole record (or an events frame with a 'theatre' column)")
    theatre = dict(zip(data.phases["phase_id"].astype(str), data.phases["theatre"].astype(str)))
    order = list(dict.fromkeys(data.phases["theatre"].astype(str)))
    return events.assign(
        theatre=pd.Categorical(events["phase_id"].astype(str).map(theatre), categories=order, ordered=True)
    )


def _geo_column(data: Record | pd.DataFrame, events: pd.DataFrame, by: str) -> pd.Series:
    """The township, district or state of each event: from the places table for the record, ACLED's admin columns
    for ACLED frames."""
    level = _ADMIN_LEVEL.get(by, by)
    ours, acled = GEO_LEVELS[level]
    if acled in events.columns:
        return events[acled]
    if isinstance(data, Record):
        names = dict(zip(data.places["place_id"].astype(str), data.places[ours].astype("string")))
        values = events["place_id"].astype("string").map(names)
        order = sorted(set(values.dropna()))
        return pd.Series(pd.Categorical(values, categories=order, ordered=True), index=events.index)
    raise ValueError(
        f"by={by!r} needs the events' places ({acled} in ACLED data, or the record's places table); pass the record"
    )


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Boolean mask, missing values False; fast on categoricals (tests the categories, not the rows)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        hit = np.asarray([c in allowed for c in values.cat.categories] + [False], dtype=bool)
        return hit[values.cat.codes.to_numpy()]  # code -1 (missing) picks the final False
    return values.isin(allowed).fillna(False).to_numpy(dtype=bool)


def _map_values(values: pd.Series, mapping: dict, default) -> np.ndarray:
    if isinstance(values.dtype, pd.CategoricalDtype):
        table = np.asarray([mapping.get(c, default) for c in values.cat.categories] + [default])
        return table[values.cat.codes.to_numpy()]
    return values.map(mapping).fillna(default).to_numpy()


def _measure_values(events: pd.DataFrame, measure: str) -> np.ndarray:
    if measure in ("positions", "fatalities"):
        return events[measure].astype("Float64").fillna(0).to_numpy(dtype="float64")
    if measure == "events":
        return np.ones(len(events), dtype="float64")
    if measure == "headquarters":
        return _isin(events["target_type"], HQ_TARGET_TYPES).astype("float64")
    return _isin(events["target_type"], ("town",)).astype("float64")


def _check_measure(events: pd.DataFrame, measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")
    needed = MEASURES[measure]
    if needed is None:
        return
    if measure == "fatalities" and not is_acled(events) and "fatalities" not in events.columns:
        raise ValueError(
            "measure='fatalities' needs a fatalities column: this record does not count deaths "
            "(join ACLED data with ka.from_acled); use measure='positions', 'events', 'headquarters' or 'towns'"
        )
    require_columns(
        events,
        [needed],
        helper=f"measure={measure!r}",
        hint="use measure='events' or 'fatalities' on ACLED data" if is_acled(events) else "use measure='events'",
    )


def count_captures(
    data: Record | pd.DataFrame,
    *,
    measure: str = "positions",
    freq: str = "W",
    by: str | None = None,
    cumulative: bool = False,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    as_of: str | pd.Timestamp | None = None,
    event_types: tuple[str, ...] = ("capture",),
) -> pd.DataFrame:
    """Count what was captured per period, with empty periods as zeros.

    ``measure`` is ``positions`` (sum of the ``positions`` column),
    ``events``, ``headquarters`` (battalion and command HQs), ``towns`` or,
    on ACLED data, ``fatalities``. ``freq`` is any pandas offset of days,
    weeks, months, quarters or years (``D``, ``W``, ``2W``, ``ME``, ``QE``,
    ``YE``; see :mod:`kachin_analysis.periods`). ``by`` splits the count by
    ``phase_id``, ``theatre``, ``actor`` (each attacking actor gets the whole
    event, so actor rows sum to more than the total), ``side``,
    ``target_type``, ``place_id``, or an administrative level: ``township``,
    ``district``, ``state`` (ACLED's ``admin3``, ``admin2``, ``admin1``).
    ``as_of`` is a synonym for ``end``: nothing after it is counted.

    Date precision rule: an event known only to the week or month is counted in
    the period that contains its ``date`` (the first day of its span). When that
    span is longer than the period the row's ``imprecise`` column counts it, so a
    daily or weekly series shows where it leans on such events. Counts that are
    floors or approximations (``positions_precision`` other than ``exact``, or
    no count at all) are counted in ``inexact``: the series is then a lower
    bound for that period.

    Returns one row per period (and group): ``period`` (first day), the group
    column, the measure, ``inexact`` and ``imprecise``; with ``cumulative`` the
    measure (and both flags) accumulate within each group.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["a", "b"], "date": pd.to_datetime(["2024-03-07", "2024-03-20"]),
    ...     "date_precision": ["day", "day"], "event_type": ["capture", "capture"],
    ...     "target_type": ["position", "town"], "positions": pd.array([2, 1], dtype="Int64"),
    ...     "positions_precision": ["exact", "at_least"]})
    >>> count_captures(ev, freq="ME")[["period", "positions", "inexact"]].to_dict("records")
    [{'period': Timestamp('2024-03-01 00:00:00'), 'positions': 3, 'inexact': 1}]
    """
    b = bins(freq)
    end = _check_count_args(by, end, as_of)
    events = _events(data)
    _check_measure(events, measure)
    events = _slim_events(data, events, measure=measure, by=by, start=start, end=end, event_types=event_types)
    frame = pd.DataFrame(
        {
            "period": period_starts(events["date"], freq),
            measure: _measure_values(events, measure),
            "inexact": (~_isin(events["positions_precision"], ("exact",))).astype("int64")
            if measure == "positions"
            else np.zeros(len(events), dtype="int64"),
            "imprecise": (_map_values(events["date_precision"], _PRECISION_DAYS, 1).astype("int64") > b.days).astype(
                "int64"
            ),
        }
    )
    frame, group_col, categories = _add_group(data, events, frame, by)
    periods = _periods(frame, start, end, freq)
    if len(periods):
        frame = frame[(frame["period"] >= periods.min()) & (frame["period"] <= periods.max())]
    return _zero_filled(frame, periods, measure, group_col, categories, cumulative=cumulative)


def _check_count_args(by, end, as_of):
    """Refuse an unknown grouping; merge ``as_of`` into ``end``."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)} or None; got {by!r}")
    if as_of is None:
        return end
    if end is not None and pd.Timestamp(end) != pd.Timestamp(as_of):
        raise ValueError("give end or as_of, not both")
    return as_of


def _slim_events(data, events: pd.DataFrame, *, measure, by, start, end, event_types) -> pd.DataFrame:
    """The few columns a count needs, cut to its event types and window (a million-row frame is not copied whole)."""
    if by in ("phase_id", "target_type"):
        require_columns(events, [by], helper=f"by={by!r}", hint=_HINT_BY)
    needed = ["date", "date_precision", "event_type"]
    needed += {
        "positions": ["positions", "positions_precision"],
        "headquarters": ["target_type"],
        "towns": ["target_type"],
        "fatalities": ["fatalities"],
    }.get(measure, [])
    if by in ("actor", "side"):
        needed += ["attackers", "attacker_side"]
    elif by == "theatre":
        needed += ["phase_id", "theatre"]
    elif by in GEO_LEVELS or by in _ADMIN_LEVEL:
        needed += [GEO_LEVELS[_ADMIN_LEVEL.get(by, by)][1], "place_id"]
    elif by is not None:
        needed += [by]
    slim = events[list(dict.fromkeys(c for c in needed if c in events.columns))]
    keep = _isin(slim["event_type"], event_types).copy()
    if start is not None:  # cut on the event's own date, so nothing before start or after end is counted
        keep &= (slim["date"] >= pd.Timestamp(start)).to_numpy(dtype=bool)
    if end is not None:
        keep &= (slim["date"] <= pd.Timestamp(end)).to_numpy(dtype=bool)
    slim = slim[keep]
    return _with_theatre(data, slim) if by == "theatre" else slim


def _actor_labels(data, events: pd.DataFrame, by: str) -> tuple[np.ndarray, pd.Categorical]:
    """(row of each attacker, its label): the actor in the record's order, or its side (once per event and side)."""
    rows, actors = actor_rows(events, "attackers")
    if by == "actor":
        if not isinstance(data, Record):
            return rows, actors
        present = set(actors.categories)
        known = list(data.actors["actor_id"].astype(str))
        return rows, actors.reorder_categories([a for a in known if a in present] + sorted(present - set(known)))
    if isinstance(data, Record):
        side_of = dict(zip(data.actors["actor_id"].astype(str), data.actors["side"].astype(str)))
        sides = pd.Series(actors).map(side_of).to_numpy()
    elif "attacker_side" in events.columns:
        sides = events["attacker_side"].astype(object).to_numpy()[rows]
    else:
        raise ValueError("by='side' needs the whole record, or an events frame with an 'attacker_side' column")
    pair = pd.DataFrame({"row": rows, "side": sides}).drop_duplicates()
    present = set(pair["side"])
    return pair["row"].to_numpy(), pd.Categorical(
        pair["side"], categories=[s for s in SIDE if s in present], ordered=True
    )


def _add_group(data, events: pd.DataFrame, frame: pd.DataFrame, by):
    """The frame with its group column (one row per attacker for actors and sides), the column's name and order."""
    if by is None:
        return frame, None, None
    if by in ("actor", "side"):
        rows, labels = _actor_labels(data, events, by)
        group_col = "actor_id" if by == "actor" else "side"
        frame = frame.iloc[rows].reset_index(drop=True)
        frame[group_col] = labels
        return frame, group_col, frame[group_col].cat.categories
    col = _geo_column(data, events, by) if (by in GEO_LEVELS or by in _ADMIN_LEVEL) else events[by]
    frame[by] = col.to_numpy()
    return frame, by, (col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else None)


def _periods(frame: pd.DataFrame, start, end, freq: str) -> pd.DatetimeIndex:
    """Every period from ``start`` (else the first counted) to ``end`` (else the last counted)."""
    lo = pd.Timestamp(start) if start is not None else (frame["period"].min() if len(frame) else None)
    hi = pd.Timestamp(end) if end is not None else (frame["period"].max() if len(frame) else None)
    if lo is None or hi is None:
        return pd.DatetimeIndex([], name="period")
    return period_range(lo, hi, freq)


def _zero_filled(frame, periods, measure, group_col, categories, *, cumulative: bool) -> pd.DataFrame:
    """Sum per period (and group), with every empty period present as zeros, optionally cumulative."""
    keys = ["period"] if group_col is None else ["period", group_col]
    cols = [measure, "inexact", "imprecise"]
    if group_col is None:
        full = pd.Index(periods, name="period")
        groups: list = []
    else:
        groups = list(categories) if categories is not None else sorted(frame[group_col].dropna().unique().tolist())
        full = pd.MultiIndex.from_product([periods, groups], names=keys)
    # Each row's cell in the period (x group) table, summed with bincount; rows in no cell are not counted.
    cell = pd.Index(periods).get_indexer(frame["period"])
    if group_col is not None:
        group = _group_codes(frame[group_col], groups, categories)
        cell = np.where((cell >= 0) & (group >= 0), cell * len(groups) + group, -1)
    counted = cell >= 0
    sums = {
        c: np.bincount(cell[counted], weights=frame[c].to_numpy(dtype="float64")[counted], minlength=len(full))
        for c in cols
    }
    if cumulative:  # within each group, along the periods
        sums = {c: v.reshape(len(periods), max(len(groups), 1)).cumsum(axis=0).ravel() for c, v in sums.items()}
    if len(full):
        out = full.to_frame(index=False)
    else:  # nothing to count: the empty table typed as pandas' group-by and reindex type it
        out = frame.groupby(keys, observed=True, sort=False)[cols].sum().reindex(full, fill_value=0).reset_index()
    if group_col is not None and categories is not None:
        out[group_col] = pd.Categorical(out[group_col], categories=list(categories), ordered=True)
    out[measure] = sums[measure].round().astype("int64")
    out["inexact"], out["imprecise"] = sums["inexact"].astype("int64"), sums["imprecise"].astype("int64")
    return out


def _group_codes(values: pd.Series, groups: list, categories) -> np.ndarray:
    """Each row's position in ``groups`` (-1 for a missing value); categoricals by code, without their labels."""
    if (
        categories is not None
        and isinstance(values.dtype, pd.CategoricalDtype)
        and list(values.cat.categories) == groups
    ):
        return values.cat.codes.to_numpy()
    return pd.Index(groups).get_indexer(values)


def phase_summary(record: Record, *, as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per phase: dates, duration, what was captured, recaptures suffered, actors involved.

    ``as_of`` (default: the record's last event) cuts every count there: events
    after it are not counted, and a phase with no sourced end, or one ending
    later, runs to it. ``last_event`` is the phase's last recorded event, which
    shows how long a phase with no sourced end has actually been active.
    Actors count the parties to the fighting (attackers and defenders).

    >>> ps = phase_summary(load_record())
    >>> {"phase_id", "positions", "recaptures", "first_capture", "last_event"} <= set(ps.columns)
    True
    """
    record = require_record(
        record,
        helper="phase_summary",
        needs="phases",
        hint="count_captures(data, by='state') or by='admin1' groups ACLED data instead",
    )
    events, phases = record.events, record.phases
    cut = as_of is not None
    as_of = pd.Timestamp(as_of) if cut else (events["date"].max() if len(events) else pd.Timestamp.today().normalize())
    events = events[events["date"] <= as_of]
    captures = events[events["event_type"] == "capture"]
    rows = []
    long = event_actors(record)
    long = long[long["role"].isin(FIGHTING_ROLES)]
    phase_of = dict(zip(events["event_id"].astype(str), events["phase_id"].astype(str)))
    long = long.assign(phase_id=long["event_id"].astype(str).map(phase_of))
    for ph in phases.itertuples(index=False):
        c = captures[captures["phase_id"].astype(str) == ph.phase_id]
        e = events[events["phase_id"].astype(str) == ph.phase_id]
        end = ph.end if pd.notna(ph.end) and (ph.end <= as_of or not cut) else as_of
        rows.append(
            {
                "phase_id": ph.phase_id,
                "name": ph.name,
                "theatre": ph.theatre,
                "start": ph.start,
                "end": ph.end,
                "ongoing": bool(pd.isna(ph.end) or (cut and ph.end > as_of)),
                "duration_days": max(int((end - ph.start).days) + 1, 0),
                "events": len(e),
                "captures": len(c),
                "positions": int(c["positions"].fillna(0).sum()),
                "positions_inexact": int((c["positions_precision"].astype("string") != "exact").fillna(True).sum()),
                "headquarters": int(c["target_type"].astype("string").isin(HQ_TARGET_TYPES).fillna(False).sum()),
                "towns": int((c["target_type"].astype("string") == "town").fillna(False).sum()),
                "recaptures": int((e["event_type"] == "recapture").sum()),
                "actors": int(long.loc[long["phase_id"] == ph.phase_id, "actor_id"].nunique()),
                "first_capture": c["date"].min() if len(c) else pd.NaT,
                "last_capture": c["date"].max() if len(c) else pd.NaT,
                "last_event": e["date"].max() if len(e) else pd.NaT,
            }
        )
    out = pd.DataFrame(rows)
    if len(out):
        out["phase_id"] = pd.Categorical(out["phase_id"], categories=list(phases["phase_id"]), ordered=True)
    return out


class _Values:
    """Values of a categorical column to group on by code but to return as plain values (str, not category)."""

    def __init__(self, codes: np.ndarray, values: pd.Index):
        self.codes, self.values = codes, values


def _values_at(key: pd.Series, rows: np.ndarray):
    """``key``'s values at row positions, typed as a frame built from them would type them (categories become str)."""
    if isinstance(key.dtype, pd.CategoricalDtype):
        values = pd.Index(pd.DataFrame({"v": np.asarray(key.cat.categories, dtype=object)})["v"])
        return _Values(key.cat.codes.to_numpy()[rows], values)
    return pd.DataFrame({"v": key.to_numpy()})["v"].take(rows)


def _code_groups(columns, weights=None):
    """Group rows on several columns at once through integer codes (one int64 key per row, counted with bincount).

    Returns (rows per group, sum of ``weights`` per group with missing weights as 0, [one column of group values per
    input column]); groups in sorted order (categoricals by category order), rows with a missing value dropped,
    as ``groupby(observed=True)`` would.
    """
    codes, decoders, sizes = [], [], []
    for col in columns:
        if isinstance(col, _Values):
            codes.append(col.codes)
            decoders.append(lambda c, values=col.values: values.take(c))
            sizes.append(max(len(col.values), 1))
        elif isinstance(getattr(col, "dtype", None), pd.CategoricalDtype):
            cat = col.array if isinstance(col, pd.Series) else col
            codes.append(np.asarray(cat.codes))
            decoders.append(lambda c, dtype=cat.dtype: pd.Categorical.from_codes(c, dtype=dtype))
            sizes.append(max(len(cat.categories), 1))
        else:
            c, uniques = pd.factorize(col, sort=True)
            codes.append(c)
            decoders.append(lambda c, uniques=uniques: pd.Index(uniques).take(c))
            sizes.append(max(len(uniques), 1))
    # One int64 key per row, built in place (a million rows' temporaries cost more than the arithmetic).
    combined = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for c, size in zip(codes, sizes):
        combined *= size
        combined += c
    if any(c.min(initial=0) < 0 for c in codes):  # a missing value: the row is in no group
        keep = np.logical_and.reduce([c >= 0 for c in codes])
        combined = combined[keep]
        weights = weights[keep] if weights is not None else None
    if weights is not None:
        weights = np.where(np.isnan(weights), 0.0, weights)
    keys, counts, sums = _count_keys(combined, int(np.prod(sizes)), weights)
    parts = np.unravel_index(keys, tuple(sizes))
    return counts, sums, [decode(p) for decode, p in zip(decoders, parts)]


def _count_keys(keys: np.ndarray, space: int, weights: np.ndarray | None):
    """(each distinct key in order, how often it occurs, the sum of its ``weights``) for keys in ``range(space)``.

    >>> _count_keys(np.array([3, 1, 3]), 5, np.array([1.0, 2.0, 4.0]))
    (array([1, 3]), array([1, 2]), array([2., 5.]))
    """
    if space <= 4 * len(keys) + 65536:  # a dense table of counts is cheaper than sorting or hashing the keys
        counts = np.bincount(keys, minlength=space)
        present = np.flatnonzero(counts)
        sums = np.bincount(keys, weights, minlength=space)[present] if weights is not None else np.zeros(len(present))
        return present, counts[present], sums
    present, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights, minlength=len(present)) if weights is not None else np.zeros(len(present))
    return present, np.bincount(inverse, minlength=len(present)), sums


def _fighting(long: pd.DataFrame) -> pd.DataFrame:
    return long[long["role"].isin(FIGHTING_ROLES)]


def actor_involvement(data: Record | pd.DataFrame, *, by: str = "phase_id") -> pd.DataFrame:
    """Actor × group × role: events and positions each actor fought in (as attacker or defender).

    ``by`` is ``phase_id`` (the record) or an administrative level
    (``state``, ``district``, ``township``; ACLED's ``admin1``–``admin3``).
    An event with several attackers counts fully for each of them. Parties
    that acted without fighting (``other_parties``) are not counted.
    ``positions`` is left empty for ACLED data, which does not count them.

    >>> ai = actor_involvement(load_record())
    >>> list(ai.columns)
    ['actor_id', 'side', 'phase_id', 'role', 'events', 'positions']
    """
    events = _events(data)
    if by == "phase_id":
        require_columns(
            events,
            ["phase_id"],
            helper="actor_involvement(by='phase_id')",
            hint="phases are this record's campaigns; pass by='admin1' (or 'state') for ACLED data, or use the record",
        )
        key = events["phase_id"]
    elif by in GEO_LEVELS or by in _ADMIN_LEVEL:
        key = _geo_column(data, events, by)
    else:
        raise ValueError(f"by must be 'phase_id' or one of {', '.join([*GEO_LEVELS, *_ADMIN_LEVEL])}; got {by!r}")
    long = _long_codes(events, data.actors if isinstance(data, Record) else None)
    fighting = np.asarray([r in FIGHTING_ROLES for r in ROLE])[long.roles]
    rows = long.rows[fighting]
    has_positions = has_values(events, "positions")
    # Grouped on integer codes, event columns taken by row position: no merge or group-by on a million strings.
    events_n, positions_sum, (actor, side, group, role) = _code_groups(
        [
            long.actors[fighting],
            pd.Categorical.from_codes(long.sides[fighting], categories=list(SIDE), ordered=True),
            _values_at(key, rows),
            pd.Categorical.from_codes(long.roles[fighting], categories=list(ROLE), ordered=True),
        ],
        weights=events["positions"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)[rows]
        if has_positions
        else None,
    )
    out = pd.DataFrame(
        {"actor_id": actor, "side": side, by: group, "role": role, "events": events_n, "positions": positions_sum}
    )
    out["events"] = out["events"].astype("int64")
    out["positions"] = (
        out["positions"].astype("int64") if has_positions else pd.array([pd.NA] * len(out), dtype="Int64")
    )
    return out.sort_values(["actor_id", by, "role"]).reset_index(drop=True)


def actor_appearances(data: Record | pd.DataFrame) -> pd.DataFrame:
    """First and last event date, and event count, for every actor that fought in the events.

    >>> aa = actor_appearances(load_record())
    >>> bool((aa["first"] <= aa["last"]).all())
    True
    """
    events = _events(data)
    long = _fighting(event_actors(data))
    dates = pd.DataFrame(
        {"event_id": events["event_id"].astype("string").to_numpy(), "date": events["date"].to_numpy()}
    )
    long = long.merge(dates, on="event_id", how="left", validate="many_to_one")
    out = (
        long.groupby(["actor_id", "side"], observed=True)
        .agg(first=("date", "min"), last=("date", "max"), events=("event_id", "nunique"))
        .reset_index()
    )
    out["events"] = out["events"].astype("int64")
    return out


def _co_occurrence(lists: pd.Series, ids: pd.Series) -> tuple[pd.Index, np.ndarray]:
    """(the listed actors, actor × actor count of the events that list both). Events are told apart by id, as a
    reader counts them; an actor listed twice in one event is one mark.

    The count is (incidence)ᵀ · (incidence) over events. An event of one row holds that row's list, so such events
    are counted once per distinct list, weighted by how many events hold it (a few thousand lists for a million
    ACLED rows); only events spread over several rows (an id used twice) are built row by row.
    """
    import pyarrow.compute as pc
    from scipy.sparse import csr_matrix

    which, per_list, categories = _distinct_lists(lists)
    names = pd.Index(categories.astype(str))
    owner = pc.list_parent_indices(per_list).to_numpy(zero_copy_only=False)
    items = pc.list_flatten(per_list).to_numpy(zero_copy_only=False)
    marks = csr_matrix((np.ones(len(owner), dtype=np.int64), (owner, items)), shape=(len(per_list), len(names)))
    marks.sum_duplicates()
    marks.data[:] = 1
    n_lists = len(per_list)
    listed = pc.fill_null(which, n_lists).to_numpy(zero_copy_only=False)  # a missing cell: one past the lists
    spread, first = shared_ids(ids)  # the rows of events spread over several rows, and each one's first row
    spread, first = spread[listed[spread] < n_lists], first[listed[spread] < n_lists]
    events_per_list = np.bincount(listed, minlength=n_lists + 1)[:n_lists] - np.bincount(
        listed[spread], minlength=n_lists
    )
    counts = marks.T @ csr_matrix(marks.multiply(events_per_list[:, None]))
    if len(spread):
        event, which_event = np.unique(first, return_inverse=True)
        lists_of = csr_matrix(
            (np.ones(len(spread), dtype=np.int64), (which_event, listed[spread])), shape=(len(event), n_lists)
        )
        incidence = lists_of @ marks
        incidence.data[:] = 1
        counts = counts + incidence.T @ incidence
    return names, np.asarray(counts.todense(), dtype=np.int64).reshape(len(names), len(names))


def co_participation(data: Record | pd.DataFrame, *, role: str = "attacker") -> pd.DataFrame:
    """Square actor × actor matrix: events in which both fought on the same side (same role).

    The diagonal holds each actor's own event count in that role. ``role`` is
    ``attacker`` or ``defender``; parties that did not fight are never paired.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["a", "b"], "attackers": ["KIA;KPDF", "KIA"], "defenders": ["MAF", "MAF"]})
    >>> co_participation(ev).loc["KIA", "KPDF"]
    np.int64(1)
    """
    if role not in FIGHTING_ROLES:
        raise ValueError(f"role must be one of {', '.join(FIGHTING_ROLES)}; got {role!r}")
    events = _events(data)
    column = f"{role}s"
    ids = events["event_id"].astype("string") if len(events) else None
    if column in events.columns and ids is not None:
        names, counts = _co_occurrence(events[column], ids)
    else:
        names, counts = pd.Index(pd.Categorical([]).categories.astype(str)), np.zeros((0, 0), dtype=np.int64)
    actor = np.flatnonzero(np.diag(counts))
    used_names = set(names[actor])
    if isinstance(data, Record) and len(data.actors):  # the record's own actor order, then any others by name
        declared = list(dict.fromkeys(data.actors["actor_id"].astype(str)))
        order = [a for a in declared if a in used_names] + sorted(used_names - set(declared))
    else:
        order = sorted(used_names)
    matrix = pd.DataFrame(counts, index=names, columns=names).reindex(index=order, columns=order).astype("int64")
    matrix.index.name = "actor_id"
    matrix.columns.name = "with_actor_id"
    return matrix


def effective_actors(data: Record | pd.DataFrame, *, role: str = "attacker", by: str = "phase_id") -> pd.DataFrame:
    """Effective number of actors per phase (or per ``by`` group): the inverse Simpson index of actors'
    shares of participations. 1 means one actor did everything; n equal actors give n.

    ``by`` is ``phase_id`` (the record) or an administrative level (``state``,
    ``admin1`` …) for ACLED data.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["a", "b"], "phase_id": ["p", "p"], "attackers": ["KIA", "KPDF"], "defenders": ["MAF", "MAF"]})
    >>> float(effective_actors(ev)["effective_actors"].iloc[0])
    2.0
    """
    if role not in FIGHTING_ROLES:
        raise ValueError(f"role must be one of {', '.join(FIGHTING_ROLES)}; got {role!r}")
    events = _events(data)
    if by in GEO_LEVELS or by in _ADMIN_LEVEL:
        key = _geo_column(data, events, by)
    else:
        require_columns(
            events,
            [by],
            helper=f"effective_actors(by={by!r})",
            hint="pass by='admin1' (or 'state') for ACLED data, or use the record",
        )
        key = events[by]
    column = f"{role}s"
    if column in events.columns and len(events):
        rows, items = actor_rows(events, column)
    else:
        rows, items = np.zeros(0, dtype=np.int64), pd.Categorical([])
    n, _, (group, actor) = _code_groups([_values_at(key, rows), items])
    counts = pd.DataFrame({by: group, "actor_id": actor, "n": n})
    counts = counts[counts["n"] > 0]
    share = counts["n"] / counts.groupby(by, observed=True)["n"].transform("sum")
    out = (
        counts.assign(sq=share**2)
        .groupby(by, observed=True)
        .agg(actors=("actor_id", "nunique"), participations=("n", "sum"), simpson=("sq", "sum"))
        .reset_index()
    )
    out["effective_actors"] = 1.0 / out["simpson"]
    return out.drop(columns="simpson")


# =========================================================================== figure data
# Helpers that shape the record for the publication figures (kachin_analysis.figures). Added for the
# figures issue; they only read the record and reuse the helpers above. Pure DataFrame in, DataFrame out.

__all__ += [
    "capture_points",
    "capture_series",
    "claims_for_figure",
    "control_lanes",
    "half_year",
    "hq_captures",
    "key_captures",
    "phase_activity",
    "phase_spans",
]

#: Places whose coordinates stand for a township or district seat, or an area: never drawn as the seat town.
IMPRECISE_GEO = ("township", "district")


def capture_series(
    data: Record | pd.DataFrame,
    *,
    measure: str = "positions",
    freq: str = "W",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per-period and cumulative counts in one frame: ``period``, the measure, ``cumulative``, ``inexact``.

    Weeks run Monday to Sunday; an event known only to the week or month counts in the period holding
    its ``date`` (see :func:`count_captures`). With a record, ``start`` and ``end`` default to its first
    and last event, so the series ends on the record's last day.

    >>> s = capture_series(load_record(), freq="M")
    >>> int(s["cumulative"].iloc[-1]) == int(s["positions"].sum())
    True
    """
    events = _events(data)
    start = start if start is not None else (events["date"].min() if len(events) else None)
    end = end if end is not None else (events["date"].max() if len(events) else None)
    per = count_captures(data, measure=measure, freq=freq, start=start, end=end)
    return per.assign(cumulative=per[measure].cumsum().astype("int64"))[
        ["period", measure, "cumulative", "inexact", "imprecise"]
    ]


def hq_captures(data: Record | pd.DataFrame, *, freq: str = "W") -> pd.DataFrame:
    """Capture events of battalion and command headquarters, with the period each falls in.

    Columns: ``event_id``, ``date``, ``period``, ``target_type``, ``unit``, ``place_id``, ``phase_id``.

    >>> hq = hq_captures(load_record())
    >>> set(hq["target_type"]) <= {"battalion_hq", "command_hq"}
    True
    """
    require_columns(_events(data), ["target_type"], helper="hq_captures", hint="use the record")
    events = _events(data)
    sel = events[_isin(events["event_type"], ("capture",)) & _isin(events["target_type"], HQ_TARGET_TYPES)]
    out = pd.DataFrame(
        {
            "event_id": sel["event_id"].astype(str).to_numpy(),
            "date": sel["date"].to_numpy(),
            "period": period_starts(sel["date"], freq),
            "target_type": sel["target_type"].astype(str).to_numpy(),
            "unit": sel["unit"].astype("string").to_numpy() if "unit" in sel else pd.NA,
            "place_id": sel["place_id"].astype("string").to_numpy(),
            "phase_id": sel["phase_id"].astype("string").to_numpy(),
        }
    )
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def phase_spans(record: Record) -> pd.DataFrame:
    """When each phase was active: its sourced start, its sourced end if any, and its recorded events.

    ``drawn_end`` is the sourced end, or else the day of the phase's last recorded event (never today);
    ``has_end`` says which. ``first_event`` and ``last_event`` bound the phase's events.

    >>> sp = phase_spans(load_record()).set_index("phase_id")
    >>> str(sp.loc["ksr1-chipwi-pangwa", "drawn_end"].date()), bool(sp.loc["ksr1-chipwi-pangwa", "has_end"])
    ('2024-11-20', True)
    >>> bool((sp["drawn_end"] <= load_record().events["date"].max()).all())
    True
    """
    record = require_record(record, helper="phase_spans", needs="phases")
    events = record.events
    phase = events["phase_id"].astype("string")
    bounds = events.assign(phase_id=phase).groupby("phase_id", observed=True)["date"].agg(["min", "max", "size"])
    rows = []
    for ph in record.phases.itertuples(index=False):
        pid = str(ph.phase_id)
        first, last, n = (
            (bounds.loc[pid, "min"], bounds.loc[pid, "max"], int(bounds.loc[pid, "size"]))
            if pid in bounds.index
            else (pd.NaT, pd.NaT, 0)
        )
        has_end = bool(pd.notna(ph.end))
        rows.append(
            {
                "phase_id": pid,
                "name": str(ph.name),
                "theatre": str(ph.theatre),
                "start": ph.start,
                "end": ph.end,
                "has_end": has_end,
                "first_event": first,
                "last_event": last,
                "events": n,
                "drawn_end": ph.end if has_end else (last if pd.notna(last) else ph.start),
            }
        )
    out = pd.DataFrame(rows)
    out["phase_id"] = pd.Categorical(
        out["phase_id"], categories=[str(p) for p in record.phases["phase_id"]], ordered=True
    )
    return out


def phase_activity(record: Record, *, freq: str = "W") -> pd.DataFrame:
    """Events per phase and period (weeks by default), zero periods left out: ``phase_id``, ``period``,
    ``events``, ``captures``.

    >>> pa = phase_activity(load_record())
    >>> int(pa["events"].sum()) == int(load_record().events["phase_id"].notna().sum())
    True
    """
    record = require_record(record, helper="phase_activity", needs="phases")
    events = record.events
    ev = events[events["phase_id"].notna()]
    frame = pd.DataFrame(
        {
            "phase_id": ev["phase_id"].astype(str).to_numpy(),
            "period": period_starts(ev["date"], freq),
            "events": 1,
            "captures": (ev["event_type"].astype(str) == "capture").astype("int64").to_numpy(),
        }
    )
    out = frame.groupby(["phase_id", "period"], sort=True).sum().reset_index()
    out["phase_id"] = pd.Categorical(
        out["phase_id"], categories=[str(p) for p in record.phases["phase_id"]], ordered=True
    )
    return out.sort_values(["phase_id", "period"]).reset_index(drop=True)


def key_captures(record: Record, *, target_types: tuple[str, ...] = ("town", "command_hq")) -> pd.DataFrame:
    """The first capture of each town or command headquarters, per phase: what the phase timeline names.

    Columns: ``event_id``, ``date``, ``phase_id``, ``place_id``, ``label`` (the place's name),
    ``target_type``.

    >>> kc = key_captures(load_record())
    >>> "Lweje" in set(kc["label"])
    True
    """
    record = require_record(record, helper="key_captures", needs="target types and places")
    ev = record.events
    sel = ev[
        (ev["event_type"] == "capture") & _isin(ev["target_type"], target_types) & ev["phase_id"].notna().to_numpy()
    ]
    names = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    out = pd.DataFrame(
        {
            "event_id": sel["event_id"].astype(str).to_numpy(),
            "date": sel["date"].to_numpy(),
            "phase_id": sel["phase_id"].astype(str).to_numpy(),
            "place_id": sel["place_id"].astype(str).to_numpy(),
            "target_type": sel["target_type"].astype(str).to_numpy(),
        }
    )
    out["label"] = out["place_id"].map(names)
    out = out.sort_values(["date", "event_id"], kind="stable").drop_duplicates(["phase_id", "label"])
    return out.reset_index(drop=True)


def control_lanes(record: Record) -> tuple[pd.DataFrame, list[str]]:
    """Lanes for the control figure: towns (labelled by name), then battalion and command headquarters
    (labelled by unit), each ordered by when the record first sees it change hands.

    Returns the control intervals with ``label`` and ``group`` (0 towns, 1 headquarters), and the lane order.

    >>> lanes, order = control_lanes(load_record())
    >>> set(lanes["label"]) == set(order)
    True
    """
    record = require_record(record, helper="control_lanes", needs="events on a town or headquarters itself")
    names = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    towns = control_timeline(record, target_types=("town",))
    towns = towns.assign(label=towns["place_id"].map(names), group=0)
    hqs = control_timeline(record, target_types=("battalion_hq", "command_hq"), by="unit")
    named = hqs["unit"].astype(str)
    hqs = hqs.assign(
        label=named.where(named.str.contains(r"\bcommand\b|HQ|headquarters", case=False), named + " HQ"), group=1
    )
    lanes = pd.concat([towns, hqs], ignore_index=True)
    order = list(lanes.sort_values(["group", "start"], kind="stable").drop_duplicates("label")["label"])
    return lanes, order


def half_year(dates: pd.Series) -> pd.Series:
    """Half-year bucket of each date as an ordered label, ``2024 Jan–Jun`` or ``2024 Jul–Dec``.

    >>> half_year(pd.Series(pd.to_datetime(["2024-06-30", "2024-07-01"]))).tolist()
    ['2024 Jan–Jun', '2024 Jul–Dec']
    """
    d = pd.to_datetime(dates)
    labels = d.dt.year.astype(str) + np.where(d.dt.month <= 6, " Jan–Jun", " Jul–Dec")
    order = sorted(set(labels), key=lambda s: (s[:4], s[5:] != "Jan–Jun"))
    return pd.Series(pd.Categorical(labels, categories=order, ordered=True), index=dates.index, name="half_year")


def capture_points(record: Record, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Captures gathered per place (and phase) for the maps: one row per place with its count.

    ``located`` is true when the coordinates locate the place or its village (``settlement`` or
    ``exact``); otherwise the place is known only to a township or district (or is an area), and
    ``area_label`` says which (``Waingmaw Township``, ``Bhamo District``) so a map never draws it on the
    seat town. Places with no coordinates are kept with ``located`` false. ``event_ids`` lists the
    events behind each row.

    >>> cp = capture_points(load_record())
    >>> int(cp["captures"].sum()) == int((load_record().events["event_type"] == "capture").sum())
    True
    """
    record = require_record(record, helper="capture_points", needs="places and their coordinates")
    ev = record.events if events is None else events
    ev = ev[ev["event_type"] == "capture"]
    places = record.places
    frame = pd.DataFrame(
        {
            "event_id": ev["event_id"].astype(str).to_numpy(),
            "place_id": ev["place_id"].astype(str).to_numpy(),
            "phase_id": ev["phase_id"].astype(str).to_numpy(),
            "positions": ev["positions"].astype("Float64").fillna(0).to_numpy(dtype="float64"),
        }
    )
    grouped = (
        frame.groupby(["place_id", "phase_id"], sort=True)
        .agg(
            captures=("event_id", "size"),
            positions=("positions", "sum"),
            event_ids=("event_id", lambda s: ";".join(s)),
        )
        .reset_index()
    )
    info = places[
        [
            "place_id",
            "name",
            "kind",
            "admin_status",
            "township",
            "district",
            "state",
            "longitude",
            "latitude",
            "geo_precision",
        ]
    ].assign(place_id=places["place_id"].astype(str))
    out = grouped.merge(info, on="place_id", how="left", validate="many_to_one")
    precision = out["geo_precision"].astype("string")
    out["located"] = (
        precision.isin(["exact", "settlement"]).fillna(False)
        & (out["kind"].astype(str) != "area")
        & out["longitude"].notna()
    ).astype(bool)
    township = out["township"].astype("string")
    district = out["district"].astype("string")
    area = np.where(township.notna(), township.fillna("") + " Township", district.fillna("") + " District")
    out["area_label"] = np.where(out["located"], "", area)
    out["positions"] = out["positions"].round().astype("int64")
    out["phase_id"] = pd.Categorical(
        out["phase_id"], categories=[str(p) for p in record.phases["phase_id"]], ordered=True
    )
    return out.sort_values(["located", "captures"], ascending=[False, False], kind="stable").reset_index(drop=True)


#: How the claims figure names each kind of claimant.
CLAIMANT_TYPES = ("KIA", "junta", "independent tally")


def claims_for_figure(record: Record) -> pd.DataFrame:
    """Each claim beside the record's tally for the same metric, scope and window, with the claimant
    named as the figure names it (``KIA``, ``junta`` or ``independent tally``) and the scope by name.

    All of the comparison comes from :func:`claims_vs_record` (one call, so its newer versions slot in);
    this adds only reader-facing labels: ``claimant_type``, ``scope_label`` and ``metric_label``
    (from :data:`~kachin_analysis.schema.CLAIM_METRIC_RULES`). Whether a claim can be set against the
    record is ``claims_vs_record``'s ``comparable``, with its reason in ``why_not``.

    >>> cf = claims_for_figure(load_record())
    >>> set(cf["claimant_type"]) <= set(CLAIMANT_TYPES)
    True
    """
    cv = claims_vs_record(record)
    side = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
    phase_name = dict(zip(record.phases["phase_id"].astype(str), record.phases["name"].astype(str)))

    def claimant_type(c) -> str:
        if pd.isna(c) or str(c) == "":
            return "independent tally"
        if str(c) == "KIA" or side.get(str(c)) == "resistance":
            return "KIA"
        return "junta"

    metric_label = {metric: rule.label for metric, rule in CLAIM_METRIC_RULES.items()}
    out = cv.assign(
        claimant_type=[claimant_type(c) for c in cv["claimant"]],
        scope_label=[
            ("all phases" if s == "all" else phase_name.get(str(s), str(s)))
            + (f", {a} only" if isinstance(a, str) and a and a not in phase_name.get(str(s), "") else "")
            for s, a in zip(cv["scope"], cv["scope_area"])
        ],
        metric_label=cv["metric"].map(metric_label),
    )
    return out
