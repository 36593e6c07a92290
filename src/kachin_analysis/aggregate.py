"""Pure DataFrame-in, DataFrame-out helpers: captures over time, phases, actors, control, claims.

Every helper takes a :class:`~kachin_analysis.load.Record` or an events frame
shaped like ``events.csv`` (as :func:`~kachin_analysis.interop.from_acled`
returns for ACLED exports). None of them reads files or draws anything.

Example
-------
>>> import kachin_analysis as ka
>>> record = ka.load_record()
>>> monthly = ka.count_captures(record, freq="M", measure="positions", cumulative=True)
>>> bool(monthly["positions"].is_monotonic_increasing)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .load import Record, actor_rows, event_actors, load_record
from .schema import HQ_TARGET_TYPES, LIST_SEP, SIDE

__all__ = [
    "FREQS",
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

#: Period codes accepted by the helpers: day, week (Monday to Sunday), month.
FREQS = {"D": "D", "W": "W-SUN", "M": "M"}
#: How coarse each date precision is, in the order of :data:`FREQS`.
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2}
_FREQ_RANK = {"D": 0, "W": 1, "M": 2}
#: What :func:`count_captures` can count.
MEASURES = ("positions", "events", "headquarters", "towns")
_GROUPS = ("phase_id", "theatre", "actor", "side", "target_type", "place_id")


def _events(data: Record | pd.DataFrame) -> pd.DataFrame:
    return data.events if isinstance(data, Record) else data


def _with_theatre(data: Record | pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    if "theatre" in events.columns:
        return events
    if not isinstance(data, Record):
        raise ValueError("grouping by theatre needs the whole record (or an events frame with a 'theatre' column)")
    theatre = dict(zip(data.phases["phase_id"].astype(str), data.phases["theatre"].astype(str)))
    order = list(dict.fromkeys(data.phases["theatre"].astype(str)))
    return events.assign(theatre=pd.Categorical(events["phase_id"].astype(str).map(theatre), categories=order, ordered=True))


def _period_start(dates: pd.Series, freq: str) -> np.ndarray:
    """First day of each date's day, week (Monday) or month, computed on the raw datetime64 values."""
    days = pd.to_datetime(dates).to_numpy().astype("datetime64[D]")
    if freq == "W":
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        days = days - weekday.astype("timedelta64[D]")
    elif freq == "M":
        days = days.astype("datetime64[M]").astype("datetime64[D]")
    return days.astype("datetime64[ns]")


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
    if measure == "positions":
        return events["positions"].astype("Float64").fillna(0).to_numpy(dtype="float64")
    if measure == "events":
        return np.ones(len(events), dtype="float64")
    if measure == "headquarters":
        return _isin(events["target_type"], HQ_TARGET_TYPES).astype("float64")
    if measure == "towns":
        return _isin(events["target_type"], ("town",)).astype("float64")
    raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")


