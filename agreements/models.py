"""The agreements between a home municipality and a partner city, and everything
logged against them.

Stored codes are exactly those of DESIGN.md's "Codes" table; labels are
translated. Every model keeps its history (django-simple-history).
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.models import City
from cities.validators import validate_date, validate_line, validate_text

# --- Codes ---------------------------------------------------------------------


class Stage(models.TextChoices):
    CONTACT = "contact", _("Mayoral contact")
    GOALS = "goals", _("Goal definition")
    LEGAL = "legal", _("Legal approvals")
    SIGNING = "signing", _("MoU signing")
    DELEGATIONS = "delegations", _("Delegation exchanges")
    ACTIVE = "active", _("Active partnership")


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Kind(models.TextChoices):
    FRIENDSHIP = "friendship", _("Friendship city")
    SISTER = "sister", _("Sister city")


class Origin(models.TextChoices):
    MUNICIPAL_RELATIONS = "municipal_relations", _("Prior municipal relations")
    TRADE = "trade", _("Trade relations")
    HISTORICAL_TIES = "historical_ties", _("Historical or ancestral ties")
    GEOGRAPHIC = "geographic", _("Geographic commonality")
    PERSONAL = "personal", _("Personal experience (study, work, marriage abroad)")
    IMMIGRANTS = "immigrants", _("Immigrant community")
    SHARED_NAME = "shared_name", _("Shared name or festival")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    CULTURE = "culture", _("Culture")
    ECONOMY = "economy", _("Economy and trade")
    TOURISM = "tourism", _("Tourism")
    SCIENCE = "science", _("Science and universities")
    TECHNOLOGY = "technology", _("Technology and urban management")
    ENVIRONMENT = "environment", _("Environment")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    YOUTH = "youth", _("Youth and sports")
    SAFETY = "safety", _("Public safety")
    ARTS = "arts", _("Arts")
    OTHER = "other", _("Other")


class CommonalityKind(models.TextChoices):
    CULTURAL = "cultural", _("Cultural")
    ECONOMIC = "economic", _("Economic")
    HISTORICAL = "historical", _("Historical")
    GEOGRAPHIC = "geographic", _("Geographic")
    LINGUISTIC = "linguistic", _("Linguistic")
    RELIGIOUS = "religious", _("Religious")
    OTHER = "other", _("Other")


class Department(models.TextChoices):
    COUNCIL = "council", _("City council")
    ECONOMIC = "economic", _("Economic department")
    TECHNICAL = "technical", _("Technical department")
    SECURITY = "security", _("Security department")
    NGO = "ngo", _("Non-governmental organisations")
    PRIVATE = "private", _("Private sector")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class Authority(models.TextChoices):
    HOME_COUNCIL = "home_council", _("Home city council")
    HOME_MINISTRY = "home_ministry", _("Home national ministry")
    PARTNER_AUTHORITY = "partner_authority", _("Partner's authority")
    OTHER = "other", _("Other")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Side(models.TextChoices):
    HOME = "home", _("Home side")
    PARTNER = "partner", _("Partner side")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class DocumentKind(models.TextChoices):
    SIGNED_MOU = "signed_mou", _("Signed MoU")
    LETTER = "letter", _("Letter")
    MINUTES = "minutes", _("Minutes")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RequestAction(models.TextChoices):
    """A consequential move: asked for by one person, decided by an approver of the
    home municipality who is not that person (agreements.services.make_request)."""

    ADVANCE = "advance", _("Advance to the next stage")
    UPGRADE = "upgrade", _("Upgrade to sister city")
    REOPEN = "reopen", _("Reopen an earlier stage")
    SUSPEND = "suspend", _("Suspend the partnership")
    RESUME = "resume", _("Resume the partnership")
    TERMINATE = "terminate", _("Terminate the partnership")


class RoleName(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    OFFICER = "officer", _("Officer")
    APPROVER = "approver", _("Approver")
    ADMINISTRATOR = "administrator", _("Administrator")


class Language(models.TextChoices):
    PERSIAN = "fa", _("Persian")
    ENGLISH = "en", _("English")


# --- Shared shape ----------------------------------------------------------------


class Tracked(models.Model):
    """Creation/update stamps, an optimistic-locking version, and history."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Incremented by every save through agreements.services; a save that
    # carries an older version is refused (no lost updates).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


