"""The city directory: cities, their partners, networks and titles.

Cities are shared reference data that every user with a role may read, but who
partners whom is not: partners are listed only through agreements the user may
see (agreements.permissions.visible_agreements), so the directory never reveals another
municipality's agreements.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET, require_http_methods

from cities.forms import CityForm, CitySearchForm
from cities.models import City, Membership
from cities.search import search_terms

from .. import figures, permissions, reasons
from ..city_directory import check_may_edit_city, may_edit_city, save_city
from ..pagination import paginate
from ..services import Conflict
from .access import role_required
from .common import forbidden
from .lists import wants_fragment

PARTNERS_SHOWN = 6


def _with_networks(queryset: QuerySet[City]) -> QuerySet[City]:
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("network"))
    )


def partners_by_city(
    user, cities: list[City], limit: int = PARTNERS_SHOWN, version: str | None = None
) -> dict[int, dict]:
    """Each city's partners through live agreements visible to `user`.

    A home municipality can have thousands of partners: of its own agreements only
    the number is read (`as_home`) and the page links to the agreement list
    filtered by it. Those numbers count most agreements when the page lists the
    home municipalities (the directory's first page): they are cached until an
    agreement changes (agreements/figures.py; `version` is its data version if
    the caller read it already). A partner city has a few home-city partners:
    up to `limit` of them are listed (`partners`), numbered per city by a window
    function, with their total in `count`. At most two queries whatever the sizes."""
    result: dict[int, dict] = defaultdict(lambda: {"partners": [], "count": 0, "as_home": 0})
    ids = [city.pk for city in cities]
    if not ids:
        return result
    visible = permissions.visible_agreements(user).live()
    home_ids = [city.pk for city in cities if city.is_home]
    if home_ids:
        counts = (
            visible.filter(home_city_id__in=home_ids)
            .order_by()
            .values_list("home_city_id")
            .annotate(n=Count("id"))
        )
        as_home = figures.cached(
            "home-agreement-counts", figures.scope_of(counts), lambda: list(counts), version
        )
        for city_id, n in as_home:
            result[city_id]["as_home"] = n
    rows = (
        visible.filter(partner_city_id__in=ids)
        .select_related("home_city")
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("partner_city_id")],
                order_by=[F("home_city__name").asc(), F("id").asc()],
            ),
            side_total=Window(Count("id"), partition_by=[F("partner_city_id")]),
        )
        .filter(position__lte=limit)
        .order_by("partner_city_id", "position")
    )
    for agreement in rows:
        entry = result[agreement.partner_city_id]
        entry["partners"].append((agreement, agreement.home_city))
        entry["count"] = agreement.side_total
    return result


def filter_cities(form: CitySearchForm) -> QuerySet[City]:
    """The directory's filters; an invalid form shows no cities (fail closed)."""
    if not form.is_valid():
        return City.objects.none()
    cities = City.objects.all()
    for term in search_terms(form.cleaned_data["q"]):
        cities = cities.matching(term)
    scope = form.cleaned_data["scope"]
    if scope == "home":
        cities = cities.homes()
    elif scope == "partner":
        cities = cities.filter(is_home=False)
    if form.cleaned_data["missing_fa"]:
        cities = cities.missing_persian_name()
    return cities.order_by("-is_home", "name", "id")


@role_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = CitySearchForm(request.GET)
    page = paginate(request, _with_networks(filter_cities(form)), per_page=25)
    # Read once for both cached figures below.
    version = figures.data_version()
    partners = partners_by_city(request.user, page.object_list, version=version)
    for city in page.object_list:
        city.partner_entry = partners[city.pk]
    context = {
        "form": form,
        "page": page,
        # A count over every city (20,000 nationally): kept until a city changes.
        "missing_fa_count": figures.cached(
            "cities-missing-persian-name",
            "all",
            lambda: City.objects.missing_persian_name().count(),
            version,
        ),
        "can_create": permissions.can_manage_partner_cities(request.user),
    }
    template = "cities/directory.html"
    if wants_fragment(request):
        template += "#results"
    return render(request, template, context)


@role_required
@require_GET
def city_detail(request: HttpRequest, pk: int) -> HttpResponse:
    city = get_object_or_404(_with_networks(City.objects.all()), pk=pk)
    agreements = (
        permissions.visible_agreements(request.user)
        .filter(Q(home_city=city) | Q(partner_city=city))
        .with_cities()
        .order_by("-created_at", "-id")
    )
    page = paginate(request, agreements)
    context = {
        "city": city,
        "page": page,
        "can_edit": may_edit_city(request.user, city),
    }
    return render(request, "cities/detail.html", context)


def _city_form_page(request: HttpRequest, city: City, *, creating: bool) -> HttpResponse:
    may_set_home = permissions.can_create_home_city(request.user)
    form = CityForm(request.POST or None, instance=city, may_set_home=may_set_home)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_city(
                city=form.instance,
                by=request.user,
                expected_version=None if creating else form.cleaned_data.get("version"),
                reason=reasons.reason("city_created" if creating else "city_edited"),
            )
        except permissions.Forbidden as error:
            return forbidden(request, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _g("The city was saved."))
            return redirect("cities:detail", pk=saved.pk)
    return render(request, "cities/form.html", {"form": form, "city": city, "creating": creating})


@role_required
@require_http_methods(["GET", "POST"])
def city_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_partner_cities(request.user):
        raise PermissionDenied
    return _city_form_page(request, City(), creating=True)


@role_required
@require_http_methods(["GET", "POST"])
def city_edit(request: HttpRequest, pk: int) -> HttpResponse:
    city = get_object_or_404(City, pk=pk)
    try:
        check_may_edit_city(request.user, city)
    except permissions.Forbidden as error:
        # The reason on the page (a shared partner city: ask an administrator).
        return forbidden(request, error)
    return _city_form_page(request, city, creating=False)
