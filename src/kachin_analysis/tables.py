"""Tables and numbers a person reads: the display layer the notebooks share.

:func:`show` turns any frame the helpers return into a pandas ``Styler``:
readable column names, integer counts, dates as days or months, no raw index,
vocabulary values in words, and every missing value shown as "—" with its
meaning in the caption. :func:`key_numbers` shows the few numbers that answer a
question, and :func:`explore` a small widget that reruns a figure for a phase,
actor or window the reader picks (static text where no widget can be drawn).

Nothing here computes an answer: the numbers come from the helpers in
:mod:`kachin_analysis.aggregate` and :mod:`kachin_analysis.evidence`.
Styling needs jinja2 and the widget ipywidgets (both in the ``notebooks`` extra).

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"period": pd.to_datetime(["2024-03-01", "2024-04-01"]), "positions": [39.0, None]})
>>> html = show(frame, missing={"positions": "no count reported"}).to_html()
>>> "Mar 2024" in html and "39" in html and "39.0" not in html and "— Positions: no count reported" in html
True
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from .load import Record

__all__ = ["LABELS", "MISSING", "NA", "explore", "key_numbers", "label", "show", "words"]

#: What a reader sees for a missing value.
NA = "—"

#: Column names in words, where "replace underscores, capitalise" would not do.
LABELS: dict[str, str] = {
    "event_id": "Event",
    "claim_id": "Claim",
    "source_id": "Source",
    "phase_id": "Phase",
    "place_id": "Place",
    "actor_id": "Actor",
    "period": "Period",
    "date": "Date",
    "duration_days": "Days",
    "positions_inexact": "Counts not exact",
    "headquarters": "HQs",
    "first_capture": "First capture",
    "last_capture": "Last capture",
    "last_event": "Last event",
    "record_value": "Record's tally",
    "record_is_floor": "Record's tally is a floor",
    "value": "Claimed",
    "value_precision": "Claim is",
    "claimant_kind": "Claimant's side",
    "difference": "Claimed − record",
    "ratio": "Claimed ÷ record",
    "why_not": "Why not comparable",
    "scope_area": "Area",
    "holder_side": "Held by",
    "admin_status": "Rank",
    "geo_precision": "Located at",
    "date_precision": "Date known to the",
    "positions_precision": "Count is",
    "target_type": "Target",
    "event_type": "Event type",
    "imprecise": "Imprecise dates",
    "inexact": "Inexact counts",
    "n_events": "Events",
    "url": "Page",
    "independent": "Independent",
    "published": "Published",
}

#: What a missing value means, per column, when the caller does not say.
MISSING: dict[str, str] = {
    "end": "no sourced end: the campaign is ongoing",
    "claimant": "an outlet's or monitor's own tally",
    "scope_area": "no limit to one state or region",
    "since": "the claim does not say from when it counts",
    "ratio": "the record's tally is 0",
    "why_not": "comparable",
    "unit": "no unit named",
    "positions": "no count reported",
    "first_capture": "no capture in the phase",
    "last_capture": "no capture in the phase",
    "last_event": "no event in the phase",
    "published": "the page gives no date",
    "title": "the page shows no headline",
    "geo_precision": "no source places it",
    "attackers": "the sources do not say who acted",
    "target_type": "no target (attack, ceasefire or other)",
    "place": "no one place",
    "phase": "outside any one campaign",
    "phase_id": "outside any one campaign",
    "place_id": "no one place",
}

#: Vocabulary values whose plain form ("pro junta") is not quite right.
_WORDS = {
    "battalion_hq": "battalion HQ",
    "command_hq": "command HQ",
    "battalion_hqs_captured": "battalion HQs captured",
    "command_hqs_captured": "command HQs captured",
    "pro_junta": "pro-junta",
    "at_least": "at least",
    "bgf": "BGF",
    "eao": "EAO",
    "pdf": "PDF",
}

_TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 13px; margin: 0.3em 0 1em 0;"},
    {
        "selector": "caption",
        "props": "caption-side: top; text-align: left; font-size: 13px; padding: 0 0 0.4em 0; color: #333;",
    },
    {
        "selector": "th",
        "props": "text-align: left; padding: 0.25em 0.7em; border-bottom: 1px solid #888; font-weight: 600;",
    },
    {"selector": "td", "props": "padding: 0.2em 0.7em; border-bottom: 1px solid #e4e4e4; vertical-align: top;"},
]


def label(column: str) -> str:
    """A column name in words.

    >>> label("duration_days"), label("positions"), label("holder_side")
    ('Days', 'Positions', 'Held by')
    """
    if column in LABELS:
        return LABELS[column]
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def words(value) -> str:
    """A vocabulary value in words: ``battalion_hq`` → ``battalion HQ``, ``towns_captured`` → ``towns captured``.

    >>> words("battalion_hq"), words("towns_captured"), words("KIA")
    ('battalion HQ', 'towns captured', 'KIA')
    """
    text = str(value)
    if text in _WORDS:
        return _WORDS[text]
    return text.replace("_", " ") if text.islower() else text


def _is_missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _date_formatter(values: pd.Series, how: str | None) -> Callable:
    if how is None:
        present = values.dropna()
        first = len(present) and (present.dt.day == 1).all() and (present.dt.normalize() == present).all()
        how = "month" if first else "day"
    if how == "quarter":
        return lambda v: f"Q{v.quarter} {v.year}"
    fmt = {"month": "%b %Y", "year": "%Y", "day": "%-d %b %Y"}.get(how)
    if fmt is None:
        raise ValueError(f"dates must be 'day', 'month', 'quarter' or 'year'; got {how!r}")
    return lambda v: v.strftime(fmt)


def _int_like(values: pd.Series) -> bool:
    present = values.dropna()
    if not len(present):
        return False
    try:
        arr = present.to_numpy(dtype="float64")
    except (TypeError, ValueError):
        return False
    return bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))


def _host(url: str) -> str:
    host = urlparse(url).netloc
    return host.removeprefix("www.") or url


def show(
    frame: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    columns: Iterable[str] | Mapping[str, str] | None = None,
    missing: Mapping[str, str] | None = None,
    dates: str | Mapping[str, str] | None = None,
    decimals: int = 1,
    names: Mapping[str, Mapping] | None = None,
    record: Record | None = None,
    transpose: bool = False,
    max_rows: int | None = 60,
) -> Styler:
    """A frame as a table a person reads (a pandas ``Styler``; it shows itself in Jupyter).

    * ``columns``: which columns to show, in order; a mapping also renames them
      (otherwise :data:`LABELS`, or the name with spaces). A named index is
      shown as a column; a plain 0, 1, 2 … index is hidden.
    * Counts stored as floats show as integers; other numbers with ``decimals``.
    * Dates show as days (``6 Jan 2024``), or as months (``Mar 2024``) when every
      value is the first of a month; ``dates`` ("day", "month", "year", or a
      mapping column → that; also "quarter") overrides it.
    * Vocabulary values show in words; ``names`` maps a column's ids to names
      (``{"phase_id": {"bhamo": "Battle for Bhamo"}}``); with ``record``, phase
      and place ids (``phase_id``, ``place_id``, ``scope``) show as their names; booleans show as yes/no;
      a ``url`` column as a link to its host.
    * Missing values show as "—", and the caption says what "—" means in each
      column that has one (``missing`` adds or overrides meanings; default
      :data:`MISSING`, else "not given in the record").
    * ``transpose`` turns a wide table with few rows on its side; ``max_rows``
      cuts a long one (the caption says how many rows are left out).

    >>> import pandas as pd
    >>> ph = pd.DataFrame({"phase_id": ["a"], "end": [pd.NaT], "ongoing": [True], "duration_days": [12]})
    >>> html = show(ph, names={"phase_id": {"a": "Phase A"}}).to_html()
    >>> "Phase A" in html and ">Days<" in html and ">yes<" in html and "NaT" not in html
    True
    """
    df, rename, cut = _prepared(frame, columns, max_rows)
    names = _names_for(df, names, record)
    meanings = {**MISSING, **(dict(missing) if missing else {})}
    shown = {col: rename.get(col) or label(col) for col in df.columns}
    notes = [f"{NA} {shown[c]}: {meanings.get(c, 'not given in the record')}" for c in df.columns if df[c].isna().any()]
    formatters = {col: _formatter(df[col], col, names, dates, decimals) for col in df.columns}
    styler = _transposed(df, formatters, shown) if transpose else _styled(df, formatters, shown)
    parts = [caption] if caption else []
    if cut:
        parts.append(f"First {len(df)} rows shown; {cut} more not shown.")
    if notes:
        parts.append(" · ".join(notes))
    if parts:
        styler = styler.set_caption(
            "<br>".join(_html.escape(p) if i else _bold(p, bool(caption)) for i, p in enumerate(parts))
        )
    return styler


def _prepared(frame, columns, max_rows) -> tuple[pd.DataFrame, dict[str, str], int]:
    """The frame flattened (a named index becomes a column), cut to ``columns`` and ``max_rows``."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else "value")
    df = frame.copy()
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [": ".join(words(p) for p in col if str(p)) for col in df.columns]
    plain_index = isinstance(df.index, pd.RangeIndex) or (df.index.name is None and df.index.names == [None])
    if not plain_index:
        df = df.reset_index()
    df = df.reset_index(drop=True)
    rename = dict(columns) if isinstance(columns, Mapping) else {}
    if columns is not None:
        df = df[list(columns)]
    cut = max(len(df) - max_rows, 0) if max_rows is not None else 0
    return (df.head(max_rows) if cut else df), rename, cut


