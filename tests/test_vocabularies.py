"""Every map keyed by a vocabulary is declared once in schema.py and has an entry for every value."""

from __future__ import annotations

import pytest

from kachin_analysis import schema
from kachin_analysis.interop import SUB_EVENT_TO_TYPE


@pytest.mark.parametrize(
    "table, vocabulary",
    [
        (schema.CONTROL_TARGETS, schema.PLACE_KIND),
        (schema.CLAIM_METRIC_RULES, schema.CLAIM_METRIC),
        (schema.ACLED_TIME_PRECISION, schema.DATE_PRECISION),
        (schema.ACLED_GEO_PRECISION, schema.GEO_PRECISION),
        (schema.ACLED_INTER, schema.ACTOR_KIND),
    ],
)
def test_every_value_has_an_entry(table, vocabulary):
    assert set(table) == set(vocabulary)


def test_every_event_type_is_written_to_acled_one_way_and_read_back():
    exported = [row[0] for row in schema.ACLED_EVENT_TYPES if row[4]]
    assert sorted(exported) == sorted(schema.EVENT_TYPE)  # exactly one export row per type
    for ours, _, sub, _, _export in schema.ACLED_EVENT_TYPES:
        assert SUB_EVENT_TO_TYPE[sub] == ours


def test_claim_metric_rules_name_real_types():
    for rule in schema.CLAIM_METRIC_RULES.values():
        assert rule.event_type in (None, *schema.EVENT_TYPE)
        assert rule.target_types is None or set(rule.target_types) <= set(schema.TARGET_TYPE)


def test_every_placed_event_lies_inside_the_theatre(record):
    west, east, south, north = schema.THEATRE_BBOX
    places = record.places.set_index("place_id")
    placed = record.events["place_id"].dropna().astype(str).map(places["longitude"]).notna()
    lon = record.events["place_id"].dropna().astype(str).map(places["longitude"])[placed]
    lat = record.events["place_id"].dropna().astype(str).map(places["latitude"])[placed]
    outside = record.events.loc[lon.index[~(lon.between(west, east) & lat.between(south, north))], "event_id"]
    assert outside.empty, list(outside)


def test_the_maps_use_the_theatre_box():
    from kachin_analysis import geo

    assert geo.THEATRE_EXTENT == schema.THEATRE_BBOX


@pytest.mark.parametrize("name", ["theatre", "locator"])
def test_vendored_borders_are_what_the_layer_gives(name):
    """basemap/countries.json is a copy kept for speed: it must equal a fresh clip of the Natural Earth layer
    (after a change to the layer package or to the clipping, rerun scripts/build_basemap.py --countries-only)."""
    from kachin_analysis import geo

    extent, tolerance = geo.HOUSE_BORDERS[name]
    vendored = geo.country_borders(extent, tolerance)
    assert vendored == geo.clipped_borders(extent, tolerance)
    assert {"Myanmar", "China", "India"} <= {country for country, _ in vendored}
