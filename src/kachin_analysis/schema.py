"""The one declaration of the record's tables, columns, types and vocabularies.

Everything else is derived from the declarations below: the validating loaders
(:mod:`kachin_analysis.load`), category order, ``data/datapackage.json`` and the
README's data dictionary. Change a column here and nowhere else.

Example
-------
>>> from kachin_analysis.schema import TABLES
>>> TABLES["events"].primary_key
'event_id'
>>> TABLES["events"].column("event_type").vocabulary[:2]
('capture', 'recapture')
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

#: Earliest date any table may hold (the offensive's run-up begins in December 2023).
EARLIEST_DATE = dt.date(2023, 12, 1)
#: Some claimed totals count from the military coup of 1 February 2021.
COUP_DATE = dt.date(2021, 2, 1)
#: Myanmar's bounding box, used as a sanity range for coordinates.
LATITUDE_RANGE = (9.0, 29.0)
LONGITUDE_RANGE = (92.0, 102.0)
#: The theatre (west, east, south, north): every placed event lies inside it; maps show exactly this box.
#: It reaches west to Homalin (upper Sagaing) and south to Mongmit (northern Shan).
THEATRE_BBOX = (94.4, 98.9, 22.6, 28.6)
#: First day the record covers; a claim counting from earlier cannot be checked against it in full.
COVERAGE_START = dt.date(2024, 1, 1)
#: Upper bounds of the counts: far above anything reported, far below where sums could overflow.
MAX_POSITIONS = 1_000
MAX_CLAIM_VALUE = 100_000
#: How far outside Myanmar's border (degrees, about 2 km) a place may lie before it is flagged: border
#: towns and gates sit on a line that Natural Earth's 1:10m layer draws only to a few hundred metres.
BORDER_TOLERANCE_DEG = 0.02
#: Separator inside list-valued cells (``KIA;KPDF``).
LIST_SEP = ";"

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"

# Vocabularies, in the order figures and tables should show them.
DATE_PRECISION = ("day", "week", "month")
EVENT_TYPE = ("capture", "recapture", "withdrawal", "attack", "ceasefire", "strike", "other")
TARGET_TYPE = (
    "position",
    "battalion_hq",
    "command_hq",
    "town",
    "police_station",
    "border_gate",
    "airport",
    "road",
    "other",
)
COUNT_PRECISION = ("exact", "at_least", "approximate")
CONFIDENCE = ("confirmed", "reported", "claimed")
PLACE_KIND = ("city", "town", "village", "military_site", "hill", "border_gate", "area")
ADMIN_STATUS = ("state_capital", "district_seat", "township_seat", "sub_township_seat", "town", "none")
GEO_PRECISION = ("exact", "settlement", "township", "district")
SIDE = ("resistance", "junta", "pro_junta", "other")
ACTOR_KIND = ("eao", "pdf", "state_forces", "militia", "bgf", "police", "other")
CLAIM_METRIC = (
    "positions_captured",
    "battalion_hqs_captured",
    "command_hqs_captured",
    "towns_captured",
    "border_gates_captured",
    "positions_recaptured",
    "towns_held",
)
#: Roles an actor can have in an event. Only attackers and defenders fought; an ``other_party`` acted
#: without fighting (closed a border, hosted talks, sent an envoy) and is kept out of co-participation,
#: involvement and control.
ROLE = ("attacker", "defender", "other_party")
#: The roles that are parties to the fighting.
FIGHTING_ROLES = ("attacker", "defender")
#: Sources read somewhere other than the outlet's own page.
COPY_KIND = ("mirror", "reprint", "translation")

#: Event types whose rows may leave ``target_type`` empty.
UNTARGETED_EVENT_TYPES = ("attack", "ceasefire", "other")
#: Event types that need not happen at one place or belong to one phase (a nationwide truce, talks in China).
UNPLACED_EVENT_TYPES = ("ceasefire", "other")
#: Event types whose acting side may be unknown (a clash or shell whose initiator no source names).
UNATTRIBUTED_EVENT_TYPES = ("attack", "strike", "ceasefire", "other")
#: Target types that count as a headquarters.
HQ_TARGET_TYPES = ("battalion_hq", "command_hq")

# --------------------------------------------------------------------------- rules keyed by vocabulary
# Every table below is keyed by one of the vocabularies above; tests/test_vocabularies.py fails when a
# vocabulary value has no entry, so a new value cannot reach a helper as a KeyError or a silent NaN.

#: Control: which events change who holds a place of each kind. A settlement (city, town, village)
#: changes hands only through an event whose target is the settlement itself (``target_type`` town);
#: a site (military site, hill, border gate) through any capture, recapture or withdrawal at it;
#: an area never.
CONTROL_TARGETS: dict[str, tuple[str, ...] | None] = {
    "city": ("town",),
    "town": ("town",),
    "village": ("town",),
    "military_site": TARGET_TYPE,
    "hill": TARGET_TYPE,
    "border_gate": TARGET_TYPE,
    "area": None,
}
#: Place kinds that are settlements (their control is the "towns" measure).
SETTLEMENT_KINDS = ("city", "town", "village")
#: Events that can change who holds a place.
CONTROL_EVENT_TYPES = ("capture", "recapture", "withdrawal")


@dataclass(frozen=True)
class MetricRule:
    """How the record tallies one claim metric: events of ``event_type`` on ``target_types`` (None: any),
    counting ``positions`` or ``events``; ``held`` metrics count places held on the claim's date instead."""

    event_type: str | None
    target_types: tuple[str, ...] | None
    count: str  # "positions", "events" or "held"
    description: str
    label: str  # what a reader sees on a chart or table


