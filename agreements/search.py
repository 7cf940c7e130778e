"""Agreements found by the names of their cities, in either language, as a
Persian reader means them (the normalisation is cities.search's)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cities.models import City
from cities.search import search_terms


def search_agreements(queryset: QuerySet, text: str | None) -> QuerySet:
    """Agreements where every word of `text` is in a name (either language) of the
    home or the partner city."""
    for term in search_terms(text):
        city_ids = City.objects.matching(term).values("pk")
        queryset = queryset.filter(Q(home_city__in=city_ids) | Q(partner_city__in=city_ids))
    return queryset
