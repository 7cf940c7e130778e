"""The agreement list's filters, kept in the URL so a filtered list can be bookmarked.

    AgreementFilter(request.GET, queryset=permissions.visible_agreements(user), request=request).qs

Fail closed: when any value is invalid (an unknown stage, a home city the user
may not see, a year that is not a number...) `.qs` is empty and the form carries
the error. django-filter's default would silently drop the bad filter and show
more than the user asked for.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.models import City, country_choices, display_name

from . import permissions
from .dates import persian_digits
from .forms_fields import JalaliYearField
from .models import Activity, Goal, Kind, Origin, Sector, Stage, Status, sort_key_column
from .search import search_agreements
from .widgets import FastSelect


class YearFilter(django_filters.NumberFilter):
    """An exact Gregorian year (the API's `signed_year`)."""

    field_class = forms.IntegerField


class CalendarYearFilter(django_filters.NumberFilter):
    """A bound of the signed-year range in either calendar ("2023", "1402", "۱۴۰۲"):
    a year below 1700 is Solar Hijri (Jalali), as the date fields read it
    (forms_fields.JalaliYearField). A Jalali year spans two Gregorian years (1402:
    21 March 2023 to 19 March 2024), so the range is the widest it overlaps: a
    "from" bound (`gte`) is the Gregorian year it starts in, an "until" bound
    (`lte`) the one it ends in. Agreements keep a Gregorian year only, so
    "from 1402 until 1402" lists those signed in 2023 or 2024."""

    field_class = JalaliYearField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("ends", kwargs.get("lookup_expr") == "lte")
        super().__init__(*args, **kwargs)


FLAG_CHOICES = [
    ("stalled", _("Stalled")),
    ("expiring", _("Expiring")),
    ("dormant", _("Dormant")),
    ("plan_overdue", _("Action plan items overdue")),
]

# The allow-list of sort keys shown in the URL (?sort=-signed_year); anything
# else is a validation error, never an arbitrary order_by.
SORT_KEYS = ["home", "partner", "country", "stage", "kind", "signed_year", "created"]
SORT_CHOICES = [(key, key) for key in SORT_KEYS] + [(f"-{key}", f"-{key}") for key in SORT_KEYS]
DEFAULT_SORT = "-created"


def _stage_position():
    """Stages sort in lifecycle order, not alphabetically."""
    return Case(
        *(When(stage=code, then=Value(index)) for index, code in enumerate(Stage.values)),
        output_field=IntegerField(),
    )


def sort_expressions(key: str) -> list:
    descending = key.startswith("-")
    name = key.lstrip("-")
    expressions = {
        "home": sort_key_column("home"),
        "partner": sort_key_column("partner"),
        "country": F("partner_city__country"),
        "stage": _stage_position(),
        "kind": F("kind"),
        "signed_year": F("signed_year"),
        "created": F("created_at"),
    }[name]
    if name == "signed_year":
        # Unsigned agreements (no year) go last in both directions.
        ordered = expressions.desc(nulls_last=True) if descending else expressions.asc()
    else:
        # No NULLS clause on non-null columns, so PostgreSQL can walk the
        # (-created_at, -id) index for the default order instead of sorting.
        ordered = expressions.desc() if descending else expressions.asc()
    # The id breaks ties so that pages never repeat or skip a row.
    return [ordered, F("id").desc() if descending else F("id").asc()]


def visible_home_cities(request) -> QuerySet[City]:
    user = getattr(request, "user", None)
    if user is None:
        return City.objects.none()
    if permissions.is_administrator(user):
        return City.objects.homes()
    return City.objects.filter(pk__in=permissions.home_city_ids(user))


class NameOnlyIterator(ModelChoiceIterator):
    """A city select's options from (id, name, name_fa) rows, not model instances.

    A national administrator's home-municipality filter has hundreds of options;
    building a City for each cost more than the rest of the list page (20 ms at
    400). The chosen value is still checked against the queryset by the field.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        persian = (get_language() or "").startswith("fa")
        for pk, name, name_fa in self.queryset.values_list("pk", "name", "name_fa"):
            yield (pk, display_name(name, name_fa, persian=persian))


class CityChoiceField(forms.ModelChoiceField):
    iterator = NameOnlyIterator


class CityChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CityChoiceField


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search cities"), method="filter_text")
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Stage.choices, empty_label=_("Any stage")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, empty_label=_("Any kind")
    )
    home_city = CityChoiceFilter(
        label=_("Home municipality"),
        queryset=visible_home_cities,
        empty_label=_("Any municipality"),
    )
    partner_country = django_filters.ChoiceFilter(
        label=_("Partner country"),
        field_name="partner_city__country",
        # A callable: country names are translated when the form is built.
        choices=country_choices,
        empty_label=_("Any country"),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"),
        choices=Sector.choices,
        method="filter_sector",
        empty_label=_("Any sector"),
    )
    origin = django_filters.ChoiceFilter(
        label=_("Origin"), choices=Origin.choices, empty_label=_("Any origin")
    )
    signed_year_min = CalendarYearFilter(
        label=_("Signed from (year)"),
        field_name="signed_year",
        lookup_expr="gte",
        min_value=1900,
        max_value=2200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1990"}),
    )
    signed_year_max = CalendarYearFilter(
        label=_("Signed until (year)"),
        field_name="signed_year",
        lookup_expr="lte",
        min_value=1900,
        max_value=2200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2025"}),
    )
    flag = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        choices=FLAG_CHOICES,
        method="filter_flag",
        empty_label=_("All"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        for name, field in self.form.fields.items():
            if type(field.widget) is forms.Select:
                # Options written in Python: the country and home-municipality lists
                # have hundreds; Django's own Select made the list page 1.5 to 1.7
                # times slower at 100,000 agreements (agreements/widgets.py).
                field.widget = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"filter-{name}")
        if (get_language() or "").startswith("fa"):
            # A text box, not type=number, so Persian digits can be typed; the
            # example in the calendar and digits of the page (1369 began in 1990,
            # 1404 in 2025).
            for name, example in (("signed_year_min", "1369"), ("signed_year_max", "1404")):
                self.form.fields[name].widget.attrs["placeholder"] = persian_digits(example)
        self.form.fields["sort"].required = False
        self.form.fields["sort"].widget = forms.HiddenInput()

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_qs"):
            if self.is_bound and not self.form.is_valid():
                self._qs = self.queryset.none()
            else:
                qs = super().qs
                if not (self.is_bound and self.form.cleaned_data.get("sort")):
                    qs = qs.order_by(*sort_expressions(DEFAULT_SORT))
                self._qs = qs
        return self._qs

    @property
    def sort_key(self) -> str:
        """The sort in effect, for the column headers."""
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("sort") or DEFAULT_SORT
        return DEFAULT_SORT

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_agreements(queryset, value)

    def filter_sector(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # EXISTS, not a join: an agreement with two goals in the sector stays one row.
        goals = Goal.objects.filter(agreement=OuterRef("pk"), sector=value)
        activities = Activity.objects.filter(agreement=OuterRef("pk"), sector=value)
        return queryset.filter(Q(Exists(goals)) | Q(Exists(activities)))

    def filter_flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "dormant":
            return queryset.dormant()
        if value == "stalled":
            return queryset.stalled()
        if value == "expiring":
            return queryset.expiring()
        if value == "plan_overdue":
            return queryset.with_overdue_plan_items()
        return queryset

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*sort_expressions(value or DEFAULT_SORT))