def _names_for(df: pd.DataFrame, names, record) -> dict:
    """Id → name lookups per column: those given, plus phase and place names from the record."""
    names = dict(names or {})
    if record is None:
        return names
    phase_name = dict(zip(record.phases["phase_id"].astype(str), record.phases["name"].astype(str)))
    place_name = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    for col, lookup in (
        ("phase_id", phase_name),
        ("scope", {**phase_name, "all": "all phases"}),
        ("place_id", place_name),
    ):
        if col in df.columns:
            names.setdefault(col, lookup)
    return names


def _is_bool(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s.dtype):
        return True
    return s.dtype == object and s.notna().any() and bool(s.dropna().map(type).isin([bool, np.bool_]).all())


def _formatter(s: pd.Series, col: str, names: dict, dates, decimals: int) -> Callable:
    """How one column's cells read: names, yes/no, days or months, integers, links, or words."""
    if col in names:
        lookup = dict(names[col])
        return lambda v, m=lookup: m.get(str(v), words(v))
    if _is_bool(s):
        return lambda v: "yes" if v else "no"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        how = dates.get(col) if isinstance(dates, Mapping) else dates if isinstance(dates, str) else None
        return _date_formatter(s, how)
    if pd.api.types.is_numeric_dtype(s.dtype):
        if _int_like(s):
            return lambda v: f"{round(float(v)):,}"
        return lambda v, d=decimals: f"{float(v):,.{d}f}"
    if col == "url":
        return lambda v: (
            f'<a href="{v}" target="_blank" rel="noopener">{_html.escape(_host(_html.unescape(str(v))))}</a>'
        )
    return words


