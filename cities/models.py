"""Cities, the international city networks they belong to, and their memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from . import geo
from .search import normalise, persian_sort_key
from .validators import validate_line, validate_text


class Characteristic(models.TextChoices):
    HISTORIC = "historic", _("Historic")
    ACADEMIC = "academic", _("Academic")
    TOURISM = "tourism", _("Tourism")
    PORT = "port", _("Port")
    INDUSTRIAL = "industrial", _("Industrial")
    RELIGIOUS = "religious", _("Religious")
    FESTIVAL = "festival", _("Festival")
    CAPITAL = "capital", _("Capital")


def display_name(name: str, name_fa: str, *, persian: bool | None = None) -> str:
    """The name a reader of the current language expects: Persian on Persian pages
    when the city has one (City.display_name, for rows read without a model).
    `persian`: whether the page is Persian, when the caller already knows."""
    if persian is None:
        persian = (get_language() or "").startswith("fa")
    return name_fa if persian and name_fa else name


_COUNTRY_CHOICES: dict[str, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """Every country as (ISO code, name) in the page's language and its alphabetical
    order: django-countries sorts by code point, which on a Persian page puts "پرو"
    after "یمن"; here Persian pages sort with cities.search.persian_sort_key. Built once
    per language (the names do not change while the process runs)."""
    language = get_language() or ""
    if language not in _COUNTRY_CHOICES:
        pairs = [(code, str(name)) for code, name in countries]
        if language.startswith("fa"):
            pairs.sort(key=lambda pair: persian_sort_key(pair[1]))
        _COUNTRY_CHOICES[language] = pairs
    return list(_COUNTRY_CHOICES[language])


def search_name_for(name: str, name_fa: str) -> str:
    return normalise(f"{name} {name_fa}")


SLUG_MAX_LENGTH = 220


def slug_candidates(name: str, country: str):
    """The addresses a city may take, best first: its English name, then with its
    country code, then numbered (two cities of one name in one country cannot
    exist, but a name may slugify like another's)."""
    base = (slugify(name) or "city")[: SLUG_MAX_LENGTH - 12]
    yield base
    code = str(country or "").lower()
    if code:
        yield f"{base}-{code}"
    for n in range(2, 10_000):
        yield f"{base}-{n}"


def unique_slug(name: str, country: str, *, taken: set[str] | None = None, exclude_pk=None) -> str:
    """A slug no other city has. With `taken` (a bulk path: every stored slug and its
    own batch's, read once) the database is not asked again."""
    for candidate in slug_candidates(name, country):
        if taken is not None:
            if candidate not in taken:
                return candidate
            continue
        others = City.objects.filter(slug=candidate)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if not others.exists():
            return candidate
    raise AssertionError("unreachable")


class CityQuerySet(models.QuerySet):
    def homes(self) -> CityQuerySet:
        return self.filter(is_home=True)

    def missing_persian_name(self) -> CityQuerySet:
        return self.filter(name_fa="")

    def matching(self, term: str) -> CityQuerySet:
        """Cities whose English or Persian name contains `term` (normalised: see
        cities.search). City.search_name holds both names already normalised (and
        is trigram-indexed on PostgreSQL), so no row is normalised at search time."""
        return self.filter(search_name__contains=term)


class City(models.Model):
    name = models.CharField(_("name (English)"), max_length=200, validators=[validate_line])
    name_fa = models.CharField(
        _("name (Persian)"), max_length=200, blank=True, validators=[validate_line]
    )
    country = CountryField(_("country"))
    region = models.CharField(
        _("province or region (English)"), max_length=200, blank=True, validators=[validate_line]
    )
    region_fa = models.CharField(
        _("province or region (Persian)"), max_length=200, blank=True, validators=[validate_line]
    )
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    titles = models.TextField(
        _("titles (English)"),
        blank=True,
        help_text=_("One per line, e.g. “Cultural capital of the Islamic world, 2006”."),
        validators=[validate_text],
    )
    titles_fa = models.TextField(_("titles (Persian)"), blank=True, validators=[validate_text])
    characteristics = models.JSONField(
        _("characteristics"),
        default=list,
        blank=True,
        help_text=_("Codes such as historic, port, festival."),
    )
    # Both names normalised as a Persian reader compares them (yeh/kaf, zero-width
    # marks, digits): the text search filters on it instead of normalising every
    # row on every search. Filled by save(); bulk paths call search_name_for().
    search_name = models.TextField(_("search name"), default="", editable=False)
    # The city's address on the public pages (/public/<slug>/): from the English
    # name when the city is first saved, unique, never changed by a rename (links
    # published on municipal websites keep working).
    slug = models.SlugField(
        _("address name"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        null=True,
        blank=True,
        editable=False,
    )
    is_home = models.BooleanField(
        _("home municipality"),
        default=False,
        help_text=_("A municipality that runs its partnerships in this system."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                name="city_unique_name_per_country",
                violation_error_message=_("A city with this name already exists in this country."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="city_name_not_empty",
                violation_error_message=_("A city needs an English name."),
            ),
        ]
        indexes = [
            # The directory's order (ORDER BY is_home DESC, name, id LIMIT 26: home
            # municipalities first) and the home-municipality options (WHERE is_home
            # ORDER BY name). Descending first, so PostgreSQL reads the directory's
            # first page from the index instead of sorting every city.
            models.Index(fields=["-is_home", "name", "id"], name="city_directory_order_idx"),
            # Partner-country filter on the agreement list joins through here.
            models.Index(fields=["country", "name"], name="city_country_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.search_name = search_name_for(self.name, self.name_fa)
        if self._state.adding:
            # A new city: coordinates and population from GeoNames where left blank.
            geo.fill_blanks(self)
        if not self.slug and self.name:
            self.slug = unique_slug(self.name, self.country, exclude_pk=self.pk)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "slug"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name a reader of the current language expects."""
        return display_name(self.name, self.name_fa)

    @property
    def title_list(self) -> list[str]:
        return [line.strip() for line in self.titles.splitlines() if line.strip()]

    @property
    def title_list_fa(self) -> list[str]:
        return [line.strip() for line in self.titles_fa.splitlines() if line.strip()]

    def clean(self) -> None:
        super().clean()
        unknown = [c for c in self.characteristics or [] if c not in Characteristic.values]
        if not isinstance(self.characteristics, list) or unknown:
            raise ValidationError(
                {
                    "characteristics": _("Unknown characteristic: %(codes)s")
                    % {"codes": ", ".join(map(str, unknown))}
                }
            )


class Network(models.Model):
    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        LISTING = "listing", _("Listing")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (English)"), max_length=200, validators=[validate_line])
    name_fa = models.CharField(
        _("name (Persian)"), max_length=200, blank=True, validators=[validate_line]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        if (get_language() or "").startswith("fa") and self.name_fa:
            return self.name_fa
        return self.name


class Membership(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city")
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("network")
    )
    since = models.PositiveSmallIntegerField(
        _("member since (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "network"],
                name="membership_unique_city_network",
                violation_error_message=_("This city is already a member of this network."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.network}"