def count_captures(
    data: Record | pd.DataFrame,
    *,
    measure: str = "positions",
    freq: str = "W",
    by: str | None = None,
    cumulative: bool = False,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    event_types: tuple[str, ...] = ("capture",),
) -> pd.DataFrame:
    """Count what was captured per day, week or month, with empty periods as zeros.

    ``measure`` is ``positions`` (sum of the ``positions`` column), ``events``,
    ``headquarters`` (battalion and command HQs) or ``towns``. ``by`` splits the
    count by ``phase_id``, ``theatre``, ``actor`` (each attacking actor gets the
    whole event, so actor rows sum to more than the total), ``side``,
    ``target_type`` or ``place_id``.

    Date precision rule: an event known only to the week or month is counted in
    the period that contains its ``date`` (the first day of its span). When that
    span is coarser than ``freq`` the row's ``imprecise`` column counts it, so a
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
    >>> count_captures(ev, freq="M")[["period", "positions", "inexact"]].to_dict("records")
    [{'period': Timestamp('2024-03-01 00:00:00'), 'positions': 3, 'inexact': 1}]
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}; got {freq!r}")
    if by is not None and by not in _GROUPS:
        raise ValueError(f"by must be one of {', '.join(_GROUPS)} or None; got {by!r}")
    events = _events(data)
    # Work on the few columns needed: filtering a wide frame of a million rows would copy all of them.
    needed = ["date", "date_precision", "event_type"]
    needed += {"positions": ["positions", "positions_precision"], "headquarters": ["target_type"], "towns": ["target_type"]}.get(measure, [])
    needed += ["attackers"] if by in ("actor", "side") else ([by] if by not in (None, "theatre") else ["phase_id"] if by == "theatre" else [])
    needed += ["attacker_side"] if by == "side" and "attacker_side" in events.columns else []
    slim = events[list(dict.fromkeys(c for c in needed if c in events.columns))]
    events = slim[_isin(slim["event_type"], event_types)]
    if by == "theatre":
        events = _with_theatre(data, events)

    value = _measure_values(events, measure)
    if measure == "positions":
        inexact = (~_isin(events["positions_precision"], ("exact",))).astype("int64")
    else:
        inexact = np.zeros(len(events), dtype="int64")
    prec = _map_values(events["date_precision"], _PRECISION_RANK, 0)
    imprecise = (prec > _FREQ_RANK[freq]).astype("int64")

    frame = pd.DataFrame(
        {
            "period": _period_start(events["date"], freq),
            measure: value,
            "inexact": inexact,
            "imprecise": imprecise,
        }
    )
    group_col = None
    categories = None
    if by in ("actor", "side"):
        group_col = "actor_id" if by == "actor" else "side"
        rows, actors = actor_rows(events, "attackers")
        if by == "actor":
            labels = actors
            if isinstance(data, Record):  # the record's actor order, restricted to those present
                present = set(actors.categories)
                labels = actors.reorder_categories(
                    [a for a in data.actors["actor_id"].astype(str) if a in present]
                    + sorted(present - set(data.actors["actor_id"].astype(str)))
                )
        else:
            if isinstance(data, Record):
                side_of = dict(zip(data.actors["actor_id"].astype(str), data.actors["side"].astype(str)))
                sides = pd.Series(actors).map(side_of).to_numpy()
            elif "attacker_side" in events.columns:
                sides = events["attacker_side"].astype(object).to_numpy()[rows]
            else:
                raise ValueError("by='side' needs the whole record, or an events frame with an 'attacker_side' column")
            pair = pd.DataFrame({"row": rows, "side": sides}).drop_duplicates()
            rows = pair["row"].to_numpy()
            labels = pd.Categorical(pair["side"], categories=[s for s in SIDE if s in set(pair["side"])], ordered=True)
        frame = frame.iloc[rows].reset_index(drop=True)
        frame[group_col] = labels
        categories = frame[group_col].cat.categories
    elif by is not None:
        group_col = by
        col = events[by]
        frame[group_col] = col.to_numpy()
        if isinstance(col.dtype, pd.CategoricalDtype):
            categories = col.cat.categories

    lo = pd.Timestamp(start) if start is not None else (frame["period"].min() if len(frame) else None)
    hi = pd.Timestamp(end) if end is not None else (frame["period"].max() if len(frame) else None)
    if lo is None or hi is None:
        periods = pd.DatetimeIndex([], name="period")
    else:
        periods = pd.period_range(lo, hi, freq=FREQS[freq]).start_time.rename("period")
        frame = frame[(frame["period"] >= periods.min()) & (frame["period"] <= periods.max())]

    keys = ["period"] if group_col is None else ["period", group_col]
    counts = frame.groupby(keys, observed=True, sort=False)[[measure, "inexact", "imprecise"]].sum()
    if group_col is None:
        full = pd.Index(periods, name="period")
    else:
        groups = list(categories) if categories is not None else sorted(frame[group_col].dropna().unique().tolist())
        full = pd.MultiIndex.from_product([periods, groups], names=keys)
    out = counts.reindex(full, fill_value=0).reset_index()
    if group_col is not None:
        out = out.sort_values([group_col, "period"], kind="stable") if cumulative else out
        if categories is not None:
            out[group_col] = pd.Categorical(out[group_col], categories=list(categories), ordered=True)
    if cumulative:
        cols = [measure, "inexact", "imprecise"]
        if group_col is None:
            out[cols] = out[cols].cumsum()
        else:
            out[cols] = out.groupby(group_col, observed=True)[cols].cumsum()
            out = out.sort_values(["period", group_col], kind="stable")
    out[measure] = out[measure].round().astype("int64")
    out[["inexact", "imprecise"]] = out[["inexact", "imprecise"]].astype("int64")
    return out.reset_index(drop=True)


def _attacker_sets(events: pd.DataFrame, role_col: str = "attackers") -> pd.Series:
    return events[role_col].astype("string").fillna("").str.split(LIST_SEP).map(lambda xs: [x for x in xs if x])


def phase_summary(record: Record, *, as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per phase: dates, duration, what was captured, recaptures suffered, actors involved.

    ``duration_days`` runs from start to end, or to ``as_of`` (default: the
    record's last event) for a phase still ``ongoing``.

    >>> ps = phase_summary(load_record())
    >>> {"phase_id", "positions", "recaptures", "first_capture"} <= set(ps.columns)
    True
    """
    events, phases = record.events, record.phases
    as_of = pd.Timestamp(as_of) if as_of is not None else (events["date"].max() if len(events) else pd.Timestamp.today().normalize())
    captures = events[events["event_type"] == "capture"]
    rows = []
    long = event_actors(record)
    phase_of = dict(zip(events["event_id"].astype(str), events["phase_id"].astype(str)))
    long = long.assign(phase_id=long["event_id"].astype(str).map(phase_of))
    for ph in phases.itertuples(index=False):
        c = captures[captures["phase_id"].astype(str) == ph.phase_id]
        e = events[events["phase_id"].astype(str) == ph.phase_id]
        end = ph.end if pd.notna(ph.end) else as_of
        rows.append(
            {
                "phase_id": ph.phase_id,
                "name": ph.name,
                "theatre": ph.theatre,
                "start": ph.start,
                "end": ph.end,
                "ongoing": bool(pd.isna(ph.end)),
                "duration_days": int((end - ph.start).days) + 1,
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
            }
        )
    out = pd.DataFrame(rows)
    if len(out):
        out["phase_id"] = pd.Categorical(out["phase_id"], categories=list(phases["phase_id"]), ordered=True)
    return out


