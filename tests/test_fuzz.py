"""Fuzzed loaders: random corruptions of valid files end in our own clear error or a correct load."""

from __future__ import annotations

import random
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kachin_analysis as ka
from conftest import MINIMAL

#: Hypothesis runs hundreds of examples against the real schema: part of the slow suite (make test).
pytestmark = pytest.mark.slow


def truncate_line(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    i = rng.randrange(1, max(2, len(lines) - 1))
    lines[i] = lines[i][: rng.randrange(0, max(1, len(lines[i])))]
    return "\n".join(lines)


def wrong_delimiter(text: str, rng: random.Random) -> str:
    return text.replace(",", rng.choice([";", "\t", "|"]))


def swap_columns(text: str, rng: random.Random) -> str:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    a, b = rng.sample(range(len(rows[0])), 2)
    keep_header = rng.random() < 0.5  # swap data only, or header and data together
    for k, row in enumerate(rows):
        if len(row) > max(a, b) and (k > 0 or not keep_header):
            row[a], row[b] = row[b], row[a]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def stray_quote(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + '"' + text[i:]


def bom(text: str, rng: random.Random) -> str:
    return "\ufeff" + text


def crlf(text: str, rng: random.Random) -> str:
    return text.replace("\n", "\r\n")


def huge_field(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    i = rng.randrange(1, max(2, len(lines) - 1))
    return "\n".join([*lines[:i], lines[i] + "x" * rng.choice([10**5, 2 * 10**5]), *lines[i + 1 :]])


def drop_char(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :]


def duplicate_line(text: str, rng: random.Random) -> str:
    lines = text.rstrip("\n").split("\n")
    i = rng.randrange(1, len(lines))
    return "\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]) + "\n"


CORRUPTIONS = [
    truncate_line,
    wrong_delimiter,
    swap_columns,
    stray_quote,
    bom,
    crlf,
    huge_field,
    drop_char,
    duplicate_line,
]
TABLES = ["events", "places", "sources", "actors", "phases", "claims"]
REFERENCE = ka.load_record(MINIMAL)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(TABLES), corruption=st.sampled_from(CORRUPTIONS), seed=st.integers(0, 10**6))
def test_corrupted_files_fail_cleanly_or_load_exactly(tmp_path_factory, table, corruption, seed):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    path = folder / f"{table}.csv"
    original = path.read_text(encoding="utf-8")
    path.write_bytes(corruption(original, random.Random(seed)).encode("utf-8"))
    try:
        record = ka.load_record(folder)
    except ka.RecordError as err:
        assert err.problems and all(p.file for p in err.problems)
        assert str(err).count("\n") >= 1
        return
    # It loaded: then nothing may be lost or changed. Every record in the corrupted file is a row, and
    # every cell reads back exactly as the file wrote it; the untouched tables equal the clean ones.
    for name, frame in record.tables.items():
        if name != table:
            if name not in ("events", "phases", "actors"):  # these are re-ordered or re-typed by cross-table keys
                pd.testing.assert_frame_equal(frame, REFERENCE.tables[name])
            continue
        assert_cells_match_file(frame, path.read_bytes().decode("utf-8-sig"), name)


def assert_cells_match_file(frame, text, name):
    import csv
    import io

    from kachin_analysis.parse import format_table as _format
    from kachin_analysis.schema import TABLES

    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert len(frame) == len(body), "a silently shorter (or longer) frame"
    by_id = {r[header.index(TABLES[name].primary_key)]: r for r in body}
    formatted = _format(frame, TABLES[name])
    for _, out in formatted.iterrows():
        src = by_id[out[TABLES[name].primary_key]]
        for col in TABLES[name].columns:
            got, want = (
                out[col.name].lstrip("'") if out[col.name].startswith("'") else out[col.name],
                src[header.index(col.name)],
            )
            if col.kind == "number" and want:
                assert float(got) == float(want), (col.name, got, want)
            else:
                assert got == want, (col.name, got, want)


@pytest.mark.parametrize("corruption", [bom, crlf])
def test_harmless_encodings_load_exactly(tmp_path, corruption):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    for table in TABLES:
        p = tmp_path / f"{table}.csv"
        p.write_text(corruption(p.read_text(encoding="utf-8"), random.Random(0)), encoding="utf-8", newline="")
    record = ka.load_record(tmp_path)
    for name in TABLES:
        pd.testing.assert_frame_equal(record.tables[name], REFERENCE.tables[name])


# Any text at all in a text cell: it loads exactly as written, or the error names that cell. Never a traceback,
# never a silently changed value, never a number read from digits of another script.
TEXT_CELLS = [
    ("events", "summary"),
    ("events", "target"),
    ("places", "name"),
    ("places", "aliases"),
    ("phases", "name"),
    ("sources", "publisher"),
    ("events", "event_id"),
    ("events", "positions"),
    ("claims", "value"),
    ("places", "latitude"),
]
_FUZZ_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30
) | st.sampled_from(
    [
        "\x00",
        "\x1b[31m",
        "'=1",
        "=1+1",
        "-5",
        "KO-٠٠٠١",
        "၁၂",
        "１２",
        "1" * 20,
        str(2**63 - 1),
        "\u202eabc",
        "a\r\nb",
        "'",
        " x",
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(TEXT_CELLS), value=_FUZZ_TEXT)
def test_any_text_in_a_cell_loads_exactly_or_is_named(tmp_path_factory, where, value):
    import csv
    import io
    import re

    from kachin_analysis.schema import TABLES as SCHEMA

    table, column = where
    folder = tmp_path_factory.mktemp("text")
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    path = folder / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        record = ka.load_record(folder, cache=False)
    except ka.RecordError as err:
        assert any(p.file == f"{table}.csv" and p.column == column for p in err.problems) or any(
            p.file == f"{table}.csv" and p.column is None for p in err.problems
        ), [str(p) for p in err.problems]
        return
    kind = SCHEMA[table].column(column).kind
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", value)
    if kind in ("integer", "number"):
        assert re.fullmatch(r"[0-9.]*", value)  # only ASCII digits become numbers
        return
    frame = record.tables[table]
    key = SCHEMA[table].primary_key
    row = frame[frame[key] == (value if column == key else rows[1][0])]
    got = row[column].iloc[0]
    assert (got if isinstance(got, str) else "") == value  # exactly as written, apostrophes and all
