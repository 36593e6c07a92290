"""The explorer: one offline HTML page whose marks are the record's placed events, each leading to its sources.

Fast tests check the page's data and HTML (size, nothing fetched from outside, one mark per placed event,
the map's rule for places known only to a township or district, the filters' rules against
``Record.filter``). The ``e2e`` test opens the page in headless Chromium with networking off, counts the
marks BokehJS draws, uses a filter, brushes the timeline and selects an event; screenshots go to
``$KACHIN_E2E_SHOTS`` or else a temporary folder (never the source tree).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kachin_analysis import aggregate, explorer
from kachin_analysis.cli import main
from kachin_analysis.schema import EVENT_TYPE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MAX_BYTES = 5_000_000


@pytest.fixture(scope="module")
def page_html(record) -> str:
    return explorer.explorer_html(record)


@pytest.fixture(scope="module")
def events(record) -> pd.DataFrame:
    return explorer.explorer_events(record)


def placed(ev: pd.DataFrame) -> int:
    return int((ev["mark"] != "unmapped").sum())


# --------------------------------------------------------------------------- the data behind the page


def test_every_event_is_one_row_and_every_placed_event_one_mark(record, events):
    assert sorted(events["event_id"]) == sorted(record.events["event_id"].astype(str))
    assert placed(events) == int(events["x"].notna().sum())
    assert set(events["mark"]) == {"located", "imprecise", "unmapped"}


def test_located_is_the_publication_maps_rule(record, events):
    """A capture is a dot exactly when the capture map draws it (aggregate.capture_points)."""
    cp = aggregate.capture_points(record)
    drawn = {e for ids in cp.loc[cp["located"], "event_ids"] for e in ids.split(";")}
    caps = events[events["event_type"] == "capture"]
    assert set(caps.loc[caps["mark"] == "located", "event_id"]) == drawn


def test_an_event_known_only_to_its_township_says_so_and_sits_at_the_seat(record, events):
    e = events.set_index("event_id").loc["KO-0001"]  # Hsengtaung, placed by no source closer than Hpakant Township
    assert e["mark"] == "imprecise"
    assert "known only to Hpakant Township" in e["where"] and "not where it happened" in e["where"]
    hpakant = record.places.set_index("place_id").loc["hpakant"]
    assert (e["x"], e["y"]) == (float(hpakant["longitude"]), float(hpakant["latitude"]))


def test_events_with_no_single_place_are_in_the_table_only(events):
    none = events.set_index("event_id").loc["KO-0161"]
    assert none["mark"] == "unmapped" and np.isnan(none["x"]) and "not on the map" in none["where"]


def _js_filter(ev: pd.DataFrame, **pick) -> pd.Series:
    """The page's filter rule (``_APPLY_JS``), restated on the same columns."""
    keep = pd.Series(True, index=ev.index)
    for field, col in (
        ("phase", "phase_id"),
        ("theatre", "theatre"),
        ("event_type", "event_type"),
        ("confidence", "confidence"),
    ):
        if field in pick:
            keep &= ev[col].isin(pick[field])
    for field, col in (("actor", "actors"), ("side", "sides")):
        if field in pick:
            wanted = set(pick[field])
            keep &= ev[col].map(lambda s, wanted=wanted: bool(set(s.strip("|").split("|")) & wanted))
    return keep


@pytest.mark.parametrize(
    "pick, kwargs",
    [
        ({"phase": ["bhamo"]}, {"phases": "bhamo"}),
        ({"theatre": ["Bhamo District"]}, {"theatres": "Bhamo District"}),
        ({"actor": ["NDA-K", "SNA"]}, {"actors": ["NDA-K", "SNA"]}),
        ({"side": ["junta"], "event_type": ["recapture"]}, {"sides": "junta", "event_types": "recapture"}),
        ({"confidence": ["claimed"]}, {"confidence": "claimed"}),
    ],
    ids=["phase", "theatre", "actors", "side+type", "confidence"],
)
def test_the_pages_filters_follow_record_filter(record, events, pick, kwargs):
    shown = set(events.loc[_js_filter(events, **pick), "event_id"])
    assert shown == set(record.filter(**kwargs).events["event_id"].astype(str))
    assert 0 < len(shown) < len(events)


def test_the_filters_offer_the_records_vocabularies(record, events):
    ch = explorer._choices(record, events)
    assert [v for v, _ in ch["phase"]] == list(record.phases["phase_id"].astype(str))
    assert dict(ch["phase"])["bhamo"] == "Battle for Bhamo"
    assert dict(ch["actor"])["KIA"] == "Kachin Independence Army (KIA)"
    assert [v for v, _ in ch["event_type"]] == [t for t in EVENT_TYPE if t in set(events["event_type"])]