def actor_involvement(record: Record) -> pd.DataFrame:
    """Actor × phase × role: events and positions each actor took part in.

    An event with several attackers counts fully for each of them.

    >>> ai = actor_involvement(load_record())
    >>> list(ai.columns)
    ['actor_id', 'side', 'phase_id', 'role', 'events', 'positions']
    """
    events = record.events
    long = event_actors(record)
    info = events[["event_id", "phase_id", "positions"]].assign(event_id=events["event_id"].astype("string"))
    long = long.merge(info, on="event_id", how="left", validate="many_to_one")
    long["positions"] = long["positions"].fillna(0)
    out = (
        long.groupby(["actor_id", "side", "phase_id", "role"], observed=True)
        .agg(events=("event_id", "size"), positions=("positions", "sum"))
        .reset_index()
    )
    out["events"] = out["events"].astype("int64")
    out["positions"] = out["positions"].astype("int64")
    return out.sort_values(["actor_id", "phase_id", "role"]).reset_index(drop=True)


def actor_appearances(record: Record) -> pd.DataFrame:
    """First and last event date, and event count, for every actor named in the events.

    >>> aa = actor_appearances(load_record())
    >>> bool((aa["first"] <= aa["last"]).all())
    True
    """
    long = event_actors(record)
    dates = record.events[["event_id", "date"]].assign(event_id=record.events["event_id"].astype("string"))
    long = long.merge(dates, on="event_id", how="left", validate="many_to_one")
    out = (
        long.groupby(["actor_id", "side"], observed=True)
        .agg(first=("date", "min"), last=("date", "max"), events=("event_id", "nunique"))
        .reset_index()
    )
    out["events"] = out["events"].astype("int64")
    return out


