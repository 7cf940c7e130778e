"""A world map drawn on the server as SVG: Natural Earth's country shapes shipped with
the product (npm's `world-atlas` 2.0.2, `static/vendor/world-atlas/countries-110m.json`,
TopoJSON), projected here, so that the public page needs no tile server, no script
and no request to another host.

- `country_paths()`: every country's outline as an SVG path, decoded from the
  TopoJSON (delta-encoded, quantised arcs shared between neighbours) and projected
  once per process (functools.cache): the file does not change while it runs.
- `project(lat, lon)`: the equirectangular projection (plate carrée) of the map,
  cropped to 84°N..58°S (Antarctica is left out: no partner city is there).
- `world_map(home, partners)`: the map's coordinates: a marker per partner and a
  quadratic arc from the home city to each, bowed towards the pole.

Maps are not mirrored on right-to-left pages: the SVG is drawn left to right in
both languages.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

ATLAS = Path(settings.BASE_DIR) / "static" / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH = 1000
NORTH, SOUTH = 84.0, -58.0
SCALE = WIDTH / 360
HEIGHT = round((NORTH - SOUTH) * SCALE)
ANTARCTICA = "010"  # ISO 3166-1 numeric


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """(x, y) on the map of a point in degrees; y grows southwards."""
    latitude = max(SOUTH, min(NORTH, float(latitude)))
    longitude = max(-180.0, min(180.0, float(longitude)))
    return (longitude + 180) * SCALE, (NORTH - latitude) * SCALE


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Each arc as (longitude, latitude) points: quantised positions are deltas
    from the previous one, scaled and translated by the topology's transform."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = []
        x = y = 0
        for position in arc:
            if transform:
                x += position[0]
                y += position[1]
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((position[0], position[1]))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring from its arcs; a negative index ~i is arc i reversed. Each arc after
    the first starts where the previous one ended: its first point is dropped."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps from 180°
    to -180°: its longitudes are made continuous, and the ring is drawn once more
    shifted by 360° so each half shows on its side (the SVG clips the rest)."""
    points = []
    offset = 0.0
    previous = None
    for longitude, latitude in ring:
        if previous is not None:
            if longitude + offset - previous > 180:
                offset -= 360
            elif longitude + offset - previous < -180:
                offset += 360
        previous = longitude + offset
        points.append((previous, latitude))
    low = min(p[0] for p in points)
    high = max(p[0] for p in points)
    copies = [points]
    if high > 180:
        copies.append([(lon - 360, lat) for lon, lat in points])
    if low < -180:
        copies.append([(lon + 360, lat) for lon, lat in points])
    return copies


def _x(longitude: float) -> float:
    return (longitude + 180) * SCALE  # not clamped: an unwrapped ring may pass 180°


def _path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for copy in (c for ring in rings if ring for c in _unwrapped(ring)):
        previous = None
        commands = []
        for longitude, latitude in copy:
            x, y = _x(longitude), project(latitude, 0)[1]
            point = (round(x, 1), round(y, 1))
            if point == previous:
                continue
            commands.append(f"{point[0]:g},{point[1]:g}")
            previous = point
        if len(commands) >= 3:
            parts.append("M" + "L".join(commands) + "Z")
    return "".join(parts)


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 numeric, as world-atlas names them
    name: str  # Natural Earth's English name (for the reader of the source only)
    d: str  # the SVG path


@functools.cache
def country_paths() -> tuple[Country, ...]:
    """Every country of the atlas as an SVG path on this map, decoded once."""
    topology = json.loads(ATLAS.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = str(geometry.get("id") or "")
        if code == ANTARCTICA:
            continue
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        d = _path(rings)
        if d:
            name = (geometry.get("properties") or {}).get("name", "")
            countries.append(Country(code=code, name=name, d=d))
    return tuple(countries)


@functools.cache
def countries_svg() -> SafeString:
    """The countries as SVG markup, joined once per process: a page pastes it instead
    of looping over 176 paths. The paths hold only numbers and M/L/Z."""
    return mark_safe("".join(f'<path d="{c.d}"/>' for c in country_paths()))  # noqa: S308


@dataclass
class Marker:
    city_id: int
    x: float
    y: float
    arc: str  # the path from the home city, "" without one
    title: str


@dataclass
class WorldMap:
    width: int
    height: int
    countries: SafeString
    home: Marker | None
    markers: list[Marker]


def _arc(start: tuple[float, float], end: tuple[float, float]) -> str:
    """A quadratic curve from `start` to `end`, its control point off the middle by
    a quarter of the distance, on the northern side (smaller y)."""
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    if length < 1:
        return ""
    nx, ny = -dy / length, dx / length  # a unit normal
    if ny > 0:
        nx, ny = -nx, -ny
    bend = length / 4
    cx = (x1 + x2) / 2 + nx * bend
    cy = max(0.0, (y1 + y2) / 2 + ny * bend)
    return f"M{x1:.1f},{y1:.1f}Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"


def world_map(home, partners) -> WorldMap:
    """The map of one municipality: `home` and each of `partners` are
    (city id, latitude, longitude, title); a partner without coordinates has no
    marker (the table beside the map still lists it)."""
    home_marker = None
    if home is not None and home[1] is not None and home[2] is not None:
        x, y = project(home[1], home[2])
        home_marker = Marker(home[0], round(x, 1), round(y, 1), "", home[3])
    markers = []
    for city_id, latitude, longitude, title in partners:
        if latitude is None or longitude is None:
            continue
        x, y = project(latitude, longitude)
        arc = _arc((home_marker.x, home_marker.y), (x, y)) if home_marker else ""
        markers.append(Marker(city_id, round(x, 1), round(y, 1), arc, title))
    return WorldMap(WIDTH, HEIGHT, countries_svg(), home_marker, markers)
