"""The public pages (issue 23), for anyone, signed in or not: /public/ (the home
municipalities that publish), /public/<slug>/ (a municipality's public partnerships
on a world map drawn on the server, its latest public activities and delegations)
and /public/<slug>.geojson (the same partnerships for municipal websites and GIS).

What may be shown is decided in agreements.selectors.public, nowhere else. The map
is agreements.worldmap's SVG (no tile server, no script: the page keeps the site's
Content-Security-Policy). No page here reads the session's user.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django_countries import countries

from cities.models import display_name

from .. import worldmap
from ..dates import to_jalali
from ..models import Direction, Kind, Sector
from ..pagination import MAX_PAGE
from ..selectors import public

GEOJSON_TYPE = "application/geo+json"
PER_PAGE = 100
GEOJSON_CACHE_SECONDS = 24 * 3600


def _persian() -> bool:
    return (get_language() or "").startswith("fa")


@functools.lru_cache(maxsize=2048)
def _country_in(code: str, language: str) -> str:
    return str(countries.name(code) or code)


def _country(code: str) -> str:
    """The country's name in the page's language (django-countries' look-up is slow
    enough to show on a page of a hundred rows: kept per code and language)."""
    return _country_in(code, get_language() or "") if code else ""


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _year(partnership: public.Partnership, persian: bool) -> int | None:
    """The year signed in the reader's calendar: Jalali on Persian pages (from the
    signing date; a year known without its date is taken as the Jalali year most of
    it falls in, Gregorian year − 621)."""
    if not persian:
        return partnership.signed_year
    if partnership.signed_on:
        try:
            return to_jalali(partnership.signed_on).year
        except (ValueError, OverflowError):
            return None
    return partnership.signed_year - 621 if partnership.signed_year else None


@require_safe
def public_index(request: HttpRequest) -> HttpResponse:
    persian = _persian()
    municipalities = [
        {
            "slug": row["slug"],
            "name": display_name(row["name"], row["name_fa"], persian=persian),
            "other_name": (row["name"] if row["name_fa"] else "") if persian else row["name_fa"],
            "country": _country(row["country"]),
            "partnerships": row["partnerships"],
        }
        for row in public.publishing_municipalities()
    ]
    return render(request, "public/index.html", {"municipalities": municipalities})


def _home_or_404(slug: str):
    home = public.municipality(slug)
    if home is None:
        raise Http404
    return home


def _shape(home, home_name: str, partnerships, data: dict, persian: bool) -> tuple:
    """The table's rows, the map, the activities and delegations of one page."""
    rows = []
    for p in partnerships:
        name = display_name(p.name, p.name_fa, persian=persian)
        rows.append(
            {
                "city_id": p.city_id,
                "name": name,
                "other_name": (p.name if p.name_fa else "") if persian else p.name_fa,
                "country": _country(p.country),
                "kind": _label(Kind, p.kind),
                "year": _year(p, persian),
                "summary": (p.summary_fa or p.summary) if persian else (p.summary or p.summary_fa),
                "summary_dir": "rtl" if (persian and p.summary_fa) or not p.summary else "ltr",
                "on_map": p.latitude is not None and p.longitude is not None,
                "latitude": p.latitude,
                "longitude": p.longitude,
            }
        )
    home_point = public._float(home.latitude, 90), public._float(home.longitude, 180)
    the_map = worldmap.world_map(
        (home.pk, *home_point, home_name),
        [
            (row["city_id"], row["latitude"], row["longitude"], f"{row['name']} ({row['country']})")
            for row in rows
        ],
    )
    activities = [
        {
            "start": a["start_date"],
            "end": a["end_date"],
            "title": a["title"],
            "sector": _label(Sector, a["sector"]),
            "partner": display_name(
                a["agreement__partner_city__name"],
                a["agreement__partner_city__name_fa"],
                persian=persian,
            ),
        }
        for a in data["activities"]
    ]
    delegations = [
        {
            "start": d["start_date"],
            "end": d["end_date"],
            "direction": _label(Direction, d["direction"]),
            "partner": display_name(
                d["agreement__partner_city__name"],
                d["agreement__partner_city__name_fa"],
                persian=persian,
            ),
        }
        for d in data["delegations"]
    ]
    return rows, the_map, activities, delegations


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404
    if not 1 <= number <= MAX_PAGE:
        raise Http404
    return number