def co_participation(data: Record | pd.DataFrame, *, role: str = "attacker") -> pd.DataFrame:
    """Square actor × actor matrix: events in which both fought on the same side (same role).

    The diagonal holds each actor's own event count in that role.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["a", "b"], "attackers": ["KIA;KPDF", "KIA"], "defenders": ["MAF", "MAF"]})
    >>> co_participation(ev).loc["KIA", "KPDF"]
    np.int64(1)
    """
    long = event_actors(data)
    long = long[long["role"] == role]
    if isinstance(long["actor_id"].dtype, pd.CategoricalDtype):
        used = [a for a in long["actor_id"].cat.categories if a in set(long["actor_id"].astype(str))]
    else:
        used = sorted(set(long["actor_id"].astype(str)))
    incidence = pd.crosstab(long["event_id"].astype(str), long["actor_id"].astype(str)).reindex(columns=used, fill_value=0)
    incidence = (incidence > 0).astype("int64")
    matrix = incidence.T @ incidence
    matrix.index.name = "actor_id"
    matrix.columns.name = "with_actor_id"
    return matrix.astype("int64")


def effective_actors(data: Record | pd.DataFrame, *, role: str = "attacker", by: str = "phase_id") -> pd.DataFrame:
    """Effective number of actors per phase: the inverse Simpson index of actors' shares of participations.

    1 means one actor did everything; n equal actors give n.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["a", "b"], "phase_id": ["p", "p"], "attackers": ["KIA", "KPDF"], "defenders": ["MAF", "MAF"]})
    >>> float(effective_actors(ev)["effective_actors"].iloc[0])
    2.0
    """
    events = _events(data)
    long = event_actors(data)
    long = long[long["role"] == role]
    key = events[["event_id", by]].assign(event_id=events["event_id"].astype("string"))
    long = long.merge(key, on="event_id", how="left", validate="many_to_one")
    counts = long.groupby([by, "actor_id"], observed=True).size().rename("n").reset_index()
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


# --------------------------------------------------------------------------- control

_CONTROL_EVENTS = ("capture", "recapture", "withdrawal")


