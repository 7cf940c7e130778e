"""Protocol: what is recorded under a delegation (issue 21).

Participants (who travels or who comes, and for an outgoing trip their passport
and visa, seen only by the officers of the home municipality), the programme
item by item, the budget line by line, the gifts given and received, and the
ceremonies (a signing, an official visit). Each is a `Record` of the
delegation's agreement: history, version, and every write through
`services.save_record` / `delete_record`, which find the agreement through the
delegation (`services.records._record_agreement`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cities.validators import (
    NoPersianScript,
    PersianScript,
    validate_date,
    validate_line,
    validate_text,
)

from .base import Record
from .codes import Side
from .people import Role
from .records import Delegation, Document

# --- Codes -------------------------------------------------------------------------------


class TravelDocumentStatus(models.TextChoices):
    """A participant's passport and visa for an outgoing trip."""

    NOT_NEEDED = "not_needed", _("Not needed")
    TO_CHECK = "to_check", _("To be checked")
    PASSPORT_OK = "passport_ok", _("Passport valid, no visa needed")
    VISA_REQUESTED = "visa_requested", _("Visa requested")
    VISA_GRANTED = "visa_granted", _("Visa granted")
    VISA_REFUSED = "visa_refused", _("Visa refused")


class BudgetCategory(models.TextChoices):
    TRAVEL = "travel", _("Travel")
    LODGING = "lodging", _("Lodging")
    INTERPRETING = "interpreting", _("Interpreting")
    GIFTS = "gifts", _("Gifts")
    VENUE = "venue", _("Venue")
    OTHER = "other", _("Other costs")


class Currency(models.TextChoices):
    """ISO 4217 codes an office pays or values gifts in: a fixed list, anything
    else is refused (the choices)."""

    IRR = "IRR", _("Iranian rial")
    EUR = "EUR", _("Euro")
    USD = "USD", _("US dollar")
    GBP = "GBP", _("Pound sterling")
    CHF = "CHF", _("Swiss franc")
    CNY = "CNY", _("Chinese yuan")
    JPY = "JPY", _("Japanese yen")
    KRW = "KRW", _("South Korean won")
    RUB = "RUB", _("Russian rouble")
    TRY = "TRY", _("Turkish lira")
    AED = "AED", _("UAE dirham")
    IQD = "IQD", _("Iraqi dinar")
    INR = "INR", _("Indian rupee")
    AZN = "AZN", _("Azerbaijani manat")
    AMD = "AMD", _("Armenian dram")
    KZT = "KZT", _("Kazakhstani tenge")


class GiftDirection(models.TextChoices):
    GIVEN = "given", _("Given")
    RECEIVED = "received", _("Received")


class CeremonyKind(models.TextChoices):
    SIGNING = "signing", _("Signing")
    OFFICIAL_VISIT = "official_visit", _("Official visit")
    OTHER = "other", _("Other ceremony")


# Amounts: up to 16 digits before the point (a trip priced in rials), two after.
AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2
NOT_NEGATIVE = _("An amount cannot be negative.")
IMAGE_TYPES = ("image/png", "image/jpeg")


def _amount(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        validators=[MinValueValidator(Decimal("0"), message=NOT_NEGATIVE)],
        **kwargs,
    )


def _not_negative(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=NOT_NEGATIVE,
    )


def _within_delegation(delegation: Delegation | None, day: datetime.date | None, message):
    """{"date": [...]} when `day` lies outside the delegation's dates (its start date
    to its end date, or its start date alone when it has no end date)."""
    if delegation is None or day is None or delegation.start_date is None:
        return {}
    last = delegation.end_date or delegation.start_date
    if delegation.start_date <= day <= last:
        return {}
    return {"date": [ValidationError(message, code="outside_delegation")]}


