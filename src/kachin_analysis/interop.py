"""ACLED interoperability: read ACLED exports into events frames, and write our record in ACLED's layout.

:func:`from_acled` turns an ACLED export (its current CSV columns) into a frame
shaped like ``events.csv`` that every helper in :mod:`kachin_analysis.aggregate`
accepts. :func:`to_acled` writes our record in ACLED's column layout, with cells
made safe for spreadsheets.

Example
-------
>>> import kachin_analysis as ka
>>> acled = ka.to_acled(ka.load_record())
>>> back = ka.from_acled(acled)
>>> len(back) == len(acled)
True
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem, RecordError
from .files import neutralise_cell
from .inputs import require_record
from .load import Record
from .repeats import repeated
from .schema import ACLED_EVENT_TYPES, ACLED_GEO_PRECISION, ACLED_INTER, ACLED_TIME_PRECISION, LIST_SEP

__all__ = ["ACLED_COLUMNS", "SAMPLE_ACLED", "SUB_EVENT_TO_TYPE", "from_acled", "to_acled"]

#: A small, synthetic, hand-written file in ACLED's layout (not ACLED data), for trying the helpers.
SAMPLE_ACLED = Path(__file__).parent / "samples" / "acled_sample.csv"

#: ACLED's export columns, in its order.
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
_REQUIRED = ("event_id_cnty", "event_date", "sub_event_type", "actor1", "latitude", "longitude")

#: ACLED sub-event type → our event_type, from the one table in the schema. Any other sub-event type becomes ``other``.
SUB_EVENT_TO_TYPE = {sub: ours for ours, _, sub, _, _ in ACLED_EVENT_TYPES}
_TIME_PRECISION = {code: ours for ours, code in ACLED_TIME_PRECISION.items()}
_GEO_PRECISION: dict[str, str] = {}
for _ours, _acled in ACLED_GEO_PRECISION.items():
    _GEO_PRECISION.setdefault(_acled, _ours)  # code 3 reads back as the finer of our two fallbacks
# ACLED's actor-type codes, as numbers (before 2024) and as text (since).
_INTER = {
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
    "0": "",
}
_INTER_SIDE = {
    "state forces": "junta",
    "rebel group": "resistance",
    "political militia": "other",
    "identity militia": "other",
    "external/other forces": "other",
}
# Political militias are split by name: Myanmar's PDFs fight the junta, Pyu Saw Htee fights for it.
_RESISTANCE_MILITIA = re.compile(r"people'?s defen[cs]e force|\bPDF\b|local defen[cs]e force", re.I)
_PRO_JUNTA_MILITIA = re.compile(r"pyu ?saw ?h?tee?|pyusawhti", re.I)
_DATE_DMY = "%d %B %Y"


#: ACLED columns this package does not read (their content is implied by, or irrelevant to, the ones it does).
_UNUSED = (
    "year",
    "disorder_type",
    "event_type",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "source_scale",
    "tags",
    "timestamp",
)
_NEEDED = tuple(c for c in ACLED_COLUMNS if c not in _UNUSED)
# Columns that repeat few values: read dictionary-encoded, so that parsing and mapping run once per distinct value.
_LOW_CARDINALITY = tuple(c for c in _NEEDED if c not in ("event_id_cnty", "notes"))
# First try: let Arrow's CSV reader parse dates, coordinates and counts itself (fast). Any cell it cannot parse
# sends the whole file down the string path, where each bad cell is found and reported.


def _diagnose(source, name: str, limit: int = 20) -> list[Problem]:
    """Why Arrow could not read a CSV file, line by line: bytes that are not UTF-8, rows whose field count
    differs from the header's. Empty when no such cause is found."""
    import csv as _csv

    try:
        data = source.getvalue() if isinstance(source, io.BytesIO) else Path(source).read_bytes()
    except OSError:
        return []
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [
            Problem(
                name,
                line,
                None,
                repr(data[exc.start : exc.start + 4]),
                "UTF-8 text (ACLED exports are UTF-8; this looks like Latin-1 or Windows-1252: re-save as UTF-8)",
            )
        ]
    problems = []
    reader = _csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                problems.append(
                    Problem(
                        name, start, None, ",".join(row)[:80], f"{len(header)} fields like the header, found {len(row)}"
                    )
                )
                if len(problems) >= limit:
                    break
            start = reader.line_num + 1
    except _csv.Error as exc:
        problems.append(Problem(name, reader.line_num, None, None, f"well-formed CSV ({exc})"))
    return problems