def control_timeline(record: Record, *, target_types: tuple[str, ...] | None = None, by: str = "place_id") -> pd.DataFrame:
    """Who held each place from when to when, derived from capture, recapture and withdrawal events.

    ``target_types`` keeps only events on those targets (``("town",)`` gives
    who held each town, rather than who took positions near it); ``by`` is
    ``place_id`` (one timeline per place) or ``unit`` (one per junta unit's
    base, for headquarters).

    Rules: the holder after an event is the side (and first actor) of its
    attackers; for a withdrawal with no attackers the holder becomes
    ``unknown``. Before a place's first such event its holder is not stated by
    the record and no interval is produced. When events on the same day give
    different sides, the place is ``contested`` from that day to the next
    event. The last interval of a place is open (``end`` is NaT).

    Returns the ``by`` column, holder_side, holder_actor, start, end,
    start_event_id, end_event_id, ordered by ``by`` and start.

    >>> ct = control_timeline(load_record())
    >>> list(ct.columns)[:4]
    ['place_id', 'holder_side', 'holder_actor', 'start']
    """
    events = record.events
    side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
    if by not in ("place_id", "unit"):
        raise ValueError(f"by must be 'place_id' or 'unit'; got {by!r}")
    keep = events["event_type"].astype("string").isin(_CONTROL_EVENTS).fillna(False)
    if target_types is not None:
        keep &= events["target_type"].astype("string").isin(target_types).fillna(False)
    keep &= events[by].notna()
    ev = events[keep.to_numpy()]
    ev = ev.sort_values([by, "date", "event_id"], kind="stable")
    rows = []
    for place, g in ev.groupby(ev[by].astype(str), sort=True):
        changes = []  # (date, side, actor, event_id)
        for date, day in g.groupby("date", sort=True):
            holders = []
            for e in day.itertuples(index=False):
                attackers = [a for a in str(e.attackers if pd.notna(e.attackers) else "").split(LIST_SEP) if a]
                actor = attackers[0] if attackers else None
                side = side_of.get(actor, "unknown") if actor else "unknown"
                if side == "pro_junta":
                    side = "junta"
                holders.append((side, actor, str(e.event_id)))
            sides = {h[0] for h in holders}
            if len(sides) == 1:
                changes.append((date, *holders[-1]))
            else:
                changes.append((date, "contested", None, holders[-1][2]))
        for i, (date, side, actor, eid) in enumerate(changes):
            nxt = changes[i + 1] if i + 1 < len(changes) else None
            rows.append(
                {
                    by: place,
                    "holder_side": side,
                    "holder_actor": actor,
                    "start": date,
                    "end": nxt[0] if nxt else pd.NaT,
                    "start_event_id": eid,
                    "end_event_id": nxt[3] if nxt else None,
                }
            )
    out = pd.DataFrame(rows, columns=[by, "holder_side", "holder_actor", "start", "end", "start_event_id", "end_event_id"])
    # Merge consecutive intervals with the same holder (a second capture by the same side changes nothing).
    if len(out):
        same = (out[by] == out[by].shift()) & (out["holder_side"] == out["holder_side"].shift())
        block = (~same).cumsum()
        final = lambda s: s.iloc[-1]  # noqa: E731 - unlike "last", keeps an open end (NaT)
        out = out.groupby(block, sort=False).agg(
            **{by: (by, "first")},
            holder_side=("holder_side", "first"),
            holder_actor=("holder_actor", "first"),
            start=("start", "first"),
            end=("end", final),
            start_event_id=("start_event_id", "first"),
            end_event_id=("end_event_id", final),
        )
    out["holder_side"] = pd.Categorical(out["holder_side"], categories=list(SIDE[:2]) + ["contested", "unknown"], ordered=True)
    out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
    out["end"] = pd.to_datetime(out["end"]).astype("datetime64[ns]")
    return out.reset_index(drop=True)


def holder_on(record: Record, place_id: str, date: str | pd.Timestamp, *, timeline: pd.DataFrame | None = None) -> dict:
    """Who held ``place_id`` on ``date``: ``{"side", "actor", "since", "event_id"}``.

    ``side`` is ``unknown`` when the record says nothing about the place up to that day.

    >>> holder_on(load_record(), "nowhere", "2024-05-01")["side"]
    'unknown'
    """
    ct = control_timeline(record) if timeline is None else timeline
    day = pd.Timestamp(date)
    rows = ct[(ct["place_id"] == place_id) & (ct["start"] <= day) & (ct["end"].isna() | (ct["end"] > day))]
    if rows.empty:
        return {"side": "unknown", "actor": None, "since": None, "event_id": None}
    r = rows.iloc[-1]
    return {"side": str(r["holder_side"]), "actor": r["holder_actor"], "since": r["start"], "event_id": r["start_event_id"]}