def test_the_timeline_counts_events_per_week_as_the_package_does(record):
    doc = explorer.build_explorer(record)
    bars = doc.get_model_by_name("weeks").data
    weekly = aggregate.count_captures(record, measure="events", freq="W", event_types=EVENT_TYPE)
    assert list(bars["events"]) == weekly["events"].astype(int).tolist()
    assert int(sum(bars["events"])) == len(record.events)


def test_it_takes_a_filtered_record(record):
    cut = explorer.explorer_events(record.filter(phases="bhamo"))
    assert len(cut) == len(record.filter(phases="bhamo").events) and set(cut["phase_id"]) == {"bhamo"}


# --------------------------------------------------------------------------- the HTML file


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "srcset", "data", "action", "poster") and v:
                self.refs.append((tag, k, v))
        self._in_json = tag == "script" and ("type", "application/json") in attrs

    def handle_data(self, data):
        if self._in_json:
            self.scripts.append(data)
            self._in_json = False


def _bokeh_doc(page: str) -> dict:
    p = _Refs()
    p.feed(page)
    (blob,) = [s for s in p.scripts if s.strip()]
    return next(iter(json.loads(html.unescape(blob)).values()))  # Bokeh escapes the JSON inside its script tag


def _model(node, name: str):
    """The serialized Bokeh model called ``name``."""
    if isinstance(node, dict):
        if node.get("name") == name or node.get("attributes", {}).get("name") == name:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for v in node:
            if (hit := _model(v, name)) is not None:
                return hit
    return None


def _column(data: dict, key: str):
    entries = data["entries"] if data.get("type") == "map" else list(data.items())
    return dict(entries)[key]


def test_the_page_is_one_file_under_5_mb_and_fetches_nothing(page_html):
    assert len(page_html.encode()) < MAX_BYTES
    p = _Refs()
    p.feed(page_html)
    outside = [r for r in p.refs if re.match(r"(https?:)?//", r[2].strip(), re.I)]
    assert outside == [], outside
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page_html, re.I), "a style sheet loads something from outside"
    assert not re.search(r"<script[^>]+src=", page_html, re.I)
    assert "cdn.bokeh.org" not in page_html
    assert "bokeh.min.js" not in re.sub(r"<script[^>]*>.*?</script>", "", page_html, flags=re.S)


def test_the_only_outside_addresses_in_the_data_are_the_cited_pages(record, page_html):
    doc = _bokeh_doc(page_html)
    urls = _column(_model(doc, "pages")["attributes"]["data"], "url")
    assert sorted(urls) == sorted(record.sources["url"].astype(str))


def test_the_embedded_data_has_one_mark_per_placed_event(record, events, page_html):
    data = _model(_bokeh_doc(page_html), "events")["attributes"]["data"]
    marks = _column(data, "mark")
    ids = _column(data, "event_id")
    assert len(ids) == len(record.events)
    assert sum(m in ("located", "imprecise") for m in marks) == placed(events)


def test_the_page_carries_the_method_note_and_source_line(record, page_html):
    assert "How to read it" in page_html
    assert "known only to its township or district" in page_html
    assert "Source: kachin-analysis, an open record of" in page_html


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "ex.html"
    assert main(["explorer", "--out", str(out)]) == 0
    assert out.stat().st_size < MAX_BYTES and "wrote" in capsys.readouterr().out


def test_in_a_notebook_it_is_the_same_page_in_a_frame(record):
    ex = explorer.explore(record)
    shown = ex._repr_html_()
    assert shown.startswith("<iframe") and "srcdoc=" in shown
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1)) == ex.html


# --------------------------------------------------------------------------- in a real browser