# A partnership's term, at most: the workflow adds it to the signing date (at most
# 2100) for the expiry date; 32,767 years (the column's limit) passed year 9999.
TERM_YEARS_MAX = 99


def _end_not_before_start(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=_("The end date cannot be before the start date."),
    )


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
        """Active partnerships with no delegation or activity for DORMANT_MONTHS."""
        cutoff = dormant_cutoff(today)
        recent_delegation = Delegation.objects.filter(
            agreement=OuterRef("pk"), start_date__gte=cutoff
        )
        recent_activity = Activity.objects.filter(agreement=OuterRef("pk"), start_date__gte=cutoff)
        return (
            self.filter(status=Status.ACTIVE)
            .exclude(signed_on__gte=cutoff)
            .exclude(signed_year__gt=cutoff.year)
            .exclude(Exists(recent_delegation))
            .exclude(Exists(recent_activity))
        )

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


SORT_KEY_FIELDS = ("home_sort_key", "home_sort_key_fa", "partner_sort_key", "partner_sort_key_fa")


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
    )
    # Copies of the two cities' names, kept only so that the list can sort by
    # home or partner city from an index of this table: ordering by a joined
    # city's name sorted every visible agreement (100,000 for a national
    # administrator) on every page. The English key is the English name; the
    # Persian key is the Persian name, else the English one (what a Persian page
    # shows). Set by save() and fill_sort_keys(); a city's rename updates them
    # (agreements.sort_keys). Never shown: pages read the names from the cities.
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
        errors: dict[str, list] = {}
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


# --- Records logged against an agreement ------------------------------------------------