def towns_held(record: Record, *, freq: str = "M", end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Places of each administrative rank held by each side at the end of every period.

    Only places with an ``admin_status`` other than ``none`` count; places the
    record has not yet seen change hands are not counted for anyone.

    >>> th = towns_held(load_record())
    >>> list(th.columns)
    ['period', 'admin_status', 'holder_side', 'places']
    """
    ct = control_timeline(record)
    status = dict(zip(record.places["place_id"].astype(str), record.places["admin_status"].astype(str)))
    ct = ct.assign(admin_status=ct["place_id"].map(status))
    ct = ct[ct["admin_status"].notna() & (ct["admin_status"] != "none")]
    if ct.empty:
        return pd.DataFrame(columns=["period", "admin_status", "holder_side", "places"])
    last = pd.Timestamp(end) if end is not None else record.events["date"].max()
    periods = pd.period_range(ct["start"].min(), last, freq=FREQS[freq])
    rows = []
    for p in periods:
        day = min(p.end_time.normalize(), last)
        live = ct[(ct["start"] <= day) & (ct["end"].isna() | (ct["end"] > day))]
        counts = live.groupby(["admin_status", "holder_side"], observed=True).size()
        for (st, side), n in counts.items():
            rows.append({"period": p.start_time, "admin_status": st, "holder_side": side, "places": int(n)})
    return pd.DataFrame(rows, columns=["period", "admin_status", "holder_side", "places"])


# --------------------------------------------------------------------------- claims

_METRIC_RULES = {
    "positions_captured": ("capture", None, "positions"),
    "battalion_hqs_captured": ("capture", ("battalion_hq",), "events"),
    "command_hqs_captured": ("capture", ("command_hq",), "events"),
    "towns_captured": ("capture", ("town",), "events"),
    "border_gates_captured": ("capture", ("border_gate",), "events"),
    "positions_recaptured": ("recapture", None, "positions"),
}


def claims_vs_record(record: Record) -> pd.DataFrame:
    """Each claim beside the record's itemised tally for the same metric, scope and period.

    The tally counts events dated from ``since`` (or, when a claim gives none,
    the start of its phase, or the record's first event) up to the claim's
    date, in the claim's phase (or all phases). ``positions_captured`` counts
    every position that changed hands in a capture, headquarters included.
    ``record_is_floor`` is true when any counted event's number is a floor or
    approximation. ``towns_held`` claims are compared with the control
    timeline on the claim's date.

    >>> cv = claims_vs_record(load_record())
    >>> {"value", "record_value", "difference", "ratio"} <= set(cv.columns)
    True
    """
    events, claims = record.events, record.claims
    phase_start = dict(zip(record.phases["phase_id"].astype(str), record.phases["start"]))
    first = events["date"].min()
    rows = []
    timeline = None
    status = dict(zip(record.places["place_id"].astype(str), record.places["admin_status"].astype(str)))
    for c in claims.itertuples(index=False):
        scope = str(c.scope)
        since = c.since if pd.notna(c.since) else phase_start.get(scope, first)
        metric = str(c.metric)
        if metric == "towns_held":
            timeline = control_timeline(record) if timeline is None else timeline
            live = timeline[(timeline["start"] <= c.date) & (timeline["end"].isna() | (timeline["end"] > c.date))]
            side = "resistance"
            live = live[(live["holder_side"] == side) & live["place_id"].map(status).isin(["state_capital", "district_seat", "township_seat", "sub_township_seat", "town"])]
            tally, floor = len(live), False
        else:
            etype, targets, how = _METRIC_RULES[metric]
            sel = events[(events["event_type"] == etype) & (events["date"] >= since) & (events["date"] <= c.date)]
            if scope != "all":
                sel = sel[sel["phase_id"].astype(str) == scope]
            if targets is not None:
                sel = sel[sel["target_type"].astype("string").isin(targets).fillna(False).to_numpy()]
            if how == "positions":
                tally = int(sel["positions"].fillna(0).sum())
                floor = bool((sel["positions_precision"].astype("string") != "exact").fillna(True).any())
            else:
                tally, floor = len(sel), False
        rows.append(
            {
                "claim_id": c.claim_id,
                "date": c.date,
                "claimant": c.claimant,
                "metric": metric,
                "scope": scope,
                "since": since,
                "value": int(c.value),
                "value_precision": str(c.value_precision),
                "record_value": tally,
                "record_is_floor": floor,
                "difference": int(c.value) - tally,
                "ratio": (int(c.value) / tally) if tally else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=[
        "claim_id", "date", "claimant", "metric", "scope", "since", "value", "value_precision",
        "record_value", "record_is_floor", "difference", "ratio",
    ])


# =========================================================================== figure data
# Helpers that shape the record for the publication figures (kachin_analysis.figures). Added for the
# figures issue; they only read the record and reuse the helpers above. Pure DataFrame in, DataFrame out.

__all__ += [  # noqa: PLE0605 - extends the list declared at the top
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


def capture_series(data: Record | pd.DataFrame, *, measure: str = "positions", freq: str = "W",
                   start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> pd.DataFrame:
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
    return per.assign(cumulative=per[measure].cumsum().astype("int64"))[["period", measure, "cumulative", "inexact", "imprecise"]]


def hq_captures(data: Record | pd.DataFrame, *, freq: str = "W") -> pd.DataFrame:
    """Capture events of battalion and command headquarters, with the period each falls in.

    Columns: ``event_id``, ``date``, ``period``, ``target_type``, ``unit``, ``place_id``, ``phase_id``.

    >>> hq = hq_captures(load_record())
    >>> set(hq["target_type"]) <= {"battalion_hq", "command_hq"}
    True
    """
    events = _events(data)
    sel = events[_isin(events["event_type"], ("capture",)) & _isin(events["target_type"], HQ_TARGET_TYPES)]
    out = pd.DataFrame({
        "event_id": sel["event_id"].astype(str).to_numpy(),
        "date": sel["date"].to_numpy(),
        "period": _period_start(sel["date"], freq),
        "target_type": sel["target_type"].astype(str).to_numpy(),
        "unit": sel["unit"].astype("string").to_numpy() if "unit" in sel else pd.NA,
        "place_id": sel["place_id"].astype("string").to_numpy(),
        "phase_id": sel["phase_id"].astype("string").to_numpy(),
    })
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
    events = record.events
    phase = events["phase_id"].astype("string")
    bounds = events.assign(phase_id=phase).groupby("phase_id", observed=True)["date"].agg(["min", "max", "size"])
    rows = []
    for ph in record.phases.itertuples(index=False):
        pid = str(ph.phase_id)
        first, last, n = (bounds.loc[pid, "min"], bounds.loc[pid, "max"], int(bounds.loc[pid, "size"])) if pid in bounds.index else (pd.NaT, pd.NaT, 0)
        has_end = bool(pd.notna(ph.end))
        rows.append({
            "phase_id": pid, "name": str(ph.name), "theatre": str(ph.theatre), "start": ph.start,
            "end": ph.end, "has_end": has_end, "first_event": first, "last_event": last, "events": n,
            "drawn_end": ph.end if has_end else (last if pd.notna(last) else ph.start),
        })
    out = pd.DataFrame(rows)
    out["phase_id"] = pd.Categorical(out["phase_id"], categories=[str(p) for p in record.phases["phase_id"]], ordered=True)
    return out


def phase_activity(record: Record, *, freq: str = "W") -> pd.DataFrame:
    """Events per phase and period (weeks by default), zero periods left out: ``phase_id``, ``period``,
    ``events``, ``captures``.

    >>> pa = phase_activity(load_record())
    >>> int(pa["events"].sum()) == int(load_record().events["phase_id"].notna().sum())
    True
    """
    events = record.events
    ev = events[events["phase_id"].notna()]
    frame = pd.DataFrame({
        "phase_id": ev["phase_id"].astype(str).to_numpy(),
        "period": _period_start(ev["date"], freq),
        "events": 1,
        "captures": (ev["event_type"].astype(str) == "capture").astype("int64").to_numpy(),
    })
    out = frame.groupby(["phase_id", "period"], sort=True).sum().reset_index()
    out["phase_id"] = pd.Categorical(out["phase_id"], categories=[str(p) for p in record.phases["phase_id"]], ordered=True)
    return out.sort_values(["phase_id", "period"]).reset_index(drop=True)


def key_captures(record: Record, *, target_types: tuple[str, ...] = ("town", "command_hq")) -> pd.DataFrame:
    """The first capture of each town or command headquarters, per phase: what the phase timeline names.

    Columns: ``event_id``, ``date``, ``phase_id``, ``place_id``, ``label`` (the place's name),
    ``target_type``.

    >>> kc = key_captures(load_record())
    >>> "Lweje" in set(kc["label"])
    True
    """
    ev = record.events
    sel = ev[(ev["event_type"] == "capture") & _isin(ev["target_type"], target_types) & ev["phase_id"].notna().to_numpy()]
    names = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    out = pd.DataFrame({
        "event_id": sel["event_id"].astype(str).to_numpy(),
        "date": sel["date"].to_numpy(),
        "phase_id": sel["phase_id"].astype(str).to_numpy(),
        "place_id": sel["place_id"].astype(str).to_numpy(),
        "target_type": sel["target_type"].astype(str).to_numpy(),
    })
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
    names = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    towns = control_timeline(record, target_types=("town",))
    towns = towns.assign(label=towns["place_id"].map(names), group=0)
    hqs = control_timeline(record, target_types=("battalion_hq", "command_hq"), by="unit")
    hqs = hqs.assign(label=hqs["unit"].astype(str) + " HQ", group=1)
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
    ev = record.events if events is None else events
    ev = ev[ev["event_type"] == "capture"]
    places = record.places
    frame = pd.DataFrame({
        "event_id": ev["event_id"].astype(str).to_numpy(),
        "place_id": ev["place_id"].astype(str).to_numpy(),
        "phase_id": ev["phase_id"].astype(str).to_numpy(),
        "positions": ev["positions"].astype("Float64").fillna(0).to_numpy(dtype="float64"),
    })
    grouped = frame.groupby(["place_id", "phase_id"], sort=True).agg(
        captures=("event_id", "size"), positions=("positions", "sum"), event_ids=("event_id", lambda s: ";".join(s)),
    ).reset_index()
    info = places[["place_id", "name", "kind", "admin_status", "township", "district", "state", "longitude",
                   "latitude", "geo_precision"]].assign(place_id=places["place_id"].astype(str))
    out = grouped.merge(info, on="place_id", how="left", validate="many_to_one")
    precision = out["geo_precision"].astype("string")
    out["located"] = (precision.isin(["exact", "settlement"]).fillna(False) & (out["kind"].astype(str) != "area")
                      & out["longitude"].notna()).astype(bool)
    township = out["township"].astype("string")
    district = out["district"].astype("string")
    area = np.where(township.notna(), township.fillna("") + " Township", district.fillna("") + " District")
    out["area_label"] = np.where(out["located"], "", area)
    out["positions"] = out["positions"].round().astype("int64")
    out["phase_id"] = pd.Categorical(out["phase_id"], categories=[str(p) for p in record.phases["phase_id"]], ordered=True)
    return out.sort_values(["located", "captures"], ascending=[False, False], kind="stable").reset_index(drop=True)


#: How the claims figure names each kind of claimant.
CLAIMANT_TYPES = ("KIA", "junta", "independent tally")


def claims_for_figure(record: Record) -> pd.DataFrame:
    """Each claim beside the record's tally for the same metric, scope and window, with the claimant
    named as the figure names it (``KIA``, ``junta`` or ``independent tally``) and the scope by name.

    All of the comparison comes from :func:`claims_vs_record` (one call, so its newer versions slot in);
    this adds only reader-facing labels: ``claimant_type``, ``scope_label``, ``metric_label``, and
    ``comparable`` — false where the record's tally does not yet cover the claim's scope (a phase-scoped
    ``towns_held`` claim), unless ``claims_vs_record`` says otherwise with its own ``comparable`` column.

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

    metric_label = {
        "positions_captured": "positions captured",
        "battalion_hqs_captured": "battalion HQs captured",
        "command_hqs_captured": "command HQs captured",
        "towns_captured": "towns captured",
        "border_gates_captured": "border gates captured",
        "positions_recaptured": "positions retaken by the junta",
        "towns_held": "towns held",
    }
    if "comparable" in cv.columns:
        comparable = cv["comparable"].astype(bool)
    else:
        comparable = ~((cv["metric"] == "towns_held") & (cv["scope"] != "all"))
    out = cv.assign(
        comparable=comparable.to_numpy(),
        claimant_type=[claimant_type(c) for c in cv["claimant"]],
        scope_label=[("all phases" if s == "all" else phase_name.get(str(s), str(s))) for s in cv["scope"]],
        metric_label=cv["metric"].map(metric_label).fillna(cv["metric"].str.replace("_", " ")),
    )
    return out
