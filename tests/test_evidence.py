"""The evidence and display helpers the notebooks use, pinned to answers a reader can check in the record."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import kachin_analysis as ka
from kachin_analysis import evidence, tables


def test_headline_agrees_with_the_other_helpers(record):
    h = ka.headline(record)
    assert h["positions captured"] == int(ka.phase_summary(record)["positions"].sum()) + int(
        record.events.loc[(record.events["event_type"] == "capture") & record.events["phase_id"].isna(), "positions"]
        .fillna(0)
        .sum()
    )
    for measure in ("headquarters", "towns", "positions"):
        assert h[f"{measure} captured"] == ka.count_captures(record, measure=measure, freq="YE")[measure].sum()
    assert h["events"] == len(record.events)
    assert h["last event"] == record.events["date"].max()


def test_headline_follows_a_filter(record):
    ksr1 = ka.headline(record.filter(phases="ksr1-chipwi-pangwa"))
    assert ksr1["towns captured"] == 5  # Chipwi, Tsawlaw, Pangwa, Kan Paik Ti and Sadung, each a capture of the town
    assert ksr1["last event"] == pd.Timestamp("2024-11-20")


def test_find_events_by_place_unit_actor_and_words(record):
    assert list(ka.find_events(record, place="Lweje", text="town")["event_id"]) == ["KO-0079"]
    moc21 = ka.find_events(record, unit="MOC 21")
    assert set(moc21["place"]) == {"Bhamo"} and len(moc21) >= 10
    assert ka.find_events(record, unit="LIB 32").empty  # a whole designation: never LIB 321
    assert len(ka.find_events(record, unit="lib-321")) == 2
    china = ka.find_events(record, actor="China")  # an other party: found, though never an attacker
    assert len(china) > 0 and not china["attackers"].fillna("").str.contains("China").any()
    with pytest.raises(KeyError, match="did you mean"):
        ka.find_events(record, place="Bahmo")


def test_sources_for_lists_every_cited_page(record):
    pages = ka.sources_for(record, "KO-0079")
    cited = str(record.events.set_index("event_id").at["KO-0079", "source_ids"]).split(";")
    assert list(pages["source_id"]) == cited
    assert pages["url"].str.startswith("http").all()
    with pytest.raises(KeyError):
        ka.sources_for(record, ["KO-9999"])


@pytest.mark.slow
def test_behind_claim_is_what_claims_vs_record_counted(record):
    cv = ka.claims_vs_record(record)
    for row in cv[cv["comparable"] & cv["metric"].astype(str).eq("positions_captured")].itertuples():
        behind = ka.behind_claim(record, row.claim_id)
        assert int(behind["positions"].fillna(0).sum()) == row.record_value, row.claim_id
        assert set(ka.sources_for(record, row.event_ids)["event_id"]) == set(behind["event_id"])


def test_gaps_are_counted_from_the_record(record):
    g = evidence.gaps(record).set_index("what")["count"]
    assert (
        g["events resting on a belligerent's statement alone (claimed)"]
        == (record.events["confidence"] == "claimed").sum()
    )
    assert g["events dated only to the week or month"] == (record.events["date_precision"] != "day").sum()
    assert len(evidence.gaps(record.filter(start="2025-01-01"))) == len(g)


def test_coverage_sums_to_the_events(record):
    cov = evidence.coverage(record, freq="QE")
    assert cov["all"].sum() == len(record.events)
    assert cov["period"].is_monotonic_increasing


@pytest.mark.parametrize("helper", [ka.headline, ka.find_events, evidence.gaps, lambda d: ka.sources_for(d, "KO-0001")])
def test_evidence_helpers_refuse_acled_data(helper):
    acled = ka.from_acled(ka.interop.SAMPLE_ACLED)
    with pytest.raises(ValueError, match="ACLED"):
        helper(acled)


# --------------------------------------------------------------------------- tables a person reads


def rendered(styler) -> str:
    return styler.to_html()


@pytest.mark.parametrize("frame", ["phase_summary", "claims", "towns_pivot", "monthly", "geo_counts"])
def test_tables_never_show_raw_missing_values_or_indexes(record, frame):
    frames = {
        "phase_summary": lambda: ka.phase_summary(record),
        "claims": lambda: ka.claims_vs_record(record),
        "towns_pivot": lambda: ka.towns_held(record).pivot_table(
            index="period", columns=["holder_side", "admin_status"], values="places", observed=True
        ),
        "monthly": lambda: ka.count_captures(record, measure="positions", freq="ME"),
        "geo_counts": lambda: record.places["geo_precision"].value_counts(dropna=False),
    }
    html = rendered(tables.show(frames[frame](), record=record))
    cells = [c.strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]
    assert cells
    for bad in ("NaN", "NaT", "&lt;NA&gt;", "<NA>", "nan", "None", "null"):
        assert bad not in cells, bad
    assert "row_heading" not in html  # no raw 0, 1, 2 … index


def test_tables_use_words_months_and_integer_counts(record):
    monthly = ka.count_captures(record, measure="positions", freq="ME").astype({"positions": "float64"})
    html = rendered(tables.show(monthly))
    assert ">Mar 2024<" in html and ">2024-03-01" not in html
    assert ".0<" not in html
    ps = rendered(tables.show(ka.phase_summary(record), record=record))
    assert "Battle for Bhamo" in ps and ">bhamo<" not in ps
    assert "— End: no sourced end: the campaign is ongoing" in ps
    cv = rendered(tables.show(ka.claims_vs_record(record), decimals=2))
    assert (
        "— Claimant: an outlet&#x27;s or monitor&#x27;s own tally" in cv
        or "— Claimant: an outlet's or monitor's own tally" in cv
    )
    assert "1.076923" not in cv and ">1.08<" in cv
    assert ">positions captured<" in cv


def test_wide_tables_can_be_transposed(record):
    html = rendered(
        tables.show(ka.phase_summary(record).head(2), columns=["name", "start", "end", "positions"], transpose=True)
    )
    assert "KIA-led operations in upper Sagaing" in html and ">Positions<" in html


def test_key_numbers_read_as_numbers():
    kn = tables.key_numbers({"positions": 1234.0, "last": pd.Timestamp("2026-04-01"), "missing": pd.NaT})
    assert repr(kn).splitlines() == ["     1,234  positions", "1 Apr 2026  last", "         —  missing"]
    assert "ka-key-numbers" in kn._repr_html_()


def test_explore_says_what_it_does_without_a_frontend(record):
    ex = tables.explore(record, figure="phase-timeline", table=ka.phase_summary)
    assert repr(ex).startswith(
        "Interactive: pick a phase, an actor and months to redraw 'phase-timeline' and the table"
    )
    assert ex._repr_mimebundle_()["text/plain"] == repr(ex)
