"""What the public pages (/public/) may show, read once for the page, the GeoJSON and
the tests: only partnerships that are active (stage and status) and not hidden by
an officer (`Agreement.public`), and of those only what a citizen may read.

Which municipalities publish: every home municipality with at least one public
partnership (no setting to turn a municipality's page on: an officer hides an
agreement, and a municipality with nothing public has no page, 404).

Never read here: people (responsible officers, delegation heads and members,
officials), documents, notes, contacts, anything of an agreement that is not
public. Each function reads a fixed number of queries whatever the size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q, Subquery

from cities.models import City

from ..models import Activity, Agreement, Delegation, Stage, Status

LATEST = 10  # activities and delegations shown


def public_agreements():
    """Every agreement the public pages may name."""
    return Agreement.objects.filter(stage=Stage.ACTIVE, status=Status.ACTIVE, public=True)


PUBLIC_AGREEMENT = Q(
    home_agreements__stage=Stage.ACTIVE,
    home_agreements__status=Status.ACTIVE,
    home_agreements__public=True,
)


def publishing_municipalities() -> list[dict]:
    """The home municipalities with a public page, by English name, with their count
    of public partnerships (one query)."""
    return list(
        City.objects.filter(is_home=True, slug__isnull=False)
        .annotate(partnerships=Count("home_agreements", filter=PUBLIC_AGREEMENT))
        .filter(partnerships__gt=0)
        .order_by("name", "id")
        .values("id", "slug", "name", "name_fa", "country", "partnerships")
    )


def municipality(slug: str) -> City | None:
    """The home municipality of `slug` (one query), or None."""
    if not slug:
        return None
    return (
        City.objects.filter(is_home=True, slug=slug)
        .only("id", "slug", "name", "name_fa", "country", "latitude", "longitude", "population")
        .first()
    )


@dataclass
class Partnership:
    agreement_id: int
    city_id: int
    name: str
    name_fa: str
    country: str
    latitude: float | None
    longitude: float | None
    kind: str
    signed_year: int | None
    signed_on: datetime.date | None
    summary: str
    summary_fa: str


def partnership_count(home: City) -> int:
    """How many public partnerships `home` has (one query)."""
    return public_agreements().filter(home_city=home).count()


def partnerships(home: City, *, offset: int = 0, limit: int | None = None) -> list[Partnership]:
    """`home`'s public partnerships, by partner name, from `offset`, at most `limit`
    (one query)."""
    rows = (
        public_agreements()
        .filter(home_city=home)
        .order_by("partner_sort_key", "id")
        .values(
            "id",
            "kind",
            "signed_year",
            "signed_on",
            "public_summary",
            "public_summary_fa",
            "partner_city_id",
            "partner_city__name",
            "partner_city__name_fa",
            "partner_city__country",
            "partner_city__latitude",
            "partner_city__longitude",
        )
    )
    rows = rows[offset : None if limit is None else offset + limit]
    return [
        Partnership(
            agreement_id=row["id"],
            city_id=row["partner_city_id"],
            name=row["partner_city__name"],
            name_fa=row["partner_city__name_fa"],
            country=row["partner_city__country"],
            latitude=_float(row["partner_city__latitude"], 90),
            longitude=_float(row["partner_city__longitude"], 180),
            kind=row["kind"],
            signed_year=row["signed_year"] or (row["signed_on"].year if row["signed_on"] else None),
            signed_on=row["signed_on"],
            summary=row["public_summary"],
            summary_fa=row["public_summary_fa"],
        )
        for row in rows
    ]


def _float(value, bound: int) -> float | None:
    """A stored coordinate as a float, None when missing or out of range (a value
    stored before the validators must not put a marker off the map)."""
    if value is None:
        return None
    number = float(value)
    return number if -bound <= number <= bound else None


def latest_activities(home: City, limit: int = LATEST) -> list[dict]:
    """The newest activities of `home`'s public partnerships: dates, title, sector and
    the partner city; nothing else (one query)."""
    return list(
        Activity.objects.filter(agreement__in=public_agreements().filter(home_city=home))
        .order_by("-start_date", "-id")
        .values(
            "id",
            "start_date",
            "end_date",
            "title",
            "sector",
            "agreement__partner_city__name",
            "agreement__partner_city__name_fa",
        )[:limit]
    )


def latest_delegations(home: City, limit: int = LATEST) -> list[dict]:
    """The newest official delegations of `home`'s public partnerships: dates,
    direction and the partner city; never who travelled, why or what came of it
    (one query)."""
    return list(
        Delegation.objects.filter(
            agreement__in=public_agreements().filter(home_city=home), official=True
        )
        .order_by("-start_date", "-id")
        .values(
            "id",
            "start_date",
            "end_date",
            "direction",
            "agreement__partner_city__name",
            "agreement__partner_city__name_fa",
        )[:limit]
    )


def public_version(home: City) -> str:
    """A token that changes with anything the public pages of `home` show: the newest
    history row of any agreement, city, activity and delegation (index reads of the
    end of the history tables' primary keys, in one query). Every save writes a
    history row, so a change shows at once."""
    newest = {
        name: _subquery_max(model.history.model.objects.all())
        for name, model in (
            ("agreement", Agreement),
            ("city", City),
            ("activity", Activity),
            ("delegation", Delegation),
        )
    }
    row = City.objects.filter(pk=home.pk).annotate(**newest).values(*newest).first() or {}
    return "-".join([str(home.pk), *(str(row.get(name) or 0) for name in newest)])


PAGE_CACHE_SECONDS = 3600


def page_data(home: City, *, offset: int, limit: int) -> dict:
    """What `home`'s public page shows (the count of its public partnerships, those
    from `offset`, the latest activities and delegations) and its `version`, kept
    in the cache under public_version (the page caches its rendered part under
    it too): two queries when nothing changed (the version and the cache),
    five after a change, whatever the municipality's size."""
    version = public_version(home)
    key = f"public-page:{version}:{offset}:{limit}"
    data = cache.get(key)
    if data is None:
        total = partnership_count(home)
        data = {
            "total": total,
            "partnerships": partnerships(home, offset=offset, limit=limit) if total else [],
            "activities": latest_activities(home) if total else [],
            "delegations": latest_delegations(home) if total else [],
        }
        cache.set(key, data, PAGE_CACHE_SECONDS)
    return {**data, "version": version}


def _subquery_max(history):
    """The newest primary key: read from the end of the primary key's index."""
    return Subquery(history.order_by("-pk").values("pk")[:1])