def _styled(df: pd.DataFrame, formatters: dict, shown: dict) -> Styler:
    """The Styler: formats (a formatter never sees a missing value: "—" shows instead), no index, alignment."""
    styler = df.style.format(formatters, na_rep=NA, escape="html")
    styler = styler.hide(axis="index").relabel_index([shown[c] for c in df.columns], axis="columns")
    numeric = [
        c
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
    ]
    if numeric:
        styler = styler.set_properties(
            subset=numeric, **{"text-align": "right", "font-variant-numeric": "tabular-nums"}
        )
    keep_whole = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c].dtype) or str(c).endswith("_id")]
    if keep_whole:  # "6 Jan 2024" and "KO-0001" never break across lines
        styler = styler.set_properties(subset=keep_whole, **{"white-space": "nowrap"})
    text = [c for c in df.columns if c not in numeric]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    return styler.set_table_styles(_TABLE_CSS)


def _transposed(df: pd.DataFrame, formatters: dict, shown: dict) -> Styler:
    """A wide table on its side. A Styler cannot transpose its formatting: transpose the display strings."""
    cells = {shown[c]: [_display(formatters[c], v) for v in df[c]] for c in df.columns}
    strings = pd.DataFrame(cells).T
    strings.columns = list(strings.iloc[0])
    strings = strings.iloc[1:]
    styler = strings.style.set_table_styles(_TABLE_CSS).set_properties(**{"text-align": "right"})
    return styler.set_table_styles(
        [{"selector": "th.row_heading", "props": "text-align: left; font-weight: 600;"}], overwrite=False
    )