class Record(Tracked):
    """Something logged against an agreement by a user."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True


class Contact(Record):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("date"), validators=[validate_date])
    participants = models.TextField(_("participants"), validators=[validate_text])
    place = models.CharField(_("place"), max_length=200, blank=True, validators=[validate_line])
    notes = models.TextField(_("notes"), blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(participants=""),
                name="contact_participants_required",
                violation_error_message=_("Name the participants of the contact."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.participants[:60]}"


class Goal(Record):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="goals")
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.TextField(_("objective"), validators=[validate_text])
    description_fa = models.TextField(
        _("objective (Persian)"), blank=True, validators=[validate_text]
    )
    indicator = models.CharField(
        _("how it is checked"), max_length=300, blank=True, validators=[validate_line]
    )
    target_date = models.DateField(
        _("target date"), null=True, blank=True, validators=[validate_date]
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_sector_display()}: {self.description[:60]}"


class Commonality(Record):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commonalities")
    kind = models.CharField(_("kind"), max_length=20, choices=CommonalityKind.choices)
    description = models.TextField(_("description"), validators=[validate_text])
    description_fa = models.TextField(
        _("description (Persian)"), blank=True, validators=[validate_text]
    )

    class Meta:
        verbose_name = _("commonality")
        verbose_name_plural = _("commonalities")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"


class DepartmentSupport(Record):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="department_supports"
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    supported_on = models.DateField(_("date"), null=True, blank=True, validators=[validate_date])
    joint_committee = models.BooleanField(_("joint committee formed"), default=False)
    notes = models.TextField(_("notes"), blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("department support")
        verbose_name_plural = _("department supports")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_department_display())


class LegalApproval(Record):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="legal_approvals"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.HOME)
    authority = models.CharField(_("authority"), max_length=30, choices=Authority.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    reference = models.CharField(
        _("reference number"), max_length=100, blank=True, validators=[validate_line]
    )
    requested_on = models.DateField(
        _("requested on"), null=True, blank=True, validators=[validate_date]
    )
    decided_on = models.DateField(
        _("decided on"), null=True, blank=True, validators=[validate_date]
    )
    document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("legal approval")
        verbose_name_plural = _("legal approvals")
        ordering = ["id"]
        constraints = [
            _end_not_before_start(
                "requested_on", "decided_on", "legal_approval_decided_after_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_authority_display()}: {self.get_status_display()}"


class Memorandum(Record):
    """One version of the memorandum of understanding."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="memoranda")
    number = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        editable=False,
        verbose_name=_("supersedes"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SISTER)
    signed_on = models.DateField(
        _("signing date"), null=True, blank=True, validators=[validate_date]
    )
    place = models.CharField(
        _("signing place"), max_length=200, blank=True, validators=[validate_line]
    )
    place_fa = models.CharField(
        _("signing place (Persian)"), max_length=200, blank=True, validators=[validate_line]
    )
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"), default=5, validators=[MaxValueValidator(TERM_YEARS_MAX)]
    )
    home_signatory_name = models.CharField(
        _("home signatory"), max_length=200, blank=True, validators=[validate_line]
    )
    home_signatory_name_fa = models.CharField(
        _("home signatory (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    home_signatory_title = models.CharField(
        _("home signatory's title"), max_length=200, blank=True, validators=[validate_line]
    )
    home_signatory_title_fa = models.CharField(
        _("home signatory's title (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    partner_signatory_name = models.CharField(
        _("partner signatory"), max_length=200, blank=True, validators=[validate_line]
    )
    partner_signatory_name_fa = models.CharField(
        _("partner signatory (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    partner_signatory_title = models.CharField(
        _("partner signatory's title"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    partner_signatory_title_fa = models.CharField(
        _("partner signatory's title (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    officials_present = models.TextField(
        _("officials present"), blank=True, validators=[validate_text]
    )
    # Set once, by the workflow, when the memorandum is frozen at signing.
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True, editable=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    pdf = models.FileField(_("frozen PDF"), upload_to="memoranda/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField(
        _("SHA-256 of the frozen PDF"), max_length=64, blank=True, editable=False
    )
    content_sha256 = models.CharField(
        _("integrity code"), max_length=64, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("memorandum")
        verbose_name_plural = _("memoranda")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"],
                name="memorandum_unique_version",
                violation_error_message=_("This version of the memorandum already exists."),
            )
        ]

    def __str__(self) -> str:
        return _("Memorandum v%(number)s") % {"number": self.number}

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class ArticleKey(models.TextChoices):
    SUBJECT = "subject", _("Subject")
    AREAS = "areas", _("Areas of cooperation")
    IMPLEMENTATION = "implementation", _("Implementation and joint committee")
    DELEGATIONS = "delegations", _("Delegations")
    DURATION = "duration", _("Duration and renewal")
    TERMINATION = "termination", _("Termination")
    FINAL = "final", _("Final provisions")
    OTHER = "other", _("Other")


# An article's text in one language, at most: a long article is a few thousand
# characters; 100,000 would take WeasyPrint most of a minute to lay out, holding a
# worker (checked by forms and the API through max_length; tests/hardening
# test_pdf_bounds renders the absurd case anyway).
ARTICLE_BODY_MAX = 20_000


class MemorandumArticle(Tracked):
    memorandum = models.ForeignKey(Memorandum, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    key = models.CharField(
        _("article"), max_length=20, choices=ArticleKey.choices, default=ArticleKey.OTHER
    )
    heading_en = models.CharField(
        _("heading (English)"), max_length=200, validators=[validate_line]
    )
    heading_fa = models.CharField(
        _("heading (Persian)"), max_length=200, validators=[validate_line]
    )
    body_en = models.TextField(
        _("text (English)"), max_length=ARTICLE_BODY_MAX, validators=[validate_text]
    )
    body_fa = models.TextField(
        _("text (Persian)"), max_length=ARTICLE_BODY_MAX, validators=[validate_text]
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["memorandum", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.heading_en}"


class Delegation(Record):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="delegations")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    start_date = models.DateField(_("start date"), validators=[validate_date])
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=[validate_date])
    head = models.CharField(_("head of delegation"), max_length=200, validators=[validate_line])
    members = models.TextField(_("members"), blank=True, validators=[validate_text])
    purpose = models.TextField(_("purpose"), blank=True, validators=[validate_text])
    outcomes = models.TextField(_("outcomes"), blank=True, validators=[validate_text])
    official = models.BooleanField(_("official"), default=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start_date", "-id"]
        constraints = [
            _end_not_before_start("start_date", "end_date", "delegation_end_after_start")
        ]
        indexes = [
            # Dormant flag: latest exchange per agreement.
            models.Index(fields=["agreement", "start_date"], name="delegation_agreement_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.start_date}: {self.head}"


class Activity(Record):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="activities")
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    title = models.CharField(_("title"), max_length=300, validators=[validate_line])
    start_date = models.DateField(_("start date"), validators=[validate_date])
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=[validate_date])
    description = models.TextField(_("description"), blank=True, validators=[validate_text])
    outcome = models.TextField(_("outcome"), blank=True, validators=[validate_text])
    partners = models.TextField(_("partners"), blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start_date", "-id"]
        constraints = [_end_not_before_start("start_date", "end_date", "activity_end_after_start")]
        indexes = [
            # Dormant flag: latest exchange per agreement.
            models.Index(fields=["agreement", "start_date"], name="activity_agreement_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title


def document_upload_to(instance: Document, filename: str) -> str:
    """A server-generated name: the user's file name is kept only as data."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(Record):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("memorandum version"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    title = models.CharField(_("title"), max_length=300, blank=True, validators=[validate_line])
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(
        _("original file name"), max_length=255, blank=True, editable=False
    )
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.original_name or str(self.get_kind_display())


# --- Stage requests -------------------------------------------------------------------------


class StageRequest(Tracked):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="stage_requests"
    )
    action = models.CharField(
        _("action"), max_length=20, choices=RequestAction.choices, default=RequestAction.ADVANCE
    )
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stage_requests",
        verbose_name=_("requested by"),
    )
    note = models.TextField(_("note"), blank=True, validators=[validate_text])
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_stage_requests",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True, validators=[validate_text])
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage request")
        verbose_name_plural = _("stage requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(state="pending"),
                name="stage_request_one_pending_per_agreement",
                violation_error_message=_("This agreement already has a pending request."),
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False),
                name="stage_request_decided_has_time",
                violation_error_message=_("A decided request needs its decision time."),
            ),
        ]
        indexes = [
            # Approvals queue: WHERE state = 'pending' ORDER BY created_at, id. Partial,
            # so that it holds only the pending requests and gives their order: an
            # index on (state, created_at) led SQLite, which has no statistics, to
            # read every pending request to find a page's rows by id.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(state="pending"),
                name="stage_request_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"


# --- Roles, preferences, per-municipality settings ------------------------------------------


class Role(Tracked):
    """A user's role in one home municipality, or the global administrator role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("home municipality"),
        limit_choices_to={"is_home": True},
    )
    role = models.CharField(_("role"), max_length=20, choices=RoleName.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["user", "city", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "city"],
                condition=Q(city__isnull=False),
                name="role_one_per_user_and_city",
                violation_error_message=_("This user already has a role in this municipality."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role="administrator"),
                name="role_one_administrator_per_user",
                violation_error_message=_("This user is already an administrator."),
            ),
            models.CheckConstraint(
                condition=(Q(role="administrator") & Q(city__isnull=True))
                | (Q(role__in=["viewer", "officer", "approver"]) & Q(city__isnull=False)),
                name="role_city_matches_kind",
                violation_error_message=_(
                    "Viewers, officers and approvers belong to a municipality; administrators to none."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.city_id:
            return f"{self.user} – {self.get_role_display()} – {self.city}"
        return f"{self.user} – {self.get_role_display()}"

    def clean(self) -> None:
        super().clean()
        if self.city_id and not self.city.is_home:
            raise ValidationError({"city": _("Roles are given in home municipalities only.")})


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


def default_required_authorities() -> list[str]:
    return [Authority.HOME_COUNCIL, Authority.HOME_MINISTRY, Authority.PARTNER_AUTHORITY]


class MunicipalitySettings(Tracked):
    """What one home municipality requires before an agreement may move on."""

    city = models.OneToOneField(
        City,
        on_delete=models.CASCADE,
        related_name="agreement_settings",
        verbose_name=_("home municipality"),
        limit_choices_to={"is_home": True},
    )
    required_authorities = models.JSONField(
        _("required legal authorities"),
        default=default_required_authorities,
        blank=True,
        help_text=_("Codes: home_council, home_ministry, partner_authority, other."),
    )
    delegations_each_way = models.BooleanField(
        _("require an official delegation each way"),
        default=False,
        help_text=_("Otherwise one completed official delegation in either direction is enough."),
    )

    class Meta:
        verbose_name = _("municipality settings")
        verbose_name_plural = _("municipality settings")

    def __str__(self) -> str:
        return str(self.city)

    def clean(self) -> None:
        super().clean()
        values = self.required_authorities
        if not isinstance(values, list) or any(v not in Authority.values for v in values):
            raise ValidationError(
                {
                    "required_authorities": _("Use a list of authority codes: %(codes)s")
                    % {"codes": ", ".join(Authority.values)}
                }
            )


class ReminderReason(models.TextChoices):
    STALLED = "stalled", _("Stalled")
    EXPIRING = "expiring", _("Expiring")
    DORMANT = "dormant", _("Dormant")


class Reminder(models.Model):
    """A reminder e-mail sent; one per agreement, reason and day (send_reminders is idempotent)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    reason = models.CharField(max_length=20, choices=ReminderReason.choices)
    sent_on = models.DateField(validators=[validate_date])
    recipients = models.TextField(blank=True, validators=[validate_text])

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "reason", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.reason} {self.sent_on}"


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


# --- Background exports ------------------------------------------------------------------------


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    SIGNED_MOU_ZIP = "zip", _("Signed memoranda (ZIP)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportSource(models.TextChoices):
    PAGE = "page", _("Agreement list")
    API = "api", _("API")


class ExportError(models.TextChoices):
    """Why an export failed, in words the owner reads in their language."""

    NO_ACCESS = "no_access", _("You no longer have a role that lets you see these agreements.")
    INVALID_FILTERS = (
        "invalid_filters",
        _("The list's filters are no longer valid for you; start the export again from the list."),
    )
    INTERRUPTED = "interrupted", _("The export was interrupted; start it again.")
    DAMAGED = (
        "damaged",
        _("The stored file did not match its checksum and was deleted; start the export again."),
    )
    FAILED = "failed", _("The export could not be written; start it again or ask an administrator.")


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """A server-generated name under exports/ (never served by URL: MEDIA_URL is not routed)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ExportJob(models.Model):
    """An export of the agreement list written by a background task (agreements.export_jobs).

    Transient: the file is deleted EXPORT_RETENTION_HOURS after it was written, and
    the row with it. So no history (unlike every other model) and no `version`: only
    the task writes a job after it is created, through save(update_fields=...).
    `query` is the list's filter string as the owner had it; the task builds the
    visible queryset again from it, for the owner as they are when it runs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("asked by"),
    )
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    source = models.CharField(
        _("asked from"), max_length=10, choices=ExportSource.choices, default=ExportSource.PAGE
    )
    query = models.TextField(_("filters"), blank=True, validators=[validate_text])
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    # The home municipalities the file may hold rows of, fixed when the task ran (null:
    # every one, an administrator's export); the download checks the owner still sees them.
    scope = models.JSONField(_("home municipalities"), null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(
        _("file"), upload_to=export_upload_to, blank=True, editable=False, max_length=200
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    error = models.CharField(_("error"), max_length=20, choices=ExportError.choices, blank=True)
    # Each run of the task takes the next number; a run that is no longer the latest
    # (the job was started again) stops and keeps nothing.
    attempt = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The owner's recent exports, newest first (the exports page and the API list).
            models.Index(fields=["owner", "-created_at"], name="export_job_owner_idx"),
            # purge_exports: WHERE expires_at < now.
            models.Index(fields=["expires_at"], name="export_job_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="done") | Q(file=""), name="export_job_file_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def percent(self) -> int | None:
        """Whole per cent written, None while the rows are not counted yet."""
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)