CLAIM_METRIC_RULES: dict[str, MetricRule] = {
    "positions_captured": MetricRule(
        "capture",
        None,
        "positions",
        "positions that changed hands in captures, headquarters included",
        "positions captured",
    ),
    "battalion_hqs_captured": MetricRule(
        "capture", ("battalion_hq",), "events", "battalion headquarters captured", "battalion HQs captured"
    ),
    "command_hqs_captured": MetricRule(
        "capture", ("command_hq",), "events", "command headquarters captured", "command HQs captured"
    ),
    "towns_captured": MetricRule(
        "capture", ("town",), "events", "captures of towns (the town itself)", "towns captured"
    ),
    "border_gates_captured": MetricRule(
        "capture", ("border_gate",), "events", "border gates captured", "border gates captured"
    ),
    "positions_recaptured": MetricRule(
        "recapture", None, "positions", "positions the junta side took back", "positions retaken by the junta"
    ),
    "towns_held": MetricRule(
        None, None, "held", "towns (ranked places) held by the resistance on the claim's date", "towns held"
    ),
}

#: ACLED's event types, one table for both directions: (our event_type, ACLED event_type, ACLED
#: sub_event_type, ACLED disorder_type, used when writing). Reading maps every listed sub-event type to
#: our type; writing uses the row marked for export (a strike whose summary names an air or drone
#: attack is written as ``Air/drone strike``).
ACLED_EVENT_TYPES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("capture", "Battles", "Non-state actor overtakes territory", "Political violence", True),
    ("recapture", "Battles", "Government regains territory", "Political violence", True),
    ("withdrawal", "Strategic developments", "Non-violent transfer of territory", "Strategic developments", True),
    ("attack", "Battles", "Armed clash", "Political violence", True),
    ("strike", "Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence", True),
    ("strike", "Explosions/Remote violence", "Air/drone strike", "Political violence", False),
    ("ceasefire", "Strategic developments", "Agreement", "Strategic developments", True),
    ("other", "Strategic developments", "Other", "Strategic developments", True),
)
#: ACLED ``time_precision`` codes for our date precisions (both directions).
ACLED_TIME_PRECISION: dict[str, str] = {"day": "1", "week": "2", "month": "3"}
#: ACLED ``geo_precision`` codes for our geo precisions; ACLED has three levels, so a district-seat
#: fallback is written as 3 and read back as ``township``.
ACLED_GEO_PRECISION: dict[str, str] = {"exact": "1", "settlement": "2", "township": "3", "district": "3"}
#: ACLED actor types (``inter1``/``inter2``) for our actor kinds.
ACLED_INTER: dict[str, str] = {
    "eao": "Rebel group",
    "pdf": "Political militia",
    "state_forces": "State forces",
    "militia": "Political militia",
    "bgf": "Identity militia",
    "police": "State forces",
    "other": "External/Other forces",
}
#: Administrative levels ``by=`` accepts: our places column and ACLED's column for each.
GEO_LEVELS: dict[str, tuple[str, str]] = {
    "township": ("township", "admin3"),
    "district": ("district", "admin2"),
    "state": ("state", "admin1"),
}


