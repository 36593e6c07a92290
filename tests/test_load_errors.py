"""Bad input, one table: every defect is reported with file, line, column, value and expectation — all at once —
and nothing loads; input that is legal but suspicious loads with a warning.

Each row of ``CASES`` corrupts a copy of tests/fixtures/minimal (or of the ACLED sample) and lists exactly the
problems the loader must report: ``(file, line, column, value, words the expectation must contain)``, with
``ANY`` where a field is not the point. ``warn`` rows must load and add exactly those warnings to the
fixture's own (its place ``nowhere`` is referenced by nothing).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import kachin_analysis as ka
from conftest import edit_cell
from kachin_analysis.interop import SAMPLE_ACLED

ANY = object()
FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()
BASELINE_WARNINGS = {("places.csv", 4, "place_id", "nowhere")}


@dataclass
class Case:
    id: str
    edits: list[Callable[[Path], None]]
    problems: list[tuple]
    target: str = "record"  # or "acled": the edits corrupt a copy of the ACLED sample, acled.csv
    warn: bool = False  # the input is legal: it loads, and the problems are warnings
    marks: list = field(default_factory=list)


# --------------------------------------------------------------------------- edits


def cell(table: str, line: int, column: str, value: str):
    return lambda folder: edit_cell(folder, table, line, column, value)


def text(table: str, fn: Callable[[str], str]):
    def edit(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")

    return edit


def raw(table: str, fn: Callable[[bytes], bytes]):
    def edit(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(fn(path.read_bytes()))

    return edit


def set_line(table: str, line: int, content: str):
    def fn(t: str) -> str:
        lines = t.splitlines()
        lines[line - 1] = content
        return "\n".join(lines) + "\n"

    return text(table, fn)


def append(table: str, content: str):
    return text(table, lambda t: t + content + "\n")


def drop_last_column(table: str):
    return text(table, lambda t: "\n".join(",".join(ln.split(",")[:-1]) for ln in t.splitlines()) + "\n")


def remove(table: str):
    return lambda folder: (folder / f"{table}.csv").unlink()


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder)


def acled_cell(line: int, column: str, value: str):
    def edit(folder: Path) -> None:
        path = folder / "acled.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[line - 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    return edit


def acled_text(fn: Callable[[str], str]):
    return text("acled", fn)


def acled_bytes(fn: Callable[[bytes], bytes]):
    return raw("acled", fn)


# --------------------------------------------------------------------------- the table

CASES = [
    # ---- files and CSV structure
    Case("missing-column", [drop_last_column("actors")], [("actors.csv", 1, "description", None, "a column named")]),
    Case(
        "extra-column",
        [
            text(
                "sources",
                lambda t: "\n".join(ln + (",notes" if i == 0 else ",x") for i, ln in enumerate(t.splitlines())) + "\n",
            )
        ],
        [("sources.csv", 1, "notes", "notes", "only the columns")],
    ),
    Case(
        "duplicate-column",
        [
            text(
                "actors",
                lambda t: "\n".join(ln + (",name" if i == 0 else ",x") for i, ln in enumerate(t.splitlines())) + "\n",
            )
        ],
        [("actors.csv", 1, "name", ANY, "")],
    ),
    Case(
        "non-utf8-file",
        [raw("actors", lambda b: b.replace(b"Defence", "Défence".encode("latin-1")))],
        [("actors.csv", 3, None, ANY, "UTF-8")],
    ),
    Case("empty-file", [text("claims", lambda t: "")], [("claims.csv", None, None, None, "empty")]),
    Case(
        "header-only",
        [text("claims", lambda t: t.splitlines()[0] + "\n")],
        [("claims.csv", None, None, None, "data row")],
    ),
    Case(
        "short-row",
        [set_line("actors", 3, "KPDF,Kachin Region People's Defence Force,resistance")],
        [("actors.csv", 3, None, ANY, "7 fields, found 3")],
    ),
    Case(
        "blank-line",
        [text("actors", lambda t: t.replace("\nKPDF", "\n\nKPDF"))],
        [("actors.csv", 3, None, "", "no blank lines")],
    ),
    Case("missing-file", [remove("phases")], [("phases.csv", None, None, None, "exist")]),
    Case("no-such-folder", [remove_folder], [(ANY, None, None, None, "does not exist")]),
    Case(
        "line-numbers-count-multiline-cells",
        [
            text(
                "events",
                lambda t: t.replace("Test event one.", '"Test event\none."').replace(
                    "KO-0003,2024-04-01,month", "KO-0003,2024-04-01,fortnight"
                ),
            )
        ],
        [
            ("events.csv", 2, "summary", "Test event\none.", "control characters"),
            ("events.csv", 5, "date_precision", "fortnight", "one of day, week, month"),
        ],
    ),
    Case(
        "every-problem-at-once",
        [
            cell("events", 2, "event_type", "won"),
            cell("events", 4, "date", "yesterday"),
            cell("places", 3, "latitude", "99"),
        ],
        [
            ("events.csv", 2, "event_type", "won", "capture"),
            ("events.csv", 4, "date", "yesterday", "YYYY-MM-DD"),
            ("places.csv", 3, "latitude", "99", "between 9.0 and 29.0"),
        ],
    ),
    # ---- dates
    Case(
        "unparseable-date",
        [cell("events", 3, "date", "20 March 2024")],
        [("events.csv", 3, "date", "20 March 2024", "YYYY-MM-DD")],
    ),
    Case(
        "impossible-date",
        [cell("events", 2, "date", "2024-02-30")],
        [("events.csv", 2, "date", "2024-02-30", "YYYY-MM-DD")],
    ),
    Case("future-date", [cell("events", 4, "date", FUTURE)], [("events.csv", 4, "date", FUTURE, "and today")]),
    Case(
        "date-before-the-offensive",
        [cell("events", 2, "date", "2023-06-01")],
        [("events.csv", 2, "date", "2023-06-01", "between 2023-12-01 and today")],
    ),
    Case(
        "phase-start-before-the-coup",
        [cell("phases", 2, "start", "2020-06-01")],
        [("phases.csv", 2, "start", "2020-06-01", "2021-02-01")],
    ),
    Case(
        "full-width-digits-in-a-date",
        [cell("events", 2, "date", "２０２４-03-07")],
        [("events.csv", 2, "date", "２０２４-03-07", "YYYY-MM-DD")],
    ),
    Case(
        "myanmar-digits-in-a-date",
        [cell("claims", 2, "date", "၂၀၂၄-04-02")],
        [("claims.csv", 2, "date", "၂၀၂၄-04-02", "YYYY-MM-DD")],
    ),
    # ---- vocabularies, ids, keys
    Case(
        "value-outside-vocabulary",
        [cell("events", 2, "event_type", "captured")],
        [("events.csv", 2, "event_type", "captured", "capture")],
    ),
    Case(
        "message-names-everything",
        [cell("events", 2, "date_precision", "year")],
        [("events.csv", 2, "date_precision", "year", "one of day, week, month")],
    ),
    Case(
        "duplicate-id", [cell("events", 3, "event_id", "KO-0001")], [("events.csv", 3, "event_id", "KO-0001", "unique")]
    ),
    Case("malformed-id", [cell("events", 3, "event_id", "KO-2")], [("events.csv", 3, "event_id", "KO-2", "KO-")]),
    Case(
        "look-alike-digits-in-an-id",
        [cell("events", 3, "event_id", "KO-٠٠٠١")],
        [("events.csv", 3, "event_id", "KO-٠٠٠١", "ASCII")],
    ),
    Case(
        "look-alike-digits-in-a-list",
        [cell("events", 2, "source_ids", "S٠٠٠1")],
        [("events.csv", 2, "source_ids", "S٠٠٠1", "ASCII")],
    ),
    Case(
        "unknown-place",
        [cell("events", 2, "place_id", "gamma")],
        [("events.csv", 2, "place_id", "gamma", "places.csv")],
    ),
    Case(
        "unknown-actor-inside-a-list",
        [cell("events", 2, "attackers", "KIA;XYZ")],
        [("events.csv", 2, "attackers", "XYZ", "actors.csv")],
    ),
    Case(
        "unknown-source-inside-a-list",
        [cell("events", 3, "source_ids", "S0001;S0099")],
        [("events.csv", 3, "source_ids", "S0099", "sources.csv")],
    ),
    Case(
        "unknown-phase",
        [cell("events", 2, "phase_id", "phase-nine")],
        [("events.csv", 2, "phase_id", "phase-nine", "phases.csv")],
    ),
    Case(
        "unknown-claim-scope",
        [cell("claims", 3, "scope", "phase-three")],
        [("claims.csv", 3, "scope", "phase-three", "phases.csv")],
    ),
    # ---- numbers
    Case(
        "coordinates-out-of-range",
        [cell("places", 2, "latitude", "34.5")],
        [("places.csv", 2, "latitude", "34.5", "between 9.0 and 29.0")],
    ),
    Case(
        "negative-count", [cell("events", 2, "positions", "-2")], [("events.csv", 2, "positions", "-2", "whole number")]
    ),
    Case(
        "fractional-count",
        [cell("events", 2, "positions", "2.5")],
        [("events.csv", 2, "positions", "2.5", "whole number")],
    ),
    Case(
        "myanmar-digits-in-a-count",
        [cell("events", 2, "positions", "၂")],
        [("events.csv", 2, "positions", "၂", "ASCII digits")],
    ),
    Case(
        "full-width-digits-in-a-count",
        [cell("claims", 2, "value", "５")],
        [("claims.csv", 2, "value", "５", "ASCII digits")],
    ),
    Case(
        "arabic-digits-in-a-coordinate",
        [cell("places", 2, "latitude", "٢٤.٥")],
        [("places.csv", 2, "latitude", "٢٤.٥", "ASCII digits")],
    ),
    Case(
        "twenty-digit-count",
        [cell("events", 2, "positions", "1" * 20)],
        [("events.csv", 2, "positions", "1" * 20, "≤ 1000")],
    ),
    Case(
        "count-of-2-63-minus-1",
        [cell("claims", 2, "value", str(2**63 - 1))],
        [("claims.csv", 2, "value", str(2**63 - 1), "≤ 100000")],
    ),
    Case(
        "five-thousand-digit-count",
        [cell("claims", 2, "value", "9" * 5000)],
        [("claims.csv", 2, "value", ANY, "≤ 100000")],
    ),
    Case(
        "count-above-its-bound",
        [cell("events", 2, "positions", "1001")],
        [("events.csv", 2, "positions", "1001", "≤ 1000")],
    ),
    Case(
        "infinite-coordinate",
        [cell("places", 2, "longitude", "inf")],
        [("places.csv", 2, "longitude", "inf", "decimal number")],
    ),
    Case(
        "bad-boolean",
        [cell("sources", 2, "independent", "yes")],
        [("sources.csv", 2, "independent", "yes", "true or false")],
    ),
    # ---- text
    Case("blank-required-cell", [cell("events", 2, "summary", "")], [("events.csv", 2, "summary", "", "required")]),
    Case(
        "spaces-around-a-value",
        [cell("events", 2, "confidence", " reported")],
        [("events.csv", 2, "confidence", " reported", "one of")],
    ),
    Case(
        "nul-byte-in-a-summary",
        [cell("events", 2, "summary", "Test\x00event")],
        [("events.csv", 2, "summary", "Test\x00event", "control characters")],
    ),
    Case(
        "terminal-escape-in-a-summary",
        [cell("events", 2, "summary", "\x1b[2J\x1b[31mTest")],
        [("events.csv", 2, "summary", ANY, "control characters")],
    ),
    Case(
        "control-character-in-a-phase-name",
        [cell("phases", 2, "name", "Phase\x0btwo")],
        [("phases.csv", 2, "name", "Phase\x0btwo", "control characters")],
    ),
    Case(
        "bidi-override-in-a-target",
        [cell("events", 2, "target", "camp \u202eylno")],
        [("events.csv", 2, "target", ANY, "bidi")],
    ),
    Case(
        "tab-in-a-publisher",
        [cell("sources", 2, "publisher", "Test\tOutlet")],
        [("sources.csv", 2, "publisher", "Test\tOutlet", "control characters")],
    ),
    Case(
        "control-character-in-an-alias",
        [cell("places", 2, "aliases", "Alfa;Al\x07pa")],
        [("places.csv", 2, "aliases", "Alfa;Al\x07pa", "control characters")],
    ),
    Case(
        "formula-in-a-summary",
        [cell("events", 2, "summary", '=HYPERLINK("http://x")')],
        [("events.csv", 2, "summary", ANY, "formula")],
    ),
    Case(
        "url-with-an-escape",
        [cell("sources", 2, "url", "https://example.org/\x1b")],
        [("sources.csv", 2, "url", ANY, "ASCII")],
    ),
    # ---- rules on rows
    Case(
        "count-without-precision",
        [cell("events", 2, "positions_precision", "")],
        [("events.csv", 2, "positions_precision", "", "all filled or all empty")],
    ),
    Case(
        "capture-without-target-type",
        [cell("events", 2, "target_type", "")],
        [("events.csv", 2, "target_type", "", "capture event")],
    ),
    Case(
        "capture-without-place",
        [cell("events", 3, "place_id", "")],
        [("events.csv", 3, "place_id", "", "capture event")],
    ),
    Case(
        "half-given-coordinates",
        [cell("places", 2, "longitude", "")],
        [("places.csv", 2, "longitude", "", "all filled or all empty")],
    ),
    Case(
        "phase-ending-before-it-starts",
        [cell("phases", 3, "end", "2024-03-01")],
        [
            ("phases.csv", 3, "end", "2024-03-01", "on or after start"),  # and so its events fall outside it:
            ("events.csv", 2, "date", "2024-03-07", "inside its phase"),
            ("events.csv", 3, "date", "2024-03-20", "inside its phase"),
        ],
    ),
    # ---- the schema's rules (schema.RULES)
    Case(
        "month-precision-mid-month",
        [cell("events", 4, "date", "2024-04-15")],
        [("events.csv", 4, "date", "2024-04-15", "1st of the month")],
    ),
    Case(
        "event-after-its-phase-ended",
        [cell("events", 2, "date", "2024-05-10")],
        [("events.csv", 2, "date", "2024-05-10", "inside its phase 'phase-one'")],
    ),
    Case(
        "event-before-its-phase-began",
        [cell("events", 4, "phase_id", "phase-one"), cell("events", 4, "date", "2024-05-01")],
        [("events.csv", 4, "date", "2024-05-01", "month (2024-05-01 to 2024-05-31)")],
    ),
    Case(
        "claim-counting-from-after-it-was-made",
        [cell("claims", 2, "since", "2024-04-10")],
        [("claims.csv", 2, "since", "2024-04-10", "on or before the claim's date")],
    ),
    Case(
        "same-actor-attacking-and-defending",
        [cell("events", 3, "defenders", "MAF;KIA")],
        [("events.csv", 3, "defenders", "KIA", "also listed in attackers")],
    ),
    Case(
        "other-party-also-fighting",
        [cell("events", 3, "other_parties", "MAF")],
        [("events.csv", 3, "other_parties", "MAF", "also listed in defenders")],
    ),
    # ---- legal but suspicious: warnings
    Case(
        "coordinates-inside-china",
        [cell("places", 2, "latitude", "25.0"), cell("places", 2, "longitude", "100.5")],
        [("places.csv", 2, "latitude", "25.0, 100.5", "in China")],
        warn=True,
    ),
    Case(
        "coordinates-inside-india",
        [cell("places", 3, "latitude", "24.8"), cell("places", 3, "longitude", "93.9")],
        [("places.csv", 3, "latitude", "24.8, 93.9", "in India")],
        warn=True,
    ),
    Case(
        "recapture-with-no-earlier-capture",
        [cell("events", 5, "date", "2024-03-10"), cell("events", 5, "phase_id", "phase-one")],
        [("events.csv", 5, "event_type", "recapture", "capture of 'alpha'")],
        warn=True,
    ),
    Case(
        "actor-referenced-by-nothing",
        [append("actors", "XYZ,Nobody,other,other,,,Test actor.")],
        [("actors.csv", 5, "actor_id", "XYZ", "nothing in the record references")],
        warn=True,
    ),
    Case(
        "source-referenced-by-nothing",
        [append("sources", "S0004,https://example.org/d,Test Outlet,,,,,true")],
        [("sources.csv", 5, "source_id", "S0004", "nothing in the record references")],
        warn=True,
    ),
    # ---- ACLED exports (from_acled)
    Case(
        "acled-negative-fatalities",
        [acled_cell(3, "fatalities", "-3")],
        [("acled.csv", 3, "fatalities", "-3", "≥ 0")],
        target="acled",
    ),
    Case(
        "acled-bad-fatalities",
        [acled_cell(3, "fatalities", "many")],
        [("acled.csv", 3, "fatalities", "many", "whole number")],
        target="acled",
    ),
    Case(
        "acled-myanmar-digit-fatalities",
        [acled_cell(3, "fatalities", "၃")],
        [("acled.csv", 3, "fatalities", "၃", "ASCII digits")],
        target="acled",
    ),
    Case(
        "acled-unknown-time-precision",
        [acled_cell(2, "time_precision", "9")],
        [("acled.csv", 2, "time_precision", "9", "1 (day)")],
        target="acled",
    ),
    Case(
        "acled-unknown-geo-precision",
        [acled_cell(2, "geo_precision", "7")],
        [("acled.csv", 2, "geo_precision", "7", "1, 2 or 3")],
        target="acled",
    ),
    Case(
        "acled-no-time-precision-column",
        [acled_text(lambda t: t.replace("time_precision", "precision_time", 1))],
        [("acled.csv", 1, "time_precision", None, "this ACLED column")],
        target="acled",
    ),
    Case(
        "acled-wrong-delimiter",
        [acled_text(lambda t: t.replace(",", ";"))],
        [("acled.csv", 1, None, ANY, "separated by semicolons")],
        target="acled",
    ),
    Case("acled-empty-file", [acled_text(lambda t: "")], [("acled.csv", 1, None, None, "empty")], target="acled"),
    Case(
        "acled-latin-1-text",
        [acled_bytes(lambda b: b.replace(b"Momauk", "Momaúk".encode("latin-1"), 1))],
        [("acled.csv", 2, None, ANY, "UTF-8")],
        target="acled",
    ),
    Case(
        "acled-latin-1-text-far-down",
        [
            acled_bytes(
                lambda b: b + b"\n".join(b.splitlines()[1:]) * 40 + "\nMMR9,2024-03-07,Kachín".encode("latin-1") + b"\n"
            )
        ],
        [("acled.csv", ANY, None, ANY, "UTF-8")],
        target="acled",
    ),
    Case(
        "acled-short-row",
        [acled_text(lambda t: t.replace("\n", "\nMMR1,2024-01-01,2024\n", 1))],
        [("acled.csv", 2, None, "MMR1,2024-01-01,2024", "31 fields like the header, found 3")],
        target="acled",
    ),
    Case(
        "acled-duplicate-event",
        [acled_text(lambda t: t + t.splitlines()[1] + "\n")],
        [("acled.csv", 14, "event_id_cnty", "MMR90001", "not already used")],
        target="acled",
    ),
    Case(
        "acled-duplicate-column",
        [
            acled_text(
                lambda t: "\n".join(ln + (",notes" if i == 0 else ",x") for i, ln in enumerate(t.splitlines())) + "\n"
            )
        ],
        [("acled.csv", 1, "notes", "notes", "each column once")],
        target="acled",
    ),
]


def _matches(problem: ka.Problem, want: tuple) -> bool:
    file, line, column, value, words = want
    got = (problem.file, problem.line, problem.column, problem.value)
    return all(w is ANY or w == g for w, g in zip((file, line, column, value), got)) and words in problem.expected


def _load(folder: Path, case: Case):
    if case.target == "acled":
        return ka.from_acled(folder / "acled.csv")
    return ka.load_record(folder, cache=False)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_bad_input(case: Case, minimal_dir: Path):
    if case.target == "acled":
        shutil.copy(SAMPLE_ACLED, minimal_dir / "acled.csv")
    for edit in case.edits:
        edit(minimal_dir)
    if case.warn:
        record = _load(minimal_dir, case)
        found = [w for w in record.warnings if (w.file, w.line, w.column, w.value) not in BASELINE_WARNINGS]
    else:
        with pytest.raises(ka.RecordError) as info:
            _load(minimal_dir, case)
        found = info.value.problems
        message = str(info.value)
        for p in found:  # each problem is printed with where it is and what was expected
            assert p.file in message and p.expected in message
    assert len(found) == len(case.problems), [str(p) for p in found]
    for want in case.problems:
        assert any(_matches(p, want) for p in found), (want, [str(p) for p in found])


# --------------------------------------------------------------------------- what must pass


def test_the_fixture_itself_is_valid(minimal_dir):
    record = ka.load_record(minimal_dir)
    assert len(record.events) == 5
    assert {(w.file, w.line, w.column, w.value) for w in record.warnings} == BASELINE_WARNINGS


def test_a_leading_apostrophe_is_kept_as_written(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "summary", "'=1 is how a spreadsheet is told: text")
    edit_cell(minimal_dir, "places", 2, "name", "'t Alpha")
    record = ka.load_record(minimal_dir)
    assert record.events.loc[0, "summary"] == "'=1 is how a spreadsheet is told: text"
    assert record.places.set_index("place_id").loc["alpha", "name"] == "'t Alpha"


def test_scripts_other_than_latin_are_text_like_any_other(minimal_dir):
    edit_cell(minimal_dir, "places", 2, "aliases", "Alfa;ဗန်းမော်;بامو")  # Myanmar and Arabic script in a list
    edit_cell(minimal_dir, "events", 2, "summary", "Taken in ၂၀၂၄, per ＫＩＡ.")  # digits inside text stay text
    record = ka.load_record(minimal_dir)
    assert record.events.loc[0, "summary"] == "Taken in ၂၀၂၄, per ＫＩＡ."


def test_a_month_event_dated_the_1st_belongs_to_a_phase_starting_later_that_month(minimal_dir):
    # The shipped record has month-precision rows dated 2024-03-01 in a phase starting 2024-03-07.
    edit_cell(minimal_dir, "events", 2, "date", "2024-03-01")
    edit_cell(minimal_dir, "events", 2, "date_precision", "month")
    edit_cell(minimal_dir, "events", 3, "date", "2024-03-04")  # a week from the 4th reaches the 7th
    edit_cell(minimal_dir, "events", 3, "date_precision", "week")
    assert len(ka.load_record(minimal_dir).events) == 5


def test_week_precision_dates_need_not_be_mondays(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "date_precision", "week")  # 2024-03-07 is a Thursday
    ka.load_record(minimal_dir)


def test_every_declared_rule_is_checked_and_every_check_declared():
    from kachin_analysis import rules, schema

    assert {r.key for r in schema.RULES} == set(rules.RULE_CHECKS)
    assert all(r.severity in ("error", "warning") for r in schema.RULES)


def test_the_shipped_record_breaks_no_rule_and_its_warnings_are_known(record):
    # Loading at all proves no error rule is broken; the warnings are the record's known open questions.
    kinds = {(w.file, w.column) for w in record.warnings}
    assert kinds <= {("events.csv", "event_type"), ("places.csv", "place_id"), ("places.csv", "latitude")}