def _dict_map(arr, fn, *, as_dictionary: bool = False, value_type=None):
    """Map each distinct value once (ACLED columns repeat a few values a million times); returns an Arrow array of
    ``value_type`` (text by default), dictionary-encoded when ``as_dictionary`` (it then becomes a pandas categorical
    without materialising strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arr.combine_chunks() if hasattr(arr, "combine_chunks") else arr
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    values = [fn(v) for v in arr.dictionary.to_pylist()]
    if as_dictionary:  # distinct inputs may map to one output: categories must stay unique
        uniques = list(dict.fromkeys(v for v in values if v is not None))
        position = {v: i for i, v in enumerate(uniques)}
        remap = pa.array([position.get(v) for v in values], type=pa.int32())
        return pa.DictionaryArray.from_arrays(pc.take(remap, arr.indices), pa.array(uniques, type=pa.string()))
    return pc.take(pa.array(values, type=value_type or pa.string()), arr.indices)


def _category(arr):
    """A column as one dictionary array (a pandas categorical later) without mapping its values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arr.combine_chunks() if hasattr(arr, "combine_chunks") else arr
    return arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)


def _per_value(arr, fn):
    """Apply an Arrow compute function once per distinct value of a dictionary column (else to every value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arr.combine_chunks() if hasattr(arr, "combine_chunks") else arr
    if pa.types.is_dictionary(arr.type):
        return pc.take(fn(arr.dictionary), arr.indices)
    return fn(arr)


def _map_dictionary(arr, fn):
    """``arr`` dictionary-encoded with ``fn`` applied to its distinct values; missing rows stay missing."""
    import pyarrow as pa

    arr = _category(arr)
    return pa.DictionaryArray.from_arrays(arr.indices, fn(arr.dictionary))


def _per_pair(fn, a, b, *, as_dictionary: bool = False):
    """``fn(a, b)`` row by row for two dictionary arrays, worked out once per distinct pair of values (a million
    ACLED rows hold a few thousand pairs); a missing row is passed to ``fn`` as null. With ``as_dictionary`` the
    result stays dictionary-encoded (no string per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def positions(arr):  # each row's value; a missing row points one past the end, at a null
        return pc.fill_null(arr.indices, len(arr.dictionary)).to_numpy(zero_copy_only=False)

    def values(arr, at):
        return pc.take(pa.concat_arrays([arr.dictionary, pa.nulls(1, arr.dictionary.type)]), pa.array(at))

    width = len(b.dictionary) + 1
    key = positions(a).astype(np.int64)  # one array, worked in place: a million rows' temporaries cost page faults
    key *= width
    key += positions(b)
    pair, distinct = pd.factorize(key)
    result = fn(values(a, distinct // width), values(b, distinct % width))
    if not as_dictionary:  # text as pandas keeps it (large strings), so the frame need not copy a million again
        return pc.take(pc.cast(result, pa.large_string()), pa.array(pair))
    encoded = pc.dictionary_encode(result)  # each distinct result once; a missing result is a missing row
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)[pair]
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), encoded.dictionary)


def _as_string(arr):
    import pyarrow as pa
    import pyarrow.compute as pc

    if (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) and arr.null_count == 0:
        return arr  # already plain text with no gaps: no copy
    arr = arr.combine_chunks() if hasattr(arr, "combine_chunks") else arr
    if pa.types.is_dictionary(arr.type):
        arr = pc.take(arr.dictionary, arr.indices)
    return pc.fill_null(pc.cast(arr, pa.string()), "")


def _inter_text(v: str | None) -> str:
    v = (v or "").strip()
    if v.endswith(".0"):
        v = v[:-2]
    return _INTER.get(v, v)