@dataclass(frozen=True)
class Column:
    """One column of one table.

    ``kind`` is one of ``string``, ``date``, ``integer``, ``number``,
    ``boolean``, ``category`` (a closed vocabulary) or ``list`` (``;``-joined
    strings). ``references`` names ``table.column`` for a foreign key; on a
    list column it applies to every item.
    """

    name: str
    kind: str
    description: str
    required: bool = True
    vocabulary: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None
    also_allowed: tuple[str, ...] = ()  # values accepted besides the referenced keys
    # Required, except on rows whose event_type is one of these (checked row by row).
    required_unless: tuple[str, ...] = ()
    earliest: dt.date = EARLIEST_DATE  # for date columns: the earliest date accepted

    @property
    def item_pattern(self) -> str | None:
        """Pattern every item of a list column must match."""
        return self.pattern if self.kind == "list" else None


@dataclass(frozen=True)
class Table:
    """A table of the record: its file, columns and keys."""

    name: str
    description: str
    primary_key: str
    columns: tuple[Column, ...]
    id_pattern: str | None = None
    rules: tuple[str, ...] = field(default=())  # row-level rules, described for people
    # Groups of columns that are either all filled or all empty on every row.
    filled_together: tuple[tuple[str, ...], ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _id(name: str, pattern: str, description: str) -> Column:
    return Column(name, "string", description, pattern=pattern)


def _sources(what: str) -> Column:
    return Column(
        "source_ids",
        "list",
        f"`;`-list of source ids that state {what}",
        pattern=r"^S\d{4}$",
        references="sources.source_id",
    )


EVENTS = Table(
    "events",
    "One row per reported event: a capture, recapture, withdrawal, attack, ceasefire or strike.",
    "event_id",
    (
        _id("event_id", r"^KO-\d{4}$", "Stable identifier, `KO-0001`; never reused or renumbered"),
        Column("date", "date", "Day the event happened (first day of the span for week/month precision)"),
        Column("date_precision", "category", "How precisely `date` is known", vocabulary=DATE_PRECISION),
        Column("event_type", "category", "What happened", vocabulary=EVENT_TYPE),
        Column(
            "target_type",
            "category",
            "Kind of thing taken or hit; empty only for attack, ceasefire and other",
            required=False,
            vocabulary=TARGET_TYPE,
            required_unless=UNTARGETED_EVENT_TYPES,
        ),
        Column("target", "string", "What was taken or hit, as reported", required=False),
        Column("unit", "string", "Junta unit designation, normalised (`LIB 321`, `MOC 21`)", required=False),
        Column(
            "positions",
            "integer",
            "Military positions that changed hands in this event",
            required=False,
            minimum=0,
            maximum=MAX_POSITIONS,
        ),
        Column(
            "positions_precision",
            "category",
            "Whether `positions` is exact, a floor or an approximation",
            required=False,
            vocabulary=COUNT_PRECISION,
        ),
        Column(
            "place_id",
            "string",
            "Where it happened; empty only for a ceasefire or other event with no one place",
            required=False,
            pattern=SLUG,
            references="places.place_id",
            required_unless=UNPLACED_EVENT_TYPES,
        ),
        Column(
            "phase_id",
            "string",
            "Campaign it belongs to; empty only for a ceasefire or other event outside any one campaign",
            required=False,
            pattern=SLUG,
            references="phases.phase_id",
            required_unless=UNPLACED_EVENT_TYPES,
        ),
        Column(
            "attackers",
            "list",
            "`;`-list of parties to the fighting that acted (captured, attacked, struck); empty only for an attack, strike, ceasefire or other event whose sources do not say who acted",
            required=False,
            pattern=r"^[A-Z][A-Z0-9-]*$",
            references="actors.actor_id",
            required_unless=UNATTRIBUTED_EVENT_TYPES,
        ),
        Column(
            "defenders",
            "list",
            "`;`-list of actors that lost or were attacked",
            required=False,
            pattern=r"^[A-Z][A-Z0-9-]*$",
            references="actors.actor_id",
        ),
        Column(
            "other_parties",
            "list",
            "`;`-list of actors that acted without fighting (closed a border, hosted talks, sent an envoy); never attackers or defenders",
            required=False,
            pattern=r"^[A-Z][A-Z0-9-]*$",
            references="actors.actor_id",
        ),
        _sources("this event"),
        Column("confidence", "category", "confirmed, reported or claimed (see Methodology)", vocabulary=CONFIDENCE),
        Column("summary", "string", "One sentence in our own words"),
    ),
    id_pattern=r"^KO-\d{4}$",
    filled_together=(("positions", "positions_precision"),),
    rules=(
        "`positions_precision` is given exactly when `positions` is",
        "`target_type` is empty only for attack, ceasefire and other events",
        "`place_id` and `phase_id` are empty only for ceasefire and other events",
        "`attackers` is empty only for attack, strike, ceasefire and other events whose sources do not say who acted",
    ),
)

PLACES = Table(
    "places",
    "The gazetteer: every place an event happened, with sourced coordinates.",
    "place_id",
    (
        _id("place_id", SLUG, "Slug of the usual English name, `bhamo`"),
        Column("name", "string", "Spelling most English-language sources use"),
        Column("aliases", "list", "`;`-list of other spellings met in sources", required=False),
        Column("kind", "category", "What sort of place it is", vocabulary=PLACE_KIND),
        Column("admin_status", "category", "Administrative rank (drives the towns measures)", vocabulary=ADMIN_STATUS),
        Column("township", "string", "Township (MIMU spelling)", required=False),
        Column("district", "string", "District (MIMU spelling)", required=False),
        Column("state", "string", "State or region"),
        Column(
            "latitude",
            "number",
            "WGS84 latitude; empty when no source places it",
            required=False,
            minimum=LATITUDE_RANGE[0],
            maximum=LATITUDE_RANGE[1],
        ),
        Column(
            "longitude",
            "number",
            "WGS84 longitude; empty when no source places it",
            required=False,
            minimum=LONGITUDE_RANGE[0],
            maximum=LONGITUDE_RANGE[1],
        ),
        Column(
            "geo_precision",
            "category",
            "What the coordinates locate: the site itself, the settlement, the township seat, or the district seat",
            required=False,
            vocabulary=GEO_PRECISION,
        ),
        Column(
            "source_ids",
            "list",
            "`;`-list of source ids that give the coordinates",
            required=False,
            pattern=r"^S\d{4}$",
            references="sources.source_id",
        ),
    ),
    id_pattern=SLUG,
    filled_together=(("latitude", "longitude", "geo_precision", "source_ids"),),
    rules=("coordinates, `geo_precision` and `source_ids` are given together or not at all",),
)

ACTORS = Table(
    "actors",
    "Armed actors named in the events.",
    "actor_id",
    (
        _id("actor_id", r"^[A-Z][A-Z0-9-]*$", "Short stable id, `KIA`, `MAF`"),
        Column("name", "string", "Full English name"),
        Column("side", "category", "Which side of the conflict", vocabulary=SIDE),
        Column("kind", "category", "Type of organisation", vocabulary=ACTOR_KIND),
        Column("alliance", "string", "Alliance it belongs to", required=False),
        Column("acled_name", "string", "Name ACLED uses, for interop", required=False),
        Column("description", "string", "One line in our own words"),
    ),
    id_pattern=r"^[A-Z][A-Z0-9-]*$",
)

PHASES = Table(
    "phases",
    "Campaigns of the offensive; they may overlap.",
    "phase_id",
    (
        _id("phase_id", SLUG, "Slug, `operation-0307`"),
        Column("name", "string", "Name of the phase"),
        Column("theatre", "string", "Area fought over"),
        Column(
            "start", "date", "First day (a campaign may have begun before the record's first event)", earliest=COUP_DATE
        ),
        Column("end", "date", "Last day; empty while ongoing", required=False),
        Column("objective", "string", "One line in our own words"),
        _sources("the start and end"),
    ),
    id_pattern=SLUG,
    rules=("`end` is not before `start`",),
)

SOURCES = Table(
    "sources",
    "Every page cited anywhere in the record.",
    "source_id",
    (
        _id("source_id", r"^S\d{4}$", "`S0001`"),
        Column("url", "string", "Address of the page read", pattern=r"^https?://\S+$"),
        Column("publisher", "string", "The outlet whose story it is, one spelling per outlet (never a mirror's host)"),
        Column(
            "copy_kind",
            "category",
            "Empty when the page is the outlet's own; else how the page copies it",
            required=False,
            vocabulary=COPY_KIND,
        ),
        Column(
            "copy_host",
            "string",
            "Host of the site that carried the copy (`bnionline.net`)",
            required=False,
            pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$",
        ),
        Column("published", "date", "Publication date, when the page gives one", required=False),
        Column("title", "string", "Headline of the page, when the page shows one", required=False),
        Column("independent", "boolean", "False for a belligerent's own statement or outlet"),
    ),
    id_pattern=r"^S\d{4}$",
    filled_together=(("copy_kind", "copy_host"),),
    rules=("`copy_kind` and `copy_host` are given together or not at all",),
)

CLAIMS = Table(
    "claims",
    "Running totals announced by a belligerent, or tallied by an independent monitor.",
    "claim_id",
    (
        _id("claim_id", r"^C\d{3}$", "`C001`"),
        Column("date", "date", "When the claim was made"),
        Column(
            "claimant",
            "string",
            "Actor making the claim; empty for an independent monitor's tally",
            required=False,
            pattern=r"^[A-Z][A-Z0-9-]*$",
            references="actors.actor_id",
        ),
        Column("metric", "category", "What is counted", vocabulary=CLAIM_METRIC),
        Column("value", "integer", "The number claimed", minimum=0, maximum=MAX_CLAIM_VALUE),
        Column("value_precision", "category", 'exact, at_least ("over 80") or approximate', vocabulary=COUNT_PRECISION),
        Column(
            "since",
            "date",
            "Start of the counted period (may reach back to the February 2021 coup)",
            required=False,
            earliest=COUP_DATE,
        ),
        Column(
            "scope",
            "string",
            "phase_id the claim covers, or `all`",
            pattern=SLUG,
            references="phases.phase_id",
            also_allowed=("all",),
        ),
        Column(
            "scope_area",
            "string",
            "State or region the count is limited to (`Kachin`, `Sagaing`, `Shan`); empty for no such limit",
            required=False,
        ),
        _sources("the claim"),
    ),
    id_pattern=r"^C\d{3}$",
)


@dataclass(frozen=True)
class Rule:
    """A rule on the meaning of the record that involves more than one cell, declared once.

    ``severity`` is ``error`` (the record does not load) or ``warning`` (legal but suspicious: the record
    loads, :attr:`Record.warnings` and ``kachin-analysis validate`` list it). ``column`` is where a
    breach is reported. The loader implements each rule under its ``key``; a test fails on a rule
    declared but not checked, or checked but not declared.
    """

    key: str
    table: str
    column: str
    severity: str
    description: str


#: The record's cross-cell rules, checked by the loader and listed in the README's data dictionary.
#: Week-precision dates are not tied to a weekday: the record's week rows give the first day a source
#: reports (41 rows, only 10 of them Mondays), so only month precision fixes the day.
RULES: tuple[Rule, ...] = (
    Rule(
        "month-starts-on-day-1",
        "events",
        "date",
        "error",
        "a `month`-precision `date` is the 1st of its month (a `week`-precision date is the first day reported "
        "and may fall on any weekday)",
    ),
    Rule(
        "event-inside-its-phase",
        "events",
        "date",
        "error",
        "an event's date span (the day; seven days from `date` for week precision; the calendar month for month "
        "precision) overlaps its phase's `start`–`end`",
    ),
    Rule(
        "one-role-per-actor",
        "events",
        "defenders",
        "error",
        "no actor is in more than one of `attackers`, `defenders` and `other_parties`",
    ),
    Rule("claim-counts-from-before-it", "claims", "since", "error", "a claim's `since` is on or before its `date`"),
    Rule(
        "place-in-myanmar",
        "places",
        "latitude",
        "warning",
        "coordinates lie in Myanmar (within about 2 km of its border)",
    ),
    Rule(
        "recapture-follows-capture",
        "events",
        "event_type",
        "warning",
        "a recapture follows a capture of the same place earlier in the record",
    ),
    Rule(
        "id-is-referenced",
        "*",
        "*",
        "warning",
        "every source, place, actor and phase is referenced by at least one row",
    ),
)

#: All tables, in load order (referenced tables first).
TABLES: dict[str, Table] = {t.name: t for t in (SOURCES, ACTORS, PLACES, PHASES, EVENTS, CLAIMS)}

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
#: The record's version (CalVer, YEAR.MONTH of the release). Bump it, with a "## Data" entry in CHANGELOG.md giving
#: the new digest (``kachin_analysis.diff.record_digest()``), whenever a file in data/ changes; a test enforces it.
DATA_VERSION = "2026.11"
CITATION = (
    "kachin-analysis contributors. kachin-analysis: a cited, itemised record of the "
    f"KIA-led offensive in northern Myanmar (2024–). Data version {DATA_VERSION}."
)

_FRICTIONLESS_TYPE = {
    "string": "string",
    "date": "date",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "category": "string",
    "list": "string",
}


def field_descriptor(col: Column) -> dict:
    """Frictionless field descriptor for one column.

    >>> field_descriptor(EVENTS.column("positions"))["constraints"]
    {'minimum': 0, 'maximum': 1000}
    """
    d: dict = {"name": col.name, "type": _FRICTIONLESS_TYPE[col.kind], "description": col.description}
    if col.kind == "date":
        d["format"] = "%Y-%m-%d"
    if col.kind == "boolean":
        d["trueValues"] = ["true"]
        d["falseValues"] = ["false"]
    constraints = _constraints(col)
    if constraints:
        d["constraints"] = constraints
    if col.kind == "list" and col.references:
        d["description"] += f" (each item references {col.references})"
    return d


def table_descriptor(table: Table) -> dict:
    """Frictionless tabular resource descriptor for one table."""
    fks = []
    for col in table.columns:
        if col.references and col.kind != "list" and not col.also_allowed:
            ref_table, ref_col = col.references.split(".")
            fks.append({"fields": col.name, "reference": {"resource": ref_table, "fields": ref_col}})
    schema: dict = {
        "fields": [field_descriptor(c) for c in table.columns],
        "primaryKey": [table.primary_key],
        "missingValues": [""],
    }
    if fks:
        schema["foreignKeys"] = fks
    return {
        "name": table.name,
        "path": table.filename,
        "profile": "tabular-data-resource",
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def datapackage() -> dict:
    """The whole ``data/datapackage.json`` descriptor, generated from this module.

    >>> [r["name"] for r in datapackage()["resources"]][:2]
    ['sources', 'actors']
    """
    return {
        "profile": "tabular-data-package",
        "name": "kachin-offensive-record",
        "title": "The KIA-led offensive in northern Myanmar: a cited, itemised event record",
        "description": (
            "Captures, recaptures, withdrawals, attacks, ceasefires and strikes of the Kachin "
            "Independence Army-led offensive (January 2024 onward), each row dated, placed and cited."
        ),
        "version": DATA_VERSION,
        "licenses": [LICENSE],
        "citation": CITATION,
        "resources": [table_descriptor(t) for t in TABLES.values()],
    }


def datapackage_json() -> str:
    """The descriptor as the exact text committed in ``data/datapackage.json``."""
    return json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"


def _constraints(col: Column) -> dict:
    """The Frictionless constraints of one column (required, enum, pattern, bounds)."""
    constraints: dict = {}
    if col.required:
        constraints["required"] = True
    if col.vocabulary:
        constraints["enum"] = list(col.vocabulary)
    if col.pattern and col.kind != "list":
        constraints["pattern"] = col.pattern.strip("^$")
    if col.minimum is not None:
        constraints["minimum"] = int(col.minimum) if col.kind == "integer" else col.minimum
    if col.maximum is not None:
        constraints["maximum"] = col.maximum
    if col.kind == "date":
        constraints["minimum"] = col.earliest.isoformat()
    return constraints


def _column_rule(c: Column) -> str:
    """One column's rule as the data dictionary words it."""
    rule = c.description
    if c.vocabulary:
        rule += ": " + ", ".join(f"`{v}`" for v in c.vocabulary)
    if c.references:
        rule += f" → `{c.references}`"
    if c.also_allowed:
        rule += " or " + ", ".join(f"`{v}`" for v in c.also_allowed)
    if c.minimum is not None or c.maximum is not None:
        lo = c.minimum if c.minimum is not None else ""
        hi = c.maximum if c.maximum is not None else ""
        rule += f" (range {lo}–{hi})"
    return rule


def _rule_line(declared) -> str:
    return f"Rule{' (warning)' if declared.severity == 'warning' else ''}: {declared.description}."


def data_dictionary_markdown() -> str:
    """The README's data dictionary, one Markdown table per table.

    >>> data_dictionary_markdown().splitlines()[0]
    '### sources.csv'
    """
    out: list[str] = []
    for t in TABLES.values():
        out += [
            f"### {t.filename}",
            "",
            f"{t.description} Primary key: `{t.primary_key}`.",
            "",
            "| column | type | required | rule |",
            "|---|---|---|---|",
        ]
        out += [f"| `{c.name}` | {c.kind} | {'yes' if c.required else ''} | {_column_rule(c)} |" for c in t.columns]
        for r in t.rules:
            out += ["", f"Rule: {r}."]
        for declared in RULES:
            if declared.table == t.name:
                out += ["", _rule_line(declared)]
        out.append("")
    for declared in RULES:
        if declared.table == "*":
            out += [_rule_line(declared), ""]
    return "\n".join(out).rstrip() + "\n"
