"""The agreement between a home municipality and a partner city."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.models import City
from cities.validators import (
    NoPersianScript,
    PersianScript,
    validate_date,
    validate_line,
    validate_text,
)

from .base import TERM_YEARS_MAX, Tracked, _end_not_before_start, future_date_errors
from .codes import Kind, Origin, Stage, Status

# --- Agreement ---------------------------------------------------------------------


def dormant_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The date DORMANT_MONTHS before today (clamped to the month's last day)."""
    today = today or timezone.localdate()
    months = today.year * 12 + today.month - 1 - settings.DORMANT_MONTHS
    year, month = divmod(months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class AgreementQuerySet(models.QuerySet):
    def live(self) -> AgreementQuerySet:
        return self.exclude(status=Status.TERMINATED)

    def with_cities(self) -> AgreementQuerySet:
        return self.select_related("home_city", "partner_city")

    # Derived flags. Periods come from settings (DORMANT_MONTHS, EXPIRING_DAYS,
    # STALLED_DAYS); each is one indexed condition or NOT EXISTS, so the list
    # can filter on them at 100,000 agreements.

    def dormant(self, today: datetime.date | None = None) -> AgreementQuerySet:
        """Active partnerships with no delegation or activity for DORMANT_MONTHS, or
        whose current action plan is stalled (_plan_stalled)."""
        cutoff = dormant_cutoff(today)
        # The record models are defined above this one (models.records): reached
        # through the reverse relations (the documented _meta API), not imported.
        meta = self.model._meta
        delegations = meta.get_field("delegations").related_model.objects
        activities = meta.get_field("activities").related_model.objects
        recent_delegation = delegations.filter(agreement=OuterRef("pk"), start_date__gte=cutoff)
        recent_activity = activities.filter(agreement=OuterRef("pk"), start_date__gte=cutoff)
        quiet = (
            ~Q(signed_on__gte=cutoff)
            & ~Q(signed_year__gt=cutoff.year)
            & ~Exists(recent_delegation)
            & ~Exists(recent_activity)
        )
        return self.filter(status=Status.ACTIVE).filter(quiet | self._plan_stalled(today))

    def _plan_stalled(self, today: datetime.date | None = None) -> Q:
        """Its current action plan (the one whose year contains today) has items that
        count (not dropped), none of them done, and some of them overdue: the plan
        was made and nothing came of it (issue 22). A partnership is dormant then
        even if a delegation or an activity was recorded meanwhile."""
        today = today or timezone.localdate()
        items = self.model._meta.get_field("action_plan_items").related_model.objects
        current = items.filter(
            agreement=OuterRef("pk"), plan__starts_on__lte=today, plan__ends_on__gte=today
        ).exclude(status="dropped")
        return (
            Exists(current)
            & ~Exists(current.filter(status="done"))
            & Exists(current.filter(status__in=("planned", "in_progress"), due_date__lt=today))
        )

    def with_overdue_plan_items(self, today: datetime.date | None = None) -> AgreementQuerySet:
        """Agreements with an action plan item due before today and not done or dropped."""
        today = today or timezone.localdate()
        items = self.model._meta.get_field("action_plan_items").related_model.objects
        overdue = items.filter(
            agreement=OuterRef("pk"), status__in=("planned", "in_progress"), due_date__lt=today
        )
        return self.filter(Exists(overdue))

    def expiring(self, today: datetime.date | None = None) -> AgreementQuerySet:
        """Live agreements whose term ends within EXPIRING_DAYS."""
        today = today or timezone.localdate()
        until = today + datetime.timedelta(days=settings.EXPIRING_DAYS)
        return self.live().filter(expires_on__gte=today, expires_on__lte=until)

    def stalled(self, now: datetime.datetime | None = None) -> AgreementQuerySet:
        """In one stage (before active) for longer than STALLED_DAYS, and not suspended."""
        now = now or timezone.now()
        cutoff = now - datetime.timedelta(days=settings.STALLED_DAYS)
        return self.filter(status=Status.IN_PROGRESS, stage_changed_at__lt=cutoff).exclude(
            stage=Stage.ACTIVE
        )


# The public page's summary of a partnership (/public/<slug>/): a few sentences.
PUBLIC_SUMMARY_MAX_LENGTH = 600

SORT_KEY_FIELDS = ("home_sort_key", "home_sort_key_fa", "partner_sort_key", "partner_sort_key_fa")


# The agreement's dates of what has happened, refused after today (clean(); the
# importer asks the same for the dates of a file).
PAST_DATES = {
    "first_contact_on": _("The date of the first contact cannot be in the future."),
    "signed_on": _("The signing date of an agreement cannot be in the future."),
}


def sort_key_column(side: str) -> F:
    """The order by `side`'s ("home", "partner") city name as the page's reader sees it
    (the Persian name first on Persian pages), from the copy kept on the agreement:
    an index serves the order."""
    persian = (get_language() or "").startswith("fa")
    return F(f"{side}_sort_key_fa" if persian else f"{side}_sort_key")


def sort_keys_of(city) -> tuple[str, str]:
    """A city's sort keys on agreements: (English page, Persian page)."""
    return city.name, city.name_fa or city.name


class Agreement(Tracked):
    home_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="home_agreements",
        verbose_name=_("home municipality"),
        limit_choices_to={"is_home": True},
    )
    partner_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="partner_agreements",
        verbose_name=_("partner city"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FRIENDSHIP)
    # Stage and status change only through agreements.services (workflow); no
    # form, serializer or admin exposes them for editing.
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.CONTACT, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.IN_PROGRESS,
        editable=False,
    )
    stage_changed_at = models.DateTimeField(
        _("in this stage since"), default=timezone.now, editable=False
    )
    origin = models.CharField(
        _("origin"), max_length=30, choices=Origin.choices, default=Origin.OTHER
    )
    title = models.CharField(_("title"), max_length=300, blank=True, validators=[validate_line])
    summary = models.TextField(_("summary"), blank=True, validators=[validate_text])
    first_contact_on = models.DateField(
        _("first contact"), null=True, blank=True, validators=[validate_date]
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, validators=[validate_date])
    signed_year = models.PositiveSmallIntegerField(
        _("signed in (year)"),
        null=True,
        blank=True,
        help_text=_("Filled from the signing date when it is known."),
    )
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(TERM_YEARS_MAX)],
    )
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, validators=[validate_date]
    )
    # What the public pages (/public/) show: an active agreement is public unless an
    # officer hides it; nothing that is not active is ever public, whatever this says.
    public = models.BooleanField(
        _("shown on the public page"),
        default=True,
        help_text=_(
            "Once active, the partnership is listed on the municipality's public page "
            "unless this is unticked."
        ),
    )
    public_summary = models.TextField(
        _("public summary (English)"),
        blank=True,
        max_length=PUBLIC_SUMMARY_MAX_LENGTH,
        help_text=_("A few sentences for citizens; shown on the public page."),
        validators=[
            validate_text,
            MaxLengthValidator(PUBLIC_SUMMARY_MAX_LENGTH),
            NoPersianScript(_("public summary (English)")),
        ],
    )
    public_summary_fa = models.TextField(
        _("public summary (Persian)"),
        blank=True,
        max_length=PUBLIC_SUMMARY_MAX_LENGTH,
        validators=[
            validate_text,
            MaxLengthValidator(PUBLIC_SUMMARY_MAX_LENGTH),
            PersianScript(_("public summary (Persian)")),
        ],
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible officer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    # Copies of the two cities' names, kept only so that the list can sort by
    # home or partner city from an index of this table: ordering by a joined
    # city's name sorted every visible agreement (100,000 for a national
    # administrator) on every page. The English key is the English name; the
    # Persian key is the Persian name, else the English one (what a Persian page
    # shows). All their plumbing is in this module: set by save() and fill_sort_keys(),
    # a city's rename updates them (refresh_sort_keys, connected in agreements.apps),
    # lists order by them (sort_key_column), the history hides them (SORT_KEY_FIELDS).
    # Never shown: pages read the names from the cities.
    home_sort_key = models.CharField(max_length=200, default="", editable=False)
    home_sort_key_fa = models.CharField(max_length=200, default="", editable=False)
    partner_sort_key = models.CharField(max_length=200, default="", editable=False)
    partner_sort_key_fa = models.CharField(max_length=200, default="", editable=False)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["home_city", "partner_city"],
                condition=~Q(status="terminated"),
                name="agreement_one_live_per_pair",
                violation_error_message=_("These two cities already have a live agreement."),
            ),
            models.CheckConstraint(
                condition=~Q(home_city=F("partner_city")),
                name="agreement_not_with_itself",
                violation_error_message=_("A city cannot partner itself."),
            ),
            _end_not_before_start("signed_on", "expires_on", "agreement_expiry_after_signing"),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values),
                name="agreement_stage_valid",
                violation_error_message=_("Unknown stage."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="agreement_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]
        indexes = [
            # Default list order and "recent" dashboard queries.
            models.Index(fields=["-created_at", "-id"], name="agreement_created_idx"),
            # List filtered by home municipality (every non-admin list is) and stage.
            models.Index(fields=["home_city", "stage"], name="agreement_home_stage_idx"),
            models.Index(fields=["stage", "status"], name="agreement_stage_status_idx"),
            # Signed-year range filter and sort.
            models.Index(fields=["signed_year"], name="agreement_signed_year_idx"),
            # Expiring filter.
            models.Index(fields=["expires_on"], name="agreement_expires_idx"),
            # Stalled filter.
            models.Index(fields=["stage_changed_at"], name="agreement_stage_changed_idx"),
            # A municipality's list in the default order, which everyone but
            # administrators sees: WHERE home_city_id = ... ORDER BY created_at DESC,
            # id DESC LIMIT 51 read from the index instead of sorting the
            # municipality's thousands of agreements.
            models.Index(
                fields=["home_city", "-created_at", "-id"], name="agreement_home_created_idx"
            ),
            # The list sorted by home or partner city, in English and in Persian:
            # ORDER BY partner_sort_key, id LIMIT 51 (read backwards for the
            # descending sort) instead of sorting every agreement's joined city.
            models.Index(fields=["home_sort_key", "id"], name="agreement_home_sort_idx"),
            models.Index(fields=["home_sort_key_fa", "id"], name="agreement_home_sort_fa_idx"),
            models.Index(fields=["partner_sort_key", "id"], name="agreement_partner_sort_idx"),
            models.Index(
                fields=["partner_sort_key_fa", "id"], name="agreement_partner_sort_fa_idx"
            ),
            # The public page (/public/<slug>/): a municipality's public partnerships by
            # partner name, read in order from this partial index (without it SQLite
            # read every active agreement of the country to find one municipality's).
            models.Index(
                fields=["home_city", "partner_sort_key", "id"],
                condition=Q(stage="active", status="active", public=True),
                name="agreement_public_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.home_city} – {self.partner_city}"

    def save(self, *args, **kwargs) -> None:
        if self.signed_on:
            self.signed_year = self.signed_on.year
        cities = (self.home_city_id, self.partner_city_id)
        if getattr(self, "_sort_keys_for", None) != cities:
            # New, or moved to other cities: only then are the cities read.
            self.fill_sort_keys()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *SORT_KEY_FIELDS}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        agreement = super().from_db(db, field_names, values)
        # The cities its sort keys were read for: save() refreshes them on a change.
        agreement._sort_keys_for = (
            agreement.__dict__.get("home_city_id"),
            agreement.__dict__.get("partner_city_id"),
        )
        return agreement

    def fill_sort_keys(self, home=None, partner=None) -> None:
        """Copy the cities' names into the sort keys (bulk inserts call this).

        `home`, `partner`: anything with the cities' `name` and `name_fa` (an import
        plan's cities), when the agreement does not hold the City objects."""
        for side, city in (
            ("home", home or self.home_city),
            ("partner", partner or self.partner_city),
        ):
            english, persian = sort_keys_of(city)
            setattr(self, f"{side}_sort_key", english)
            setattr(self, f"{side}_sort_key_fa", persian)
        self._sort_keys_for = (self.home_city_id, self.partner_city_id)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = future_date_errors(self, PAST_DATES)
        if self.home_city_id and not self.home_city.is_home:
            errors.setdefault("home_city", []).append(
                _("The home city must be a home municipality.")
            )
        if self.home_city_id and self.partner_city_id and self.home_city_id == self.partner_city_id:
            errors.setdefault("partner_city", []).append(_("A city cannot partner itself."))
        elif self.home_city_id and self.partner_city_id and self.is_live:
            # Also a database constraint; checked here because forms leave out
            # `status`, and Django then skips constraints whose condition uses it.
            others = Agreement.objects.live().filter(
                home_city_id=self.home_city_id, partner_city_id=self.partner_city_id
            )
            if others.exclude(pk=self.pk).exists():
                errors.setdefault("partner_city", []).append(
                    _("These two cities already have a live agreement.")
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_live(self) -> bool:
        return self.status != Status.TERMINATED

    @property
    def is_dormant(self) -> bool:
        return Agreement.objects.filter(pk=self.pk).dormant().exists()

    @property
    def is_expiring(self) -> bool:
        return Agreement.objects.filter(pk=self.pk).expiring().exists()

    @property
    def is_stalled(self) -> bool:
        return Agreement.objects.filter(pk=self.pk).stalled().exists()


def refresh_sort_keys(sender, instance: City, **kwargs) -> None:
    """After a city is saved: its agreements' sort keys follow a rename.

    Connected to City's post_save (agreements.apps). Two UPDATEs that touch only
    rows whose key differs, so an unchanged name writes nothing. The keys are not
    part of an agreement's history (they copy the city's, which has its own).
    """
    english, persian = sort_keys_of(instance)
    for side in ("home", "partner"):
        stale = Agreement.objects.filter(**{f"{side}_city": instance}).exclude(
            **{f"{side}_sort_key": english, f"{side}_sort_key_fa": persian}
        )
        stale.update(**{f"{side}_sort_key": english, f"{side}_sort_key_fa": persian})