def _slug(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")


def _sides(inter, actor):
    """Side per row from the inter code; political militias split by name (PDFs resistance, Pyu Saw Htee pro-junta).
    A row with no inter code has no side; a militia with no name has none either."""
    import pyarrow as pa

    def side(code: str | None, name: str | None) -> str | None:
        kind = _inter_text(code).lower()
        if kind != "political militia":
            return _INTER_SIDE.get(kind) if kind else None
        if name is None:
            return None
        if _RESISTANCE_MILITIA.search(name):
            return "resistance"
        return "pro_junta" if _PRO_JUNTA_MILITIA.search(name) else "other"

    def sides(codes, names):
        return pa.array([side(c, n) for c, n in zip(codes.to_pylist(), names.to_pylist())], type=pa.string())

    return _per_pair(sides, _category(inter), _category(actor), as_dictionary=True)


def _join_actors(main, assoc, *, missing_if_no_main: bool = False):
    """``main;assoc`` per row, trimmed (``main`` alone when there is no associate); with ``missing_if_no_main``, a
    row without a main actor is missing. Worked out once per distinct pair of cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    main = _map_dictionary(main, lambda a: pc.fill_null(pc.utf8_trim_whitespace(a), ""))
    assoc = _map_dictionary(
        assoc, lambda a: pc.fill_null(pc.utf8_trim(pc.replace_substring_regex(a, r"\s*;\s*", LIST_SEP), " ;"), "")
    )

    def join(m, a):
        a = pc.fill_null(a, "")  # no associate cell (or no assoc_actor column at all): the main actor alone
        joined = pc.if_else(pc.equal(a, ""), m, pc.binary_join_element_wise(m, a, LIST_SEP))
        return pc.if_else(pc.equal(m, ""), pa.scalar(None, pa.string()), joined) if missing_if_no_main else joined

    return _per_pair(join, main, assoc)


_FORMATS = (
    (b"PK\x03\x04", "an Excel workbook or other zip file (export it as CSV)"),
    (b"{", "JSON (ACLED's API answers in JSON; ask it for CSV or use its CSV export)"),
    (b"[", "JSON (ACLED's API answers in JSON; ask it for CSV or use its CSV export)"),
    (b"<", "HTML or XML, not CSV"),
)
_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _sniff(head: bytes, name: str) -> str:
    """The header line of a CSV export, or a ``RecordError`` that says what the file is instead."""
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body:
        raise RecordError([Problem(name, 1, None, None, "an ACLED CSV export; the file is empty")])
    for magic, what in _FORMATS:
        if body.startswith(magic):
            raise RecordError([Problem(name, 1, None, None, f"an ACLED CSV export; this looks like {what}")])
    try:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise RecordError(
            [
                Problem(
                    name,
                    line,
                    None,
                    repr(head[exc.start : exc.start + 4]),
                    "UTF-8 text (ACLED exports are UTF-8; re-save the file as UTF-8)",
                )
            ]
        ) from None
    first = text.split("\n", 1)[0].rstrip("\r")
    if "," not in first:
        for sep, what in _DELIMITERS.items():
            if first.count(sep) >= 3:
                raise RecordError(
                    [
                        Problem(
                            name,
                            1,
                            None,
                            first[:60],
                            f"a comma-separated ACLED export; this header is separated by {what}",
                        )
                    ]
                )
    return first


def _admin1_mask(admin1, wanted: list[str]):
    """Rows whose admin1 matches one of ``wanted``: case-insensitive, and a name matches its parts
    (``Shan`` → ``Shan-North``, ``Shan-South``, ``Shan-East``). Warns, listing what there is, when nothing matches."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = _category(admin1)
    present = [v for v in arr.dictionary.to_pylist() if v]
    keys = [w.strip().casefold() for w in wanted]

    def hit(v: str | None) -> bool:
        v = (v or "").strip().casefold()
        return any(v == k or v.startswith(k + "-") or v.startswith(k + " ") for k in keys)

    table = pa.array([hit(v) for v in arr.dictionary.to_pylist()], type=pa.bool_())
    mask = pc.fill_null(pc.take(table, arr.indices), False)
    if not pc.any(mask).as_py():
        warnings.warn(
            f"admin1={wanted!r} matches no row; the file's admin1 values are: {', '.join(sorted(present)) or '(none)'}",
            stacklevel=4,
        )
    return mask


def from_acled(
    path_or_frame: str | os.PathLike | pd.DataFrame | io.StringIO,
    *,
    admin1: str | list[str] | tuple[str, ...] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    errors: str = "raise",
) -> pd.DataFrame:
    """Read an ACLED export into an events frame the aggregation helpers accept.

    ``event_date`` may be ISO (``2024-03-07``) or ACLED's ``07 March 2024``;
    ``inter1``/``inter2`` may be numeric codes or text. Associated actors
    (``;``-separated) join the main actor in ``attackers``/``defenders``.
    Sides come from the inter codes (political militias by name: PDFs are
    resistance, Pyu Saw Htee pro-junta). ``admin1`` and ``start``/``end``
    filter rows on purpose; every other row is kept. A row that cannot be
    mapped (no readable date, an unreadable coordinate, no actor) raises one
    :class:`~kachin_analysis.load.RecordError` listing them all, or, with
    ``errors="report"``, is left out with a warning and listed in
    ``frame.attrs["unmapped"]``. The work is done in Arrow, so a million rows
    read in about the time Arrow takes to parse the file.

    The stages, each a function tested on its own: :func:`sniff_export` (is it
    a CSV export with the columns we need?) → :func:`read_export` (Arrow reads
    it) → :func:`filter_rows` (admin1, start, end) → :func:`map_events` (ACLED's
    columns to ours) → :func:`unmappable_rows` (what cannot be mapped) →
    :func:`to_events_frame` (typed pandas frame).

    >>> csv = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,inter1,"
    ...        "actor2,assoc_actor_2,inter2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities\\n"
    ...        "MMR1,07 March 2024,1,Battles,Non-state actor overtakes territory,KIA: Kachin Independence Army,,2,"
    ...        "Military Forces of Myanmar (2021-),,1,Kachin,Bhamo,Momauk,Lweje,24.3,97.5,1,Irrawaddy,Base taken.,0\\n")
    >>> ev = from_acled(io.StringIO(csv))
    >>> ev.loc[0, ["event_type", "attacker_side", "defender_side"]].tolist()
    ['capture', 'resistance', 'junta']
    """
    if errors not in ("raise", "report"):
        raise ValueError("errors must be 'raise' or 'report'")
    export = read_export(sniff_export(path_or_frame))
    keep = filter_rows(export, admin1=admin1, start=start, end=end)
    events = map_events(export)
    problems, unmapped = unmappable_rows(export, keep)
    if problems and errors == "raise":
        raise RecordError(problems)
    frame = to_events_frame(events, keep & ~unmapped)
    if problems:
        warnings.warn(
            f"{len(problems)} problems in {int(unmapped.sum())} ACLED rows; they are left out and listed in "
            ".attrs['unmapped']",
            stacklevel=2,
        )
        frame.attrs["unmapped"] = pd.DataFrame([p.__dict__ for p in problems])
    return frame


# --------------------------------------------------------------------------- from_acled, stage by stage


@dataclass
class AcledSource:
    """An ACLED export that looks readable: its name in messages, what Arrow reads, and its header."""

    name: str
    source: pd.DataFrame | io.BytesIO | str | os.PathLike
    header: list[str]


def sniff_export(path_or_frame: str | os.PathLike | pd.DataFrame | io.StringIO) -> AcledSource:
    """Stage 1: refuse what is not an ACLED CSV export (a workbook, JSON, another delimiter, a header
    without the columns we need), saying what it is instead.

    >>> sniff_export(io.StringIO("event_id_cnty;event_date;actor1;latitude\\n"))
    Traceback (most recent call last):
    ...
    kachin_analysis.errors.RecordError: 1 problem in the record:
      - ACLED text, line 1: found 'event_id_cnty;event_date;actor1;latitude', expected a comma-separated ACLED export; this header is separated by semicolons
    """
    if isinstance(path_or_frame, pd.DataFrame):
        src = AcledSource("ACLED frame", path_or_frame, [str(c) for c in path_or_frame.columns])
    else:
        if isinstance(path_or_frame, io.StringIO):
            name, head = "ACLED text", path_or_frame.getvalue()[:65536].encode("utf-8")
            source: io.BytesIO | str | os.PathLike = io.BytesIO(path_or_frame.getvalue().encode("utf-8"))
        else:
            name, source = Path(path_or_frame).name, path_or_frame
            with open(path_or_frame, "rb") as fh:
                head = fh.read(65536)
        src = AcledSource(name, source, next(csv.reader([_sniff(head, name)]), []))
    _check_header(src)
    return src


def _check_header(src: AcledSource) -> None:
    header = src.header
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:  # which of two same-named columns is meant cannot be guessed
        raise RecordError([Problem(src.name, 1, c, c, "each column once in the header") for c in dupes])
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise RecordError([Problem(src.name, 1, c, None, "this ACLED column in the header") for c in missing])
    if "time_precision" not in header:  # Arrow would fill a missing column with empty cells: refuse it here
        raise RecordError(
            [
                Problem(
                    src.name,
                    1,
                    "time_precision",
                    None,
                    "this ACLED column in the header (without it no date's precision is known)",
                )
            ]
        )


class AcledExport:
    """Stage 2's result: the export as an Arrow table, with each column as text (:meth:`text`) or as read
    (:meth:`raw`, dictionary-encoded where that pays), and the values parsed once (dates, coordinates)."""

    def __init__(self, name: str, table, *, typed: bool = False):
        self.name, self.table, self.n = name, table, table.num_rows
        self.typed = typed  # read typed: dates parse as Arrow's reader parses them (no trimming)
        self._raw: dict = {}  # columns as read, combined once (several stages read the same column)

    def has(self, c: str) -> bool:
        return c in self.table.column_names

    def is_type(self, c: str, kind: str) -> bool:
        """Whether Arrow typed column ``c`` itself (``kind`` as in ``pyarrow.types.is_<kind>``)."""
        import pyarrow as pa

        return self.has(c) and getattr(pa.types, f"is_{kind}")(self.table.schema.field(c).type)

    def text(self, c: str):
        """Column ``c`` as plain strings, "" for empty (a column the file lacks is all "")."""
        import pyarrow as pa

        return _as_string(self.table[c]) if self.has(c) else pa.array([""] * self.n, type=pa.string())

    def raw(self, c: str):
        """Column ``c`` as read: dictionary-encoded or typed as Arrow read it, for per-value work."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.has(c):
            return pa.array([""] * self.n, type=pa.string())
        if c not in self._raw:
            arr = self.table[c].combine_chunks()
            self._raw[c] = arr if pa.types.is_dictionary(arr.type) else pc.fill_null(pc.cast(arr, pa.string()), "")
        return self._raw[c]

    @functools.cached_property
    def dates(self):
        """event_date as timestamps (null where neither YYYY-MM-DD nor DD Month YYYY), parsed once per distinct
        value."""
        return _per_value(self.raw("event_date"), _dates_as_read if self.typed else _parse_dates)

    def unreadable_dates(self) -> bool:
        """Whether a non-empty event_date cell does not parse (a typed read then gives way to the text path)."""
        import pyarrow.compute as pc

        dates = _category(self.raw("event_date")).dictionary
        return pc.any(pc.and_(pc.is_null(_dates_as_read(dates)), pc.not_equal(dates, ""))).as_py() or False

    @functools.cached_property
    def latitude(self):
        """(value, unreadable-or-out-of-range mask)."""
        return self._coordinate("latitude", -90, 90)

    @functools.cached_property
    def longitude(self):
        return self._coordinate("longitude", -180, 180)

    def _coordinate(self, c: str, lo: float, hi: float):
        import pyarrow.compute as pc

        if self.is_type(c, "floating"):
            value = self.table[c].combine_chunks()
            given = pc.is_valid(value)
        else:
            value = _per_value(self.raw(c), _parse_number)
            given = _per_value(self.raw(c), lambda t: pc.not_equal(_trimmed(t), ""))
        in_range = pc.and_(pc.greater_equal(value, lo), pc.less_equal(value, hi))
        return value, pc.and_(given, pc.invert(pc.fill_null(in_range, False)))


def _trimmed(arr):
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))


def _parse_dates(text):
    return _dates_as_read(_trimmed(text))


def _dates_as_read(text):
    """YYYY-MM-DD, else DD Month YYYY, else null: as Arrow's CSV reader parses a timestamp column with these two
    formats (the same strptime; a cell with trailing blanks does not parse)."""
    import pyarrow.compute as pc

    return pc.coalesce(
        pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True),
        pc.strptime(text, format=_DATE_DMY, unit="s", error_is_null=True),
    )


def _parse_number(text):
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _trimmed(text)
    ok_text = pc.match_substring_regex(text, r"^-?\d+(\.\d+)?$")
    return pc.cast(pc.if_else(ok_text, text, pa.scalar(None, pa.string())), pa.float64())


def read_export(src: AcledSource) -> AcledExport:
    """Stage 2: read the export into Arrow, letting Arrow parse dates, coordinates and counts itself where every
    cell allows (fast), else as text so that each bad cell can be found and reported."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if isinstance(src.source, pd.DataFrame):
        frame = src.source.astype(object).where(src.source.notna(), "").astype(str)
        return AcledExport(src.name, pa.Table.from_pandas(frame, preserve_index=False))
    # Ids and notes as large strings, as the pandas frame keeps text (no copy on the way there).
    as_text = {
        c: (pa.dictionary(pa.int32(), pa.string()) if c in _LOW_CARDINALITY else pa.large_string()) for c in _NEEDED
    }
    # Dates are read as text and parsed once per distinct value (a million rows hold a few thousand dates), as Arrow
    # would parse them; one that does not parse sends the file down the text path, as a typed read of it would.
    typed = dict(as_text, latitude=pa.float64(), longitude=pa.float64(), fatalities=pa.int64())
    common = dict(strings_can_be_null=False, include_columns=list(_NEEDED), include_missing_columns=True)
    data = src.source.getvalue() if isinstance(src.source, io.BytesIO) else None
    attempts = (
        (True, dict(column_types=typed, null_values=[""], **common)),
        (False, dict(column_types=as_text, null_values=[], **common)),
    )
    for typed_read, options in attempts:
        try:
            table = pacsv.read_csv(
                io.BytesIO(data) if data is not None else src.source, convert_options=pacsv.ConvertOptions(**options)
            )
        except pa.ArrowInvalid as exc:
            failure: Exception = exc
            continue
        except OSError as exc:
            failure = exc
            break
        export = AcledExport(src.name, table, typed=typed_read)
        if not (typed_read and export.unreadable_dates()):
            return export
    raise RecordError(
        _diagnose(src.source, src.name)
        or [Problem(src.name, None, None, None, f"a readable ACLED CSV export ({failure})")]
    ) from None


def filter_rows(export: AcledExport, *, admin1=None, start=None, end=None) -> np.ndarray:
    """Stage 3: the rows asked for (admin1 by name or part, event_date within start..end; a row whose date
    cannot be read is kept, to be reported), as a boolean array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keep = np.ones(export.n, dtype=bool)
    if admin1 is not None:
        mask = _admin1_mask(export.raw("admin1"), [admin1] if isinstance(admin1, str) else list(admin1))
        keep &= mask.to_numpy(zero_copy_only=False)
    for bound, compare in ((start, pc.greater_equal), (end, pc.less_equal)):
        if bound is not None:
            limit = pa.scalar(pd.Timestamp(bound).to_pydatetime(), pa.timestamp("s"))
            keep &= pc.fill_null(compare(export.dates, limit), True).to_numpy(zero_copy_only=False)
    return keep


def map_events(export: AcledExport):
    """Stage 4: ACLED's columns to ours, for every row (an Arrow table, vocabularies dictionary-encoded; values that
    cannot be mapped become null, and :func:`unmappable_rows` says which)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n, raw = export.n, export.raw
    sub = export.table["sub_event_type"] if export.has("sub_event_type") else export.text("sub_event_type")
    return pa.table(
        {
            "event_id": export.text("event_id_cnty"),
            "date": pc.cast(export.dates, pa.timestamp("ns")),
            "date_precision": _dict_map(
                raw("time_precision"), lambda v: _TIME_PRECISION.get(_code(v)), as_dictionary=True
            ),
            "event_type": _dict_map(
                sub, lambda v: SUB_EVENT_TO_TYPE.get((v or "").strip(), "other"), as_dictionary=True
            ),
            "target_type": pa.nulls(n, pa.large_string()),
            "target": _category(raw("location")),
            "positions": pa.nulls(n, pa.int64()),
            "positions_precision": pa.nulls(n, pa.large_string()),
            "place_id": _dict_map(raw("location"), _slug, as_dictionary=True),
            "phase_id": pa.nulls(n, pa.large_string()),
            "attackers": _join_actors(raw("actor1"), raw("assoc_actor_1")),
            "other_parties": pa.nulls(n, pa.large_string()),
            "defenders": _join_actors(raw("actor2"), raw("assoc_actor_2"), missing_if_no_main=True),
            "source_ids": _category(raw("source")),
            "confidence": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array(["reported"])),
            "summary": export.text("notes"),
            "attacker_side": _sides(raw("inter1"), raw("actor1")),
            "defender_side": _sides(raw("inter2"), raw("actor2")),
            "admin1": raw("admin1"),
            "admin2": raw("admin2"),
            "admin3": raw("admin3"),
            "latitude": export.latitude[0],
            "longitude": export.longitude[0],
            "geo_precision": _dict_map(
                raw("geo_precision"), lambda v: _GEO_PRECISION.get(_code(v)), as_dictionary=True
            ),
            "fatalities": _fatalities(export),
            "acled_sub_event_type": _category(sub) if sub.null_count == 0 else _as_string(sub),
        }
    )