@require_safe
def public_municipality(request: HttpRequest, slug: str) -> HttpResponse:
    """A municipality's page: its public partnerships PER_PAGE at a time on the map
    and in the table (a national capital's thousands stay a page's worth of work;
    the GeoJSON has them all), the latest public activities and delegations."""
    home = _home_or_404(slug)
    number = _page_number(request)
    offset = (number - 1) * PER_PAGE
    data = public.page_data(home, offset=offset, limit=PER_PAGE)
    total, partnerships = data["total"], data["partnerships"]
    if not total:
        raise Http404  # a municipality with nothing public does not publish
    pages = (total + PER_PAGE - 1) // PER_PAGE
    if number > pages:
        raise Http404
    persian = _persian()
    home_name = display_name(home.name, home.name_fa, persian=persian)
    # What the page shows, shaped for the reader's language, is kept with the data's
    # version (like the rendered fragment): unchanged data costs no shaping either.
    key = f"public-view:{data['version']}:{get_language()}:{number}"
    shaped = cache.get(key)
    if shaped is None:
        shaped = _shape(home, home_name, partnerships, data, persian)
        cache.set(key, shaped, public.PAGE_CACHE_SECONDS)
    rows, the_map, activities, delegations = shaped
    return render(
        request,
        "public/municipality.html",
        {
            "home": home,
            "home_name": home_name,
            "home_other_name": (home.name if home.name_fa else "") if persian else home.name_fa,
            "rows": rows,
            "map": the_map,
            "activities": activities,
            "delegations": delegations,
            "total": total,
            # The rendered map, table and lists are kept under this (templates/public/
            # municipality.html's {% cache %}): a capital's page costs a small one's.
            "version": data["version"],
            "first": offset + 1,
            "last": offset + len(rows),
            "page_number": number,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if number < pages else None,
        },
    )


def _etag(version: str) -> str:
    return '"' + hashlib.sha256(f"geojson:1:{version}".encode()).hexdigest()[:32] + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return etag in tags


def geojson_document(home, partnerships: list[public.Partnership]) -> dict:
    """RFC 7946: a FeatureCollection, one Feature per public partnership, a Point at
    [longitude, latitude] (null geometry while the partner has no coordinates)."""
    features = []
    for p in partnerships:
        has_point = p.latitude is not None and p.longitude is not None
        features.append(
            {
                "type": "Feature",
                "id": p.city_id,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(p.longitude, 6), round(p.latitude, 6)],
                }
                if has_point
                else None,
                "properties": {
                    "city_id": p.city_id,
                    "name": p.name,
                    "name_fa": p.name_fa,
                    "country": p.country,
                    "country_name": str(countries.name(p.country) or ""),
                    "kind": p.kind,
                    "signed_year": p.signed_year,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": home.name,
        "municipality": {"name": home.name, "name_fa": home.name_fa, "country": str(home.country)},
        "features": features,
    }


@require_safe
def public_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    """The GeoJSON, with an ETag from the newest history row of any agreement or
    city (public.public_version): If-None-Match answers 304 after two queries; the
    body is kept in the cache under its ETag, so it is built once per change."""
    home = _home_or_404(slug)
    etag = _etag(public.public_version(home))
    if _matches(request, etag):
        response = HttpResponseNotModified()
    else:
        key = f"public-geojson:{etag}"
        body = cache.get(key)
        if body is None:
            partnerships = public.partnerships(home)
            if not partnerships:
                raise Http404
            body = json.dumps(geojson_document(home, partnerships), ensure_ascii=False)
            cache.set(key, body, GEOJSON_CACHE_SECONDS)
        response = HttpResponse(body, content_type=GEOJSON_TYPE)
        response["Content-Disposition"] = f'inline; filename="{home.slug}.geojson"'
    response["ETag"] = etag
    # Anyone may keep it, but asks again each time (the ETag makes that cheap).
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response
