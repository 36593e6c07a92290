"""Exports of the record: the joined events table (CSV), points for GIS (GeoJSON), ACLED's layout.

Every file is written atomically; every CSV cell that a spreadsheet would run
as a formula is neutralised.

Example
-------
>>> import tempfile, pathlib, kachin_analysis as ka
>>> record = ka.load_record()
>>> out = pathlib.Path(tempfile.mkdtemp()) / "events.geojson"
>>> write(record, out, "geojson") == int(joined_events(record)["latitude"].notna().sum())
True
"""

from __future__ import annotations

import json
import os

import pandas as pd

from .files import check_file_target, neutralise_cell, write_output
from .interop import to_acled
from .load import Record

__all__ = ["FORMATS", "joined_events", "render", "to_geojson", "write"]

FORMATS = ("csv", "geojson", "acled")


def joined_events(record: Record) -> pd.DataFrame:
    """Events with their place (name, admin units, coordinates, precision) and phase (name, theatre).

    >>> import kachin_analysis as ka
    >>> "latitude" in joined_events(ka.load_record()).columns
    True
    """
    places = record.places.rename(columns={"name": "place_name", "source_ids": "place_source_ids"}).drop(
        columns=["aliases"]
    )
    phases = record.phases[["phase_id", "name", "theatre"]].rename(columns={"name": "phase_name"})
    ev = record.events.assign(phase_id=record.events["phase_id"].astype("string"))
    out = ev.merge(places, on="place_id", how="left", validate="many_to_one")
    out = out.merge(
        phases.assign(phase_id=phases["phase_id"].astype("string")), on="phase_id", how="left", validate="many_to_one"
    )
    return out


def _csv_text(frame: pd.DataFrame) -> str:
    text = frame.astype(object).where(frame.notna(), "")
    text = text.map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v)
    text = text.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return text.to_csv(index=False, lineterminator="\n")


def to_geojson(record: Record) -> dict:
    """A GeoJSON FeatureCollection: one point per event whose place has coordinates.

    >>> import kachin_analysis as ka
    >>> to_geojson(ka.load_record())["type"]
    'FeatureCollection'
    """
    joined = joined_events(record)
    features = []
    for row in joined.itertuples(index=False):
        if pd.isna(row.latitude) or pd.isna(row.longitude):
            continue
        props = {}
        for key, value in row._asdict().items():
            if key in ("latitude", "longitude"):
                continue
            if isinstance(value, pd.Timestamp):
                value = value.strftime("%Y-%m-%d")
            elif pd.isna(value) if not isinstance(value, (list, tuple)) else False:
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            props[key] = value
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(row.longitude), float(row.latitude)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def render(record: Record, fmt: str) -> tuple[bytes, int]:
    """The bytes of ``record`` as ``csv`` (joined events), ``geojson`` or ``acled``, and the number of events in them.

    >>> import kachin_analysis as ka
    >>> render(ka.load_record(), "csv")[1] == len(ka.load_record().events)
    True
    """
    if fmt == "csv":
        frame = joined_events(record)
        return _csv_text(frame).encode("utf-8"), len(frame)
    if fmt == "geojson":
        collection = to_geojson(record)
        return (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), len(
            collection["features"]
        )
    if fmt == "acled":
        frame = to_acled(record)
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8"), len(frame)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")


def write(record: Record, path: str | os.PathLike, fmt: str) -> int:
    """Write ``record`` as ``csv`` (joined events), ``geojson`` or ``acled``; returns the number of events written.

    ``path`` ``-`` is standard output. A folder, a symbolic link or a device as ``path`` raises
    :class:`~kachin_analysis.files.OutputError` before anything is computed; an existing file keeps its mode.

    >>> import tempfile, pathlib, kachin_analysis as ka
    >>> write(ka.load_record(), pathlib.Path(tempfile.mkdtemp()) / "e.csv", "csv") > 0
    True
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if str(path) != "-":
        check_file_target(path)
    data, n = render(record, fmt)
    write_output(path, data)
    return n
