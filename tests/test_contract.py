"""One contract for both inputs: every public helper answers on the record and on a from_acled frame,
or refuses with a ValueError that names what it needs and what to pass instead."""

from __future__ import annotations

import pandas as pd
import pytest

import kachin_analysis as ka
from kachin_analysis import aggregate

# helper → (call, what it gives on ACLED data: "answer" or a phrase its refusal must contain)
HELPERS = {
    "count_captures(events)": (lambda d: ka.count_captures(d, measure="events", freq="ME"), "answer"),
    "count_captures(positions)": (
        lambda d: ka.count_captures(d, measure="positions"),
        "measure='events' or 'fatalities'",
    ),
    "count_captures(headquarters)": (lambda d: ka.count_captures(d, measure="headquarters"), "target types"),
    "count_captures(by=state)": (lambda d: ka.count_captures(d, measure="events", by="state"), "answer"),
    "count_captures(by=phase_id)": (lambda d: ka.count_captures(d, measure="events", by="phase_id"), "by='state'"),
    "count_captures(by=theatre)": (lambda d: ka.count_captures(d, measure="events", by="theatre"), "by='state'"),
    "count_captures(by=actor)": (lambda d: ka.count_captures(d, measure="events", by="actor"), "answer"),
    "count_captures(by=side)": (lambda d: ka.count_captures(d, measure="events", by="side"), "answer"),
    "phase_summary": (ka.phase_summary, "by='admin1'"),
    "actor_involvement": (ka.actor_involvement, "by='admin1'"),
    "actor_involvement(by=state)": (lambda d: ka.actor_involvement(d, by="state"), "answer"),
    "actor_appearances": (aggregate.actor_appearances, "answer"),
    "co_participation": (ka.co_participation, "answer"),
    "effective_actors": (ka.effective_actors, "by='admin1'"),
    "effective_actors(by=state)": (lambda d: ka.effective_actors(d, by="state"), "answer"),
    "event_actors": (ka.event_actors, "answer"),
    "control_timeline": (ka.control_timeline, "pass the record"),
    "holder_on": (lambda d: ka.holder_on(d, "lweje", "2024-06-01"), "pass the record"),
    "towns_held": (ka.towns_held, "pass the record"),
    "claims_vs_record": (ka.claims_vs_record, "pass the record"),
    "to_acled": (ka.to_acled, "ACLED frame is ACLED's already"),
    # the figures' data helpers
    "capture_series": (lambda d: aggregate.capture_series(d, measure="events"), "answer"),
    "hq_captures": (aggregate.hq_captures, "target types"),
    "phase_spans": (aggregate.phase_spans, "pass the record"),
    "phase_activity": (aggregate.phase_activity, "pass the record"),
    "key_captures": (aggregate.key_captures, "pass the record"),
    "control_lanes": (lambda d: aggregate.control_lanes(d)[0], "pass the record"),
    "capture_points": (aggregate.capture_points, "pass the record"),
    "claims_for_figure": (aggregate.claims_for_figure, "pass the record"),
}


@pytest.fixture(scope="module")
def acled():
    return ka.from_acled(ka.interop.SAMPLE_ACLED)


@pytest.mark.parametrize("source", ["record", "acled"])
@pytest.mark.parametrize("helper", list(HELPERS))
def test_every_helper_answers_or_says_what_it_needs(helper, source, record, acled):
    call, on_acled = HELPERS[helper]
    data = record if source == "record" else acled
    if source == "acled" and on_acled != "answer":
        with pytest.raises(ValueError, match="ACLED") as err:
            call(data)
        assert on_acled in str(err.value)
        return
    out = call(data)
    assert (len(out) > 0) if isinstance(out, pd.DataFrame) else out["side"] == "resistance"


def test_the_table_covers_every_public_helper():
    takes_dates = {"half_year"}  # labels a column of dates, not a record or an events frame
    public = {n for n in aggregate.__all__ if callable(getattr(aggregate, n))} - takes_dates | {
        "event_actors",
        "to_acled",
    }
    covered = {h.split("(")[0] for h in HELPERS}
    assert public <= covered, public - covered


def test_fatalities_are_counted_on_acled_and_refused_on_the_record(record, acled):
    out = ka.count_captures(acled, measure="fatalities", freq="YE", event_types=tuple(ka.schema.EVENT_TYPE))
    assert out["fatalities"].sum() == acled["fatalities"].fillna(0).sum()
    with pytest.raises(ValueError, match="does not count deaths"):
        ka.count_captures(record, measure="fatalities")


def test_by_state_is_admin1_on_acled(acled):
    out = ka.count_captures(acled, measure="events", by="state", freq="YE", event_types=tuple(ka.schema.EVENT_TYPE))
    totals = out.groupby("admin1" if "admin1" in out else "state", observed=True)["events"].sum()
    assert totals.to_dict() == acled["admin1"].astype(str).value_counts().to_dict()
