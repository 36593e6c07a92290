"""Property tests: lossless round trips for every table, and invariants of the aggregates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kachin_analysis as ka
from kachin_analysis import schema

#: Hypothesis runs hundreds of examples against the real schema: part of the slow suite (make test).
pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Valid text: no control characters, not starting with a formula character (the loader refuses both).
TEXT = (
    st.text(alphabet=string.ascii_letters + string.digits + " ,.'\";:-–é()ကခ", min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda t: t and not t.startswith(("=", "+", "-", "@")))
)
ASCII = st.characters(min_codepoint=33, max_codepoint=126)  # identifiers and addresses are ASCII


def cell(col: schema.Column):
    if col.kind == "date":
        lo = col.earliest
        return st.dates(min_value=lo, max_value=dt.date.today()).map(lambda d: d.isoformat())
    if col.kind == "integer":
        return st.integers(min_value=int(col.minimum or 0), max_value=int(col.maximum or 10_000)).map(str)
    if col.kind == "number":
        return st.floats(min_value=col.minimum, max_value=col.maximum, allow_nan=False).map(lambda x: repr(round(x, 6)))
    if col.kind == "boolean":
        return st.sampled_from(["true", "false"])
    if col.kind == "category":
        return st.sampled_from(col.vocabulary)
    if col.kind == "list":
        item = (
            st.from_regex(col.pattern, fullmatch=True, alphabet=ASCII)
            if col.pattern
            else TEXT.filter(lambda t: ";" not in t)
        )
        return st.lists(item, min_size=1, max_size=3, unique=True).map(";".join)
    if col.pattern == schema.SLUG:
        return st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6})?", fullmatch=True)
    if col.pattern:
        return st.from_regex(col.pattern, fullmatch=True, alphabet=ASCII)
    return TEXT


def rows(table: schema.Table):
    def one(i):
        return st.fixed_dictionaries(
            {c.name: (cell(c) if c.required else st.one_of(st.just(""), cell(c))) for c in table.columns}
        )

    return st.lists(one(0), min_size=1, max_size=12)


def make_valid(table: schema.Table, records: list[dict]) -> pd.DataFrame:
    """Fix up random rows so that the row rules hold (keys unique, groups filled together)."""
    for i, r in enumerate(records):
        pk = table.column(table.primary_key)
        r[pk.name] = {"events": f"KO-{i:04d}", "sources": f"S{i:04d}", "claims": f"C{i:03d}"}.get(
            table.name, f"id-{i}" if pk.pattern == schema.SLUG else f"ID{i}"
        )
        for group in table.filled_together:
            if any(r[c] == "" for c in group):
                for c in group:
                    r[c] = ""
        allowed = set(schema.EVENT_TYPE)
        for c in table.columns:
            if c.required_unless and r[c.name] == "":
                allowed &= set(c.required_unless)
        if "event_type" in r and r["event_type"] not in allowed:
            r["event_type"] = sorted(allowed)[0]
        if table.name == "phases" and r["end"] and r["end"] < r["start"]:
            r["end"] = r["start"]
        if table.name == "claims" and r["scope"] != "all":
            r["scope"] = "all"
    return pd.DataFrame(records, columns=table.column_names)


@pytest.mark.parametrize("table_name", list(schema.TABLES))
@SETTINGS
@given(data=st.data())
def test_every_table_round_trips_losslessly(table_name, data, tmp_path_factory):
    """load → write → load gives the same frame, and every row written is a row read."""
    table = schema.TABLES[table_name]
    raw = make_valid(table, data.draw(rows(table)))
    folder = tmp_path_factory.mktemp(table_name)
    path = folder / table.filename
    raw.to_csv(path, index=False, lineterminator="\n")
    first = ka.load_table(table_name, path)
    assert len(first) == len(raw)  # rows in = rows out
    ka.write_table(first, folder / "again.csv", table_name)
    second = ka.load_table(table_name, folder / "again.csv")
    pd.testing.assert_frame_equal(first, second)


EVENT = st.fixed_dictionaries(
    {
        "event_id": st.just(""),
        "date": st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2025, 12, 31)),
        "date_precision": st.sampled_from(["day", "day", "week", "month"]),
        "event_type": st.sampled_from(["capture", "capture", "recapture", "attack"]),
        "target_type": st.sampled_from(["position", "town", "battalion_hq"]),
        "positions": st.one_of(st.none(), st.integers(0, 12)),
        "positions_precision": st.sampled_from(["exact", "at_least"]),
        "place_id": st.sampled_from(["a", "b", "c"]),
        "phase_id": st.sampled_from(["p1", "p2"]),
        "attackers": st.sampled_from(["KIA", "KIA;KPDF", "MAF"]),
        "defenders": st.sampled_from(["MAF", "KIA"]),
    }
)


def event_frame(items):
    df = pd.DataFrame(items)
    df["event_id"] = [f"e{i}" for i in range(len(df))]
    df["date"] = pd.to_datetime(df["date"])
    df["positions"] = df["positions"].astype("Int64")
    return df


@SETTINGS
@given(items=st.lists(EVENT, min_size=1, max_size=40), freq=st.sampled_from(["D", "W", "ME"]))
def test_count_invariants(items, freq):
    ev = event_frame(items)
    per = ka.count_captures(ev, freq=freq)
    cum = ka.count_captures(ev, freq=freq, cumulative=True)
    caps = ev[ev["event_type"] == "capture"]
    assert per["positions"].sum() == caps["positions"].fillna(0).sum()  # per-period counts sum to the total
    assert cum["positions"].is_monotonic_increasing  # cumulative never decreases
    if len(per) > 1:  # zero-filled periods are contiguous
        expected = pd.period_range(
            per["period"].min(), per["period"].max(), freq={"D": "D", "W": "W-SUN", "ME": "M"}[freq]
        ).start_time
        assert list(per["period"]) == list(expected)


@SETTINGS
@given(items=st.lists(EVENT, min_size=1, max_size=40))
def test_control_intervals_never_overlap(items, minimal_record):
    ev = event_frame(items)
    rec = dataclasses.replace(minimal_record, events=ev, claims=minimal_record.claims.iloc[0:0], warnings=[])
    ct = ka.control_timeline(rec)
    for _, g in ct.groupby("place_id"):
        starts = g["start"].to_numpy()
        ends = g["end"].fillna(pd.Timestamp.max).to_numpy()
        assert (starts[1:] >= ends[:-1]).all()
        assert g["end"].isna().sum() == 1 and pd.isna(g["end"].iloc[-1])