MARKS_JS = """() => {
  const doc = Bokeh.documents[0], root = Object.values(Bokeh.index)[0];
  const n = (name) => root.owner.find_one(doc.get_model_by_name(name)).all_indices.count;
  return {located: n('located'), imprecise: n('imprecise'), status: doc.get_model_by_name('status').text,
          start: doc.get_model_by_name('window').start, end: doc.get_model_by_name('window').end};
}"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = (
        Path(os.environ["KACHIN_E2E_SHOTS"])
        if os.environ.get("KACHIN_E2E_SHOTS")
        else tmp_path_factory.mktemp("explorer-screenshots")
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nexplorer screenshots: {folder}")
    return folder


@pytest.mark.e2e
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install Debian's chromium (apt-get install chromium) to run the explorer in a browser",
)
def test_the_explorer_works_offline_in_chromium(record, events, page_html, tmp_path, shots):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "explorer.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(offline=True, viewport={"width": 1320, "height": 1000})
        outside, errors = [], []
        context.route(
            re.compile(r"^(?!file:|data:|blob:|about:).*"),
            lambda route: (outside.append(route.request.url), route.abort()),
        )
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(path.as_uri())
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.documents.length > 0 && "
                "Bokeh.documents[0].get_model_by_name('status').text.length > 0",
                timeout=60_000,
            )
            page.wait_for_timeout(500)
            before = page.evaluate(MARKS_JS)
            assert before["located"] + before["imprecise"] == placed(events)
            assert before["located"] == int((events["mark"] == "located").sum())
            page.screenshot(path=str(shots / "explorer-1-all.png"), full_page=True)

            # one filter interaction, as a reader does it: open the Phase list and pick a phase
            page.locator(".choices").first.click()
            page.locator(".choices__item--choice", has_text="Battle for Bhamo").first.click()
            page.keyboard.press("Escape")
            page.mouse.click(5, 5)
            page.wait_for_function(f"() => ({MARKS_JS})().located + ({MARKS_JS})().imprecise < {placed(events)}")
            after = page.evaluate(MARKS_JS)
            bhamo = explorer.explorer_events(record.filter(phases="bhamo"))
            assert after["located"] + after["imprecise"] == placed(bhamo) > 0
            page.screenshot(path=str(shots / "explorer-2-phase-bhamo.png"), full_page=True)

            # brush a window on the timeline: map and table follow
            timeline = page.evaluate("""() => { const doc = Bokeh.documents[0], root = Object.values(Bokeh.index)[0];
                const v = root.owner.find_one(doc.get_model_by_name('timeline'));
                const r = v.el.getBoundingClientRect(), f = v.frame.bbox;
                return {x: r.left + f.left, y: r.top + f.top, w: f.width, h: f.height}; }""")
            y = timeline["y"] + timeline["h"] / 2
            page.mouse.move(timeline["x"] + timeline["w"] * 0.50, y)
            page.mouse.down()
            page.mouse.move(timeline["x"] + timeline["w"] * 0.62, y, steps=8)
            page.mouse.up()
            page.wait_for_function(f"() => ({MARKS_JS})().located + ({MARKS_JS})().imprecise < {placed(bhamo)}")
            brushed = page.evaluate(MARKS_JS)
            ms = explorer._ms(bhamo["date"])
            inside = bhamo[(ms >= brushed["start"]) & (ms < brushed["end"])]
            assert brushed["located"] + brushed["imprecise"] == placed(inside)
            assert " to " in re.sub("<[^>]+>", "", brushed["status"])

            # select an event in the table: its cited pages are listed with links
            page.locator(".slick-row .slick-cell").first.click()
            page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('details').text.includes('<a href=')")
            details = page.evaluate("() => Bokeh.documents[0].get_model_by_name('details').text")
            shown = re.findall(r'data-event="([^"]+)"', details)
            assert len(shown) == 1
            cited = (
                record.events.set_index(record.events["event_id"].astype(str)).loc[shown[0], "source_ids"].split(";")
            )
            urls = record.sources.set_index("source_id").loc[cited, "url"]
            assert all(f'href="{u}"'.replace("&", "&amp;") in details for u in urls)
            shown_text = re.sub("<[^>]+>", " ", details)
            assert not re.search(r"\bNaN\b|\bnan\b|<NA>|\bundefined\b|\bnull\b", shown_text)
            page.screenshot(path=str(shots / "explorer-3-brushed-and-selected.png"), full_page=True)

            # hovering a mark shows its date, target, actors and summary
            page.locator("button", has_text="Reset").first.click()
            page.wait_for_function(f"() => ({MARKS_JS})().located + ({MARKS_JS})().imprecise === {placed(events)}")
            lweje = record.places.set_index("place_id").loc["lweje"]
            xy = page.evaluate(
                """([lon, lat]) => { const doc = Bokeh.documents[0], root = Object.values(Bokeh.index)[0];
                const v = root.owner.find_one(doc.get_model_by_name('map'));
                const r = v.el.getBoundingClientRect(), fr = v.frame;
                return [r.left + fr.bbox.left + fr.x_scale.compute(lon) - fr.bbox.left,
                        r.top + fr.bbox.top + fr.y_scale.compute(lat) - fr.bbox.top]; }""",
                [float(lweje["longitude"]), float(lweje["latitude"])],
            )
            page.mouse.move(xy[0] + 1, xy[1] + 1)
            page.mouse.move(xy[0], xy[1])
            tip = page.locator(".ka-tip").first
            tip.wait_for(timeout=10_000)
            text = tip.inner_text()
            assert "Lweje" in text and "Kachin Independence Army" in text and re.search(r"\d{4}", text)
            page.screenshot(path=str(shots / "explorer-4-hover.png"))
        finally:
            context.close()
            browser.close()
    assert errors == [], errors
    assert outside == [], outside
