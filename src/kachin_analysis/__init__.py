"""kachin-analysis: the cited, itemised record of the KIA-led offensive in northern Myanmar.

Importing the package is cheap: it loads pandas and the record helpers, never
matplotlib or seaborn (plots live in :mod:`kachin_analysis.plots` and
:mod:`kachin_analysis.figures`).

Example
-------
>>> import kachin_analysis as ka
>>> record = ka.load_record()
>>> weekly = ka.count_captures(record, freq="W")
"""

from .actors import event_actors
from .aggregate import (
    actor_involvement,
    claims_vs_record,
    co_participation,
    control_timeline,
    count_captures,
    effective_actors,
    holder_on,
    phase_summary,
    towns_held,
)
from .diff import record_diff
from .evidence import behind_claim, find_events, headline, sources_for
from .interop import from_acled, to_acled
from .load import (
    Problem,
    Record,
    RecordError,
    load_actors,
    load_claims,
    load_events,
    load_phases,
    load_places,
    load_record,
    load_sources,
    load_table,
    write_table,
)


def _version() -> str:
    """The version pyproject.toml declares, as installed (the one place it is written)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kachin-analysis")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


__version__ = _version()

__all__ = [
    "Problem",
    "Record",
    "RecordError",
    "__version__",
    "actor_involvement",
    "behind_claim",
    "claims_vs_record",
    "co_participation",
    "control_timeline",
    "count_captures",
    "effective_actors",
    "event_actors",
    "find_events",
    "from_acled",
    "headline",
    "holder_on",
    "load_actors",
    "load_claims",
    "load_events",
    "load_phases",
    "load_places",
    "load_record",
    "load_sources",
    "load_table",
    "phase_summary",
    "record_diff",
    "sources_for",
    "to_acled",
    "towns_held",
    "write_table",
]