def _code(v: str | None) -> str:
    """An ACLED code as text: ``"1"``, ``" 1 "`` and ``"1.0"`` (a column a spreadsheet made float) are ``"1"``."""
    return (v or "").strip().removesuffix(".0")


def _fatalities(export: AcledExport):
    import pyarrow as pa
    import pyarrow.compute as pc

    if export.is_type("fatalities", "integer"):
        return export.table["fatalities"].combine_chunks()

    def parse(t):
        t = _trimmed(t)
        return pc.cast(
            pc.if_else(pc.match_substring_regex(t, r"^[0-9]{1,9}$"), t, pa.scalar(None, pa.string())), pa.int64()
        )

    return _per_value(export.raw("fatalities"), parse)


#: What each check of :func:`unmappable_rows` expects, in its order.
_EXPECTED = {
    "event_date": "a date as YYYY-MM-DD or DD Month YYYY",
    "latitude": "a latitude",
    "longitude": "a longitude",
    "actor1": "an actor name",
    "fatalities": "a whole number of fatalities ≥ 0 in ASCII digits, or an empty cell",
    "geo_precision": "a geo_precision of 1, 2 or 3 (or an empty cell)",
    "event_id_cnty": "an event_id_cnty not already used on an earlier line (each event once)",
    "time_precision": "a time_precision of 1 (day), 2 (week) or 3 (month)",
}