class DelegationPart(Record):
    """A record under a delegation: its agreement is the delegation's."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="+", verbose_name=_("delegation")
    )

    class Meta:
        abstract = True

    @property
    def agreement(self):
        return self.delegation.agreement

    @property
    def agreement_id(self) -> int | None:
        return self.delegation.agreement_id if self.delegation_id else None


# --- Participants -------------------------------------------------------------------------


class DelegationParticipant(DelegationPart):
    EDITABLE_FIELDS = (
        "side",
        "name",
        "role",
        "organisation",
        "travel_documents",
        "dietary_needs",
        "access_needs",
    )
    # Seen only by officers and approvers of the home municipality and administrators
    # (permissions.can_see_travel_documents): the API leaves it out, the page hides it.
    PRIVATE_FIELDS = ("travel_documents",)

    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("delegation"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.HOME)
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    role = models.CharField(
        _("role in the delegation"), max_length=200, blank=True, validators=[validate_line]
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_line]
    )
    travel_documents = models.CharField(
        _("passport and visa"),
        max_length=20,
        choices=TravelDocumentStatus.choices,
        blank=True,
        help_text=_("For an outgoing trip; seen only by the officers of the municipality."),
    )
    dietary_needs = models.CharField(
        _("dietary needs"), max_length=300, blank=True, validators=[validate_line]
    )
    access_needs = models.CharField(
        _("access needs"), max_length=300, blank=True, validators=[validate_line]
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["delegation", "side", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="participant_name_required",
                violation_error_message=_("Name the participant."),
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- Programme -------------------------------------------------------------------------------


class ProgrammeItem(DelegationPart):
    EDITABLE_FIELDS = (
        "date",
        "start_time",
        "end_time",
        "place",
        "place_fa",
        "description",
        "description_fa",
        "attendees",
        "responsible",
    )

    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="programme_items",
        verbose_name=_("delegation"),
    )
    date = models.DateField(_("date"), validators=[validate_date])
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(
        _("place (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("place (English)"))],
    )
    place_fa = models.CharField(
        _("place (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("place (Persian)"))],
    )
    description = models.CharField(
        _("what happens (English)"),
        max_length=300,
        validators=[validate_line, NoPersianScript(_("what happens (English)"))],
    )
    description_fa = models.CharField(
        _("what happens (Persian)"),
        max_length=300,
        blank=True,
        validators=[validate_line, PersianScript(_("what happens (Persian)"))],
    )
    attendees = models.TextField(_("who attends"), blank=True, validators=[validate_text])
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible officer"),
    )

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme")
        ordering = ["delegation", "date", F("start_time").asc(nulls_first=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gte=F("start_time")),
                name="programme_item_ends_after_start",
                violation_error_message=_("An item cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="programme_item_description_required",
                violation_error_message=_("Say what happens."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start_time or ''} {self.description[:60]}".strip()

    def clean(self) -> None:
        super().clean()
        errors: dict = {}
        if self.end_time is not None and self.start_time is None:
            errors["start_time"] = [
                ValidationError(_("Give the start time of an item that has an end time."))
            ]
        if self.end_time and self.start_time and self.end_time < self.start_time:
            errors["end_time"] = [
                ValidationError(_("An item cannot end before it starts."), code="end_before_start")
            ]
        if self.delegation_id:
            errors |= _within_delegation(
                self.delegation,
                self.date,
                _("The date lies outside the delegation's dates."),
            )
        if self.responsible_id and self.delegation_id:
            home_city_id = self.delegation.agreement.home_city_id
            has_role = Role.objects.filter(user_id=self.responsible_id, city_id=home_city_id)
            if not has_role.exists():
                errors["responsible"] = [
                    ValidationError(
                        _("The responsible officer must hold a role in the home municipality.")
                    )
                ]
        if errors:
            raise ValidationError(errors)


# --- Budget -------------------------------------------------------------------------------


class BudgetLine(DelegationPart):
    EDITABLE_FIELDS = (
        "category",
        "description",
        "planned_amount",
        "actual_amount",
        "currency",
        "paid_by",
    )

    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("delegation"),
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(
        _("description"), max_length=300, blank=True, validators=[validate_line]
    )
    planned_amount = _amount(_("planned amount"), default=Decimal("0"))
    actual_amount = _amount(_("actual amount"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    paid_by = models.CharField(_("paid by"), max_length=10, choices=Side.choices, default=Side.HOME)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["delegation", "category", "id"]
        constraints = [
            _not_negative("planned_amount", "budget_line_planned_not_negative"),
            _not_negative("actual_amount", "budget_line_actual_not_negative"),
        ]

    def __str__(self) -> str:
        category = str(self.get_category_display())
        return f"{category}: {self.description}" if self.description else category


# --- Gifts ----------------------------------------------------------------------------------


class Gift(DelegationPart):
    EDITABLE_FIELDS = (
        "direction",
        "description",
        "estimated_value",
        "currency",
        "giver",
        "recipient",
        "date",
        "photo",
        "kept_at",
    )

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="gifts", verbose_name=_("delegation")
    )
    direction = models.CharField(
        _("given or received"), max_length=10, choices=GiftDirection.choices
    )
    description = models.CharField(_("gift"), max_length=300, validators=[validate_line])
    estimated_value = _amount(_("estimated value"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    giver = models.CharField(_("giver"), max_length=200, blank=True, validators=[validate_line])
    recipient = models.CharField(
        _("recipient"), max_length=200, blank=True, validators=[validate_line]
    )
    date = models.DateField(_("date"), null=True, blank=True, validators=[validate_date])
    photo = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
        help_text=_("A PNG or JPEG document of the agreement."),
    )
    kept_at = models.CharField(
        _("where it is kept"), max_length=200, blank=True, validators=[validate_line]
    )

    class Meta:
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        ordering = ["delegation", "date", "id"]
        constraints = [
            _not_negative("estimated_value", "gift_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="gift_description_required",
                violation_error_message=_("Describe the gift."),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        super().clean()
        errors: dict = {}
        if self.estimated_value is not None and not self.currency:
            errors["currency"] = [ValidationError(_("Give the currency of the value."))]
        if self.photo_id and self.delegation_id:
            errors |= photo_errors("photo", [self.photo_id], self.delegation.agreement_id)
        if errors:
            raise ValidationError(errors)


def photo_errors(field: str, document_ids, agreement_id: int) -> dict:
    """{field: [...]} unless every document is a PNG or JPEG of the agreement."""
    ids = set(document_ids)
    if not ids:
        return {}
    fitting = Document.objects.filter(
        pk__in=ids, agreement_id=agreement_id, content_type__in=IMAGE_TYPES
    ).count()
    if fitting == len(ids):
        return {}
    return {
        field: [
            ValidationError(
                _("A photo must be a PNG or JPEG document of the same agreement."),
                code="not_a_photo",
            )
        ]
    }


# --- Ceremonies --------------------------------------------------------------------------


class Ceremony(DelegationPart):
    """A signing or an official visit during the delegation (a record under the
    delegation, so its date lies within the visit)."""

    EDITABLE_FIELDS = (
        "kind",
        "date",
        "venue",
        "home_officials",
        "partner_officials",
        "press_release_url",
        "notes",
    )

    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="ceremonies",
        verbose_name=_("delegation"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=CeremonyKind.choices, default=CeremonyKind.SIGNING
    )
    date = models.DateField(_("date"), validators=[validate_date])
    venue = models.CharField(_("venue"), max_length=200, validators=[validate_line])
    home_officials = models.TextField(
        _("officials present (home side)"), blank=True, validators=[validate_text]
    )
    partner_officials = models.TextField(
        _("officials present (partner side)"), blank=True, validators=[validate_text]
    )
    photos = models.ManyToManyField(
        Document, blank=True, related_name="+", verbose_name=_("photos")
    )
    press_release_url = models.URLField(
        _("press release"),
        max_length=500,
        blank=True,
        validators=[validate_line, URLValidator(schemes=["http", "https"])],
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("ceremony")
        verbose_name_plural = _("ceremonies")
        ordering = ["delegation", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(venue=""),
                name="ceremony_venue_required",
                violation_error_message=_("Name the venue."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.venue}"

    def clean(self) -> None:
        super().clean()
        if self.delegation_id:
            errors = _within_delegation(
                self.delegation, self.date, _("The date lies outside the delegation's dates.")
            )
            if errors:
                raise ValidationError(errors)


DELEGATION_PARTS = (DelegationParticipant, ProgrammeItem, BudgetLine, Gift, Ceremony)