def _bold(text: str, is_caption: bool) -> str:
    return f"<b>{_html.escape(text)}</b>" if is_caption else _html.escape(text)


def _display(fn: Callable, v) -> str:
    if _is_missing(v):
        return NA
    return str(fn(_html.escape(v) if isinstance(v, str) else v))


class KeyNumbers:
    """A few headline numbers, large, with their labels; plain lines of text outside a browser."""

    def __init__(self, numbers: Mapping[str, object], caption: str | None = None):
        self.numbers = {k: _number(v) for k, v in numbers.items()}
        self.caption = caption

    def _repr_html_(self) -> str:
        cards = "".join(
            '<div style="display:inline-block; min-width:8.5em; margin:0 1.6em 0.6em 0; vertical-align:top;">'
            f'<div style="font-size:26px; font-weight:600; line-height:1.15;">{_html.escape(v)}</div>'
            f'<div style="font-size:13px; color:#444; max-width:13em;">{_html.escape(k)}</div></div>'
            for k, v in self.numbers.items()
        )
        cap = f'<div style="font-size:12px; color:#555;">{_html.escape(self.caption)}</div>' if self.caption else ""
        return f'<div class="ka-key-numbers" style="margin:0.4em 0 0.8em 0;">{cards}{cap}</div>'

    def __repr__(self) -> str:
        width = max((len(v) for v in self.numbers.values()), default=0)
        lines = [f"{v:>{width}}  {k}" for k, v in self.numbers.items()]
        return "\n".join(lines + ([self.caption] if self.caption else []))


def _number(v) -> str:
    if _is_missing(v):
        return NA
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(v).strftime("%-d %b %Y")
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        return f"{int(v):,}" if float(v).is_integer() else f"{float(v):,.1f}"
    return str(v)


def key_numbers(numbers: Mapping[str, object], caption: str | None = None) -> KeyNumbers:
    """Show the few numbers that answer a question, large, with what each counts.

    Dates show as days, counts with thousands separators, a missing value as "—".

    >>> print(key_numbers({"positions captured": 215, "last event": pd.Timestamp("2026-04-01")}))
           215  positions captured
    1 Apr 2026  last event
    """
    return KeyNumbers(numbers, caption)


# --------------------------------------------------------------------------- widget


class Explorer:
    """Controls that redraw a figure (and optional table) for the phase, actor and months picked.

    In JupyterLab it shows as widgets; where widgets cannot be drawn (a plain
    run, a static export) its text says what the controls would do, and the
    static output above it stays the reference.
    """

    def __init__(self, box, describe: str):
        self.box = box
        self.describe = describe

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.box._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = self.describe
        return bundle

    def __repr__(self) -> str:
        return self.describe


def _filter_kwargs(phase, actor, months) -> dict:
    kw: dict = {}
    if phase:
        kw["phases"] = phase
    if actor:
        kw["actors"] = actor
    if months:
        lo, hi = months
        kw["start"] = lo
        kw["end"] = pd.Timestamp(hi) + pd.offsets.MonthEnd(0)
    return kw