def unmappable_rows(export: AcledExport, keep: np.ndarray) -> tuple[list[Problem], np.ndarray]:
    """Stage 5: every cell among the ``keep`` rows that cannot be mapped (one problem each, in file order), and
    the rows that hold one."""
    problems: list[Problem] = []
    unmapped = np.zeros(export.n, dtype=bool)
    for c, bad in _unmappable_cells(export).items():
        bad = bad & keep
        if bad.any():
            unmapped |= bad
            idx = np.flatnonzero(bad)
            values = export.text(c).take(idx).to_pylist()
            problems += [Problem(export.name, int(i) + 2, c, v, _EXPECTED[c]) for i, v in zip(idx, values)]
    problems.sort(key=lambda p: (p.line or 0, list(_EXPECTED).index(p.column or "")))
    return problems, unmapped


def _unmappable_cells(export: AcledExport) -> dict[str, np.ndarray]:
    """Per checked column, the rows whose cell cannot be mapped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = export.raw
    ids = export.text("event_id_cnty").to_pandas()
    masks = {
        "event_date": pc.is_null(export.dates),
        "latitude": export.latitude[1],
        "longitude": export.longitude[1],
        "actor1": _per_value(raw("actor1"), lambda a: pc.equal(_trimmed(a), "")),
        "fatalities": _bad_fatalities(export),
        "geo_precision": _dict_map(
            raw("geo_precision"), lambda v: bool(_code(v)) and _code(v) not in _GEO_PRECISION, value_type=pa.bool_()
        ),
        "event_id_cnty": ids.ne("").to_numpy(dtype=bool) & repeated(ids),
        "time_precision": _dict_map(
            raw("time_precision"), lambda v: _code(v) not in _TIME_PRECISION, value_type=pa.bool_()
        ),
    }
    return {
        c: np.asarray(
            m.to_numpy(zero_copy_only=False) if hasattr(m, "to_numpy") and not isinstance(m, np.ndarray) else m,
            dtype=bool,
        )
        for c, m in masks.items()
    }


def _bad_fatalities(export: AcledExport):
    """Rows whose fatalities cell is not a whole number ≥ 0 of at most nine ASCII digits (an empty cell is fine)."""
    import pyarrow.compute as pc

    if export.is_type("fatalities", "integer"):  # Arrow read every cell as a number: the digits rule is a range
        count = export.table["fatalities"].combine_chunks()
        return pc.fill_null(pc.or_(pc.less(count, 0), pc.greater(count, 999_999_999)), False)
    return _per_value(
        export.raw("fatalities"), lambda t: pc.invert(pc.match_substring_regex(_trimmed(t), r"^([0-9]{1,9})?$"))
    )


_CATEGORICAL = (
    "date_precision",
    "event_type",
    "attacker_side",
    "defender_side",
    "geo_precision",
    "admin1",
    "admin2",
    "admin3",
    "acled_sub_event_type",
    "confidence",
)


#: Columns that map_events keeps encoded only to spare a million strings: as categoricals they hold the values
#: of the selected rows in order of first appearance, as encoding their text would give.
_IN_ORDER = ("attacker_side", "defender_side", "acled_sub_event_type")


def _encoded_in_order(column):
    """``column`` as ``pc.dictionary_encode`` encodes text: each value once, in order of first appearance, none
    unused, missing rows missing. A dictionary column is re-encoded through its codes, without its text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        return pc.dictionary_encode(column)
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    distinct = pc.dictionary_encode(column.dictionary)  # a dictionary's values need not be unique
    codes = pc.fill_null(pc.take(distinct.indices, column.indices), -1).to_numpy(zero_copy_only=False)
    order = pd.unique(codes)
    order = order[order >= 0]
    position = np.full(len(distinct.dictionary) + 1, -1, dtype=np.int32)  # the last slot: missing stays missing
    position[order] = np.arange(len(order), dtype=np.int32)
    indices = position[codes]
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, mask=indices < 0), pc.take(distinct.dictionary, pa.array(order))
    )


