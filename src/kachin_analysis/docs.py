"""Generated parts of the README: the data dictionary and the coverage tables.

``kachin-analysis docs --write`` rewrites every section between
``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` markers; a test fails when
the committed README differs from what this module generates.

Example
-------
>>> import kachin_analysis as ka
>>> sorted(sections(ka.load_record()))
['coverage', 'data-dictionary']
"""

from __future__ import annotations

import pandas as pd

from .load import Record
from .schema import data_dictionary_markdown

__all__ = ["coverage_markdown", "replace_sections", "sections"]


def _cell(value: object) -> str:
    """A value as one Markdown table cell: ``|`` escaped, and ``<``, ``>`` and ``&`` as entities, so no value
    (a publisher's name, say) can end the table, open HTML or forge a section marker."""
    text = " ".join(str(value).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _table(frame: pd.DataFrame) -> str:
    cols = [_cell(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def coverage_markdown(record: Record) -> str:
    """Events per month (by type), per phase, and per publisher, as Markdown tables.

    >>> import kachin_analysis as ka
    >>> coverage_markdown(ka.load_record()).startswith("**Events per month")
    True
    """
    ev = record.events
    month = ev["date"].dt.strftime("%Y-%m")
    by_month = pd.crosstab(month, ev["event_type"].astype(str)).reindex(
        columns=[c for c in ev["event_type"].cat.categories if c in set(ev["event_type"].astype(str))], fill_value=0
    )
    by_month["all"] = by_month.sum(axis=1)
    by_month = by_month.reset_index().rename(columns={"date": "month"})
    by_month.columns.name = None

    caps = ev[ev["event_type"] == "capture"]
    phases = record.phases
    rows = []
    for ph in phases.itertuples(index=False):
        e = ev[ev["phase_id"].astype(str) == ph.phase_id]
        c = caps[caps["phase_id"].astype(str) == ph.phase_id]
        rows.append(
            {
                "phase": ph.phase_id,
                "start": ph.start.strftime("%Y-%m-%d"),
                "end": "ongoing" if pd.isna(ph.end) else ph.end.strftime("%Y-%m-%d"),
                "events": len(e),
                "captures": len(c),
                "positions": int(c["positions"].fillna(0).sum()),
            }
        )
    no_phase = int(ev["phase_id"].isna().sum())
    if no_phase:
        rows.append(
            {
                "phase": "(none: nationwide truces, talks)",
                "start": "",
                "end": "",
                "events": no_phase,
                "captures": 0,
                "positions": 0,
            }
        )
    by_phase = pd.DataFrame(rows)

    cited = ev["source_ids"].astype(str).str.split(";").explode()
    pub = dict(zip(record.sources["source_id"].astype(str), record.sources["publisher"].astype(str)))
    outlet = cited.map(pub).str.replace(r"\s*\(.*\)$", "", regex=True)
    counts = outlet.groupby(outlet).size().sort_values(ascending=False, kind="stable")
    by_pub = counts.rename("citations").reset_index().rename(columns={"source_ids": "publisher"})
    by_pub.columns = ["publisher", "event citations"]

    precision = ev["date_precision"].astype(str).value_counts().reindex(["day", "week", "month"], fill_value=0)
    conf = ev["confidence"].astype(str).value_counts().reindex(["confirmed", "reported", "claimed"], fill_value=0)
    out = [
        f"**Events per month and type** ({len(ev)} events, {ev['date'].min():%Y-%m-%d} to {ev['date'].max():%Y-%m-%d}; "
        f"dated to the day {precision['day']}, to the week {precision['week']}, to the month {precision['month']}; "
        f"confirmed {conf['confirmed']}, reported {conf['reported']}, claimed {conf['claimed']})",
        "",
        _table(by_month),
        "",
        "**Events per phase**",
        "",
        _table(by_phase),
        "",
        f"**Publishers** ({by_pub.shape[0]} outlets; a mirror or reprint is counted under the outlet it copies)",
        "",
        _table(by_pub),
    ]
    return "\n".join(out) + "\n"


def sections(record: Record) -> dict[str, str]:
    """Every generated README section, by marker name."""
    return {"data-dictionary": data_dictionary_markdown(), "coverage": coverage_markdown(record)}


def replace_sections(text: str, generated: dict[str, str]) -> str:
    """Replace the body of each ``<!-- NAME:begin -->`` … ``<!-- NAME:end -->`` section in ``text``.

    >>> replace_sections("a<!-- x:begin -->old<!-- x:end -->b", {"x": "new\\n"})
    'a<!-- x:begin -->\\nnew\\n<!-- x:end -->b'
    """
    for name, body in generated.items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        if begin not in text and end not in text:
            continue
        if text.count(begin) != 1 or text.count(end) != 1 or text.index(end) < text.index(begin):
            raise ValueError(
                f"the README must hold {begin} once, then {end} once; found {text.count(begin)} and "
                f"{text.count(end)}: mend the markers by hand (the README was not changed)"
            )
        if begin in body or end in body:
            raise ValueError(f"the generated {name} section contains its own marker; the README was not changed")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{body}{end}{tail}"
    return text