def explore(
    record: Record,
    *,
    figure: str | None = None,
    table: Callable | None = None,
    numbers: Callable | None = None,
    columns: Iterable[str] | None = None,
) -> Explorer:
    """A small widget: pick a phase, an actor and a span of months; the figure (and table) redraw.

    ``figure`` is a registry key (:data:`kachin_analysis.figures.REGISTRY`);
    ``table`` a helper that takes a record and returns a frame (shown with
    :func:`show`, with ``columns`` if given); ``numbers`` a helper that takes a record and returns a
    mapping (shown with :func:`key_numbers`), e.g.
    :func:`kachin_analysis.evidence.headline`. Every selection goes through
    :meth:`Record.filter <kachin_analysis.load.Record.filter>`; a selection
    that matches nothing, or that a figure cannot be drawn for, says so.

    >>> from kachin_analysis import load_record
    >>> print(repr(explore(load_record(), figure="phase-timeline")).splitlines()[0])
    Interactive: pick a phase, an actor and months to redraw 'phase-timeline' (needs JupyterLab with ipywidgets).
    """
    import ipywidgets as w
    from IPython import get_ipython
    from IPython.display import display

    live = get_ipython() is not None

    events = record.events
    phase_options = [("All phases", "")] + [
        (str(n), str(p)) for p, n in zip(record.phases["phase_id"], record.phases["name"])
    ]
    from .actors import event_actors  # the actors that fought in the record, in the record's order

    long = event_actors(record)
    fought = set(long.loc[long["role"].isin(("attacker", "defender")), "actor_id"].astype(str))
    actor_options = [("All actors", "")] + [
        (f"{n} ({a})", str(a)) for a, n in zip(record.actors["actor_id"], record.actors["name"]) if str(a) in fought
    ]
    months = pd.period_range(events["date"].min(), events["date"].max(), freq="M")
    month_options = [(p.strftime("%b %Y"), p.start_time) for p in months]
    phase = w.Dropdown(options=phase_options, value="", description="Phase")
    actor = w.Dropdown(options=actor_options, value="", description="Actor")
    span = w.SelectionRangeSlider(
        options=month_options,
        index=(0, len(month_options) - 1),
        description="Months",
        layout=w.Layout(width="640px"),
        continuous_update=False,
    )
    out = w.Output()
    what = (
        " and ".join(x for x in ([f"{figure!r}"] if figure else []) + (["the table"] if table else [])) or "the numbers"
    )

    def redraw(_=None):
        if not live:  # no kernel to draw into (plain Python, a doctest): the text repr says what to do
            return
        lo, hi = span.value
        full = (lo, hi) == (month_options[0][1], month_options[-1][1])
        kw = _filter_kwargs(phase.value, actor.value, None if full else (lo, hi))
        out.clear_output(wait=True)
        with out:
            try:
                chosen = record.filter(**kw) if kw else record
            except (KeyError, ValueError) as err:
                print(f"Nothing to show: {err}")
                return
            if chosen.events.empty:
                print("No events match this choice: widen the months or pick another phase or actor.")
                return
            if numbers is not None:
                display(key_numbers(numbers(chosen)))
            if figure is not None:
                from . import figures

                try:
                    display(figures.shown(figure, chosen))
                except (KeyError, ValueError, IndexError) as err:
                    print(f"The figure cannot be drawn for this choice ({err}); widen it.")
            if table is not None:
                display(show(table(chosen), columns=columns, record=record, max_rows=25))

    for control in (phase, actor, span):
        control.observe(redraw, names="value")
    redraw()
    box = w.VBox([w.HBox([phase, actor]), span, out])
    describe = (
        f"Interactive: pick a phase, an actor and months to redraw {what} (needs JupyterLab with ipywidgets).\n"
        "Without widgets, change the Record.filter(...) call in the cell above and run it again."
    )
    return Explorer(box, describe)
