"""Query filters of the API lists. An invalid value or a parameter the list does not
know answers 400 `invalid_parameter` (QueryFilterBackend), never the unfiltered list.

The agreement list reuses the page's AgreementFilter (agreements/filters.py), so
both lists filter by the same rules; the API adds the exact `signed_year` its
contract names.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.exceptions import ErrorDetail, ValidationError

from cities.models import City
from cities.search import search_terms

from ..filters import AgreementFilter, YearFilter
from ..models import RequestState


class InvalidParameters(ValidationError):
    """400 `invalid_parameter` (exceptions.py): query parameters the operation does
    not know or cannot take, with an error per parameter (as a body's field errors).
    Here, not in exceptions.py: export_jobs reads AgreementAPIFilter, and
    exceptions.py imports the services."""


UNKNOWN_PARAMETER = _("This list has no such parameter.")
EMPTY_PARAMETER = _("Give a value, or leave the parameter out.")


def reject_unknown_parameters(request, known) -> None:
    """400 `invalid_parameter` for every query parameter not in `known`."""
    unknown = set(request.query_params) - set(known)
    if unknown:
        raise InvalidParameters(
            {
                name: [ErrorDetail(str(UNKNOWN_PARAMETER), code="unknown")]
                for name in sorted(unknown)
            }
        )


def reject_empty_values(request, fields) -> None:
    """400 `invalid_parameter` for an empty value of a parameter that is not free text.
    django-filter reads `kind=` as "no filter", as a page's form sends it; the schema
    says a kind is one of its codes, and a client that sends nothing meant something."""
    empty = [
        name
        for name, field in fields.items()
        if not isinstance(field, forms.CharField)
        and name in request.query_params
        and "" in request.query_params.getlist(name)
    ]
    if empty:
        raise InvalidParameters(
            {name: [ErrorDetail(str(EMPTY_PARAMETER), code="blank")] for name in sorted(empty)}
        )


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter's backend, strict: an invalid value or an unknown parameter
    answers 400 `invalid_parameter` with an error per parameter. `page`,
    `page_size` (the pagination's) and `format` are every list's; a list without
    filters (records, exports) takes only those."""

    common = frozenset({"page", "page_size", "format"})

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            reject_unknown_parameters(request, self.common)
            return queryset
        reject_unknown_parameters(request, set(filterset.form.fields) | self.common)
        reject_empty_values(request, filterset.form.fields)
        if not filterset.is_valid():
            raise InvalidParameters(translate_validation(filterset.errors).detail)
        return filterset.qs


class AgreementAPIFilter(AgreementFilter):
    signed_year = YearFilter(
        label=_("Signed in (year)"), field_name="signed_year", min_value=1800, max_value=2200
    )


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1"))
        super().__init__(*args, **kwargs)


class CityAPIFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("Search (English or Persian name)"), method="filter_search", max_length=200
    )
    country = django_filters.ChoiceFilter(label=_("Country"), choices=lambda: list(countries))
    is_home = StrictBooleanFilter(label=_("Home municipality"))

    class Meta:
        model = City
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for term in search_terms(value):
            queryset = queryset.matching(term)
        return queryset


class StageRequestAPIFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=RequestState.choices)
    agreement = django_filters.NumberFilter(
        label=_("Agreement"), field_name="agreement_id", min_value=1, max_value=2**62
    )