def to_events_frame(events, selection: np.ndarray) -> pd.DataFrame:
    """Stage 6: the selected rows of the mapped Arrow table as a pandas frame (vocabularies as categoricals,
    counts as nullable integers, text as Arrow-backed strings)."""
    import pyarrow as pa

    if not selection.all():
        events = events.filter(pa.array(selection))
    for c in _CATEGORICAL:
        if c in _IN_ORDER or not pa.types.is_dictionary(events.schema.field(c).type):
            events = events.set_column(events.column_names.index(c), c, _encoded_in_order(events[c]))
    # pandas keeps text as large strings: text made large here is not copied again on the way.
    text = pd.StringDtype("pyarrow")
    return events.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.string(): text, pa.large_string(): text}.get)


_TO_SUB_EVENT = {ours: (etype, sub, disorder) for ours, etype, sub, disorder, export in ACLED_EVENT_TYPES if export}
_AIR_SUB_EVENT = next(sub for ours, _, sub, _, export in ACLED_EVENT_TYPES if ours == "strike" and not export)
_AIR = re.compile(r"\b(air|airstrike|air strike|jet|drone|bomb)", re.I)
#: ACLED's name for an actor no source identifies.
UNIDENTIFIED = "Unidentified Armed Group (Myanmar)"


def _text_of(row: pd.Series, key: str) -> str:
    value = row.get(key)
    return "" if value is None or pd.isna(value) else str(value)


def to_acled(record: Record) -> pd.DataFrame:
    """Our events in ACLED's column layout, one row per event, every text cell spreadsheet-safe.

    actor1 is the first attacker (by its ACLED name where known), the other
    attackers go to assoc_actor_1 joined with ``;``; notes is our summary and
    source the publishers of the cited pages. Fatalities are not recorded by
    this project and stay empty.

    >>> import kachin_analysis as ka
    >>> out = ka.to_acled(ka.load_record())
    >>> tuple(out.columns) == ACLED_COLUMNS
    True
    """
    record = require_record(
        record,
        helper="to_acled",
        needs="places, actors and sources",
        hint="to_acled writes this project's record; an ACLED frame is ACLED's already",
    )
    ev, places, actors, sources = record.events, record.places, record.actors, record.sources
    name = {
        a.actor_id: (a.acled_name if pd.notna(a.acled_name) and a.acled_name else a.name) for a in actors.itertuples()
    }
    inter = {a.actor_id: ACLED_INTER[str(a.kind)] for a in actors.itertuples()}
    place = places.set_index(places["place_id"].astype(str))
    publisher = dict(zip(sources["source_id"].astype(str), sources["publisher"].astype(str)))
    rows = []
    for e in ev.itertuples(index=False):
        att = [a for a in str(e.attackers).split(LIST_SEP) if a] if pd.notna(e.attackers) else []
        if not att:  # a party that acted without fighting, else ACLED's name for an unidentified actor
            att = [a for a in str(e.other_parties).split(LIST_SEP) if a] if pd.notna(e.other_parties) else []
            att = att or [UNIDENTIFIED]
        dfn = [a for a in str(e.defenders).split(LIST_SEP) if a] if pd.notna(e.defenders) else []
        etype, sub, disorder = _TO_SUB_EVENT[str(e.event_type)]
        if e.event_type == "strike" and _AIR.search(str(e.summary)):
            sub = _AIR_SUB_EVENT
        p = place.loc[str(e.place_id)] if pd.notna(e.place_id) else pd.Series(dtype=object)
        i1 = inter.get(att[0], "") if att else ""
        i2 = inter.get(dfn[0], "") if dfn else ""
        pubs = list(dict.fromkeys(publisher[s] for s in str(e.source_ids).split(LIST_SEP)))
        rows.append(
            {
                "event_id_cnty": str(e.event_id),
                "event_date": e.date.strftime("%Y-%m-%d"),
                "year": str(e.date.year),
                "time_precision": ACLED_TIME_PRECISION[str(e.date_precision)],
                "disorder_type": disorder,
                "event_type": etype,
                "sub_event_type": sub,
                "actor1": name.get(att[0], att[0]) if att else "",
                "assoc_actor_1": "; ".join(name.get(a, a) for a in att[1:]),
                "inter1": i1,
                "actor2": name.get(dfn[0], dfn[0]) if dfn else "",
                "assoc_actor_2": "; ".join(name.get(a, a) for a in dfn[1:]),
                "inter2": i2,
                "interaction": f"{i1}-{i2}" if i1 and i2 else i1,
                "civilian_targeting": "",
                "iso": "104",
                "region": "Southeast Asia",
                "country": "Myanmar",
                "admin1": _text_of(p, "state").removesuffix(" State").removesuffix(" Region"),
                "admin2": _text_of(p, "district"),
                "admin3": _text_of(p, "township"),
                "location": _text_of(p, "name"),
                "latitude": "" if pd.isna(p.get("latitude")) else repr(float(p["latitude"])),
                "longitude": "" if pd.isna(p.get("longitude")) else repr(float(p["longitude"])),
                "geo_precision": ACLED_GEO_PRECISION.get(_text_of(p, "geo_precision"), ""),
                "source": "; ".join(pubs),
                "source_scale": "",
                "notes": str(e.summary),
                "fatalities": "",
                "tags": "",
                "timestamp": "",
            }
        )
    out = pd.DataFrame(rows, columns=list(ACLED_COLUMNS))
    return out.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
