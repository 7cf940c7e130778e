"""The joint committee of an agreement: its members from both sides and its meetings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_date, validate_line, validate_text

from .agreement import Agreement
from .base import Record, refuse_future_dates
from .codes import Side

DOCUMENT_OF_ANOTHER_AGREEMENT = _("This document belongs to another agreement.")
PLACE_OR_ONLINE = _("Give the place of the meeting, or mark it as held online.")


class CommitteeMember(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "side",
        "name",
        "title",
        "is_chair",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="committee_members",
        verbose_name=_("agreement"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.HOME)
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    title = models.CharField(
        _("title or office"), max_length=200, blank=True, validators=[validate_line]
    )
    is_chair = models.BooleanField(_("chair"), default=False)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["side", "-is_chair", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="committee_member_name_required",
                violation_error_message=_("Give the member's name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.name}"


class CommitteeMeeting(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "date",
        "online",
        "place",
        "agenda",
        "minutes",
        "decisions",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="committee_meetings",
        verbose_name=_("agreement"),
    )
    date = models.DateField(_("date"), validators=[validate_date])
    online = models.BooleanField(_("held online"), default=False)
    place = models.CharField(_("place"), max_length=200, blank=True, validators=[validate_line])
    agenda = models.TextField(_("agenda"), blank=True, validators=[validate_text])
    minutes = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes (document)"),
    )
    decisions = models.TextField(
        _("decisions"),
        blank=True,
        validators=[validate_text],
        help_text=_("One decision a line: each can become an item of an action plan."),
    )

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["agreement", "date"], name="meeting_agreement_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.place or _('online')}"

    @property
    def decision_lines(self) -> list[str]:
        """The decisions, one a line, blank lines left out."""
        return [line.strip() for line in (self.decisions or "").splitlines() if line.strip()]

    @property
    def decisions_with_items(self) -> list[tuple[int, str, bool]]:
        """(number from 1, decision, whether it is an item of a plan already); reads
        the meeting's plan_items (prefetched by the page)."""
        made = {item.description for item in self.plan_items.all()}
        return [(n, line, line in made) for n, line in enumerate(self.decision_lines, 1)]

    @property
    def has_taken_place(self) -> bool:
        return bool((self.decisions or "").strip()) or self.minutes_id is not None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if not self.online and not (self.place or "").strip():
            errors["place"] = [ValidationError(PLACE_OR_ONLINE, code="place_required")]
        if self.minutes_id is not None and self.agreement_id is not None:
            minutes = (
                type(self)
                ._meta.get_field("minutes")
                .related_model.objects.filter(pk=self.minutes_id)
            )
            if not minutes.filter(agreement_id=self.agreement_id).exists():
                errors["minutes"] = [
                    ValidationError(DOCUMENT_OF_ANOTHER_AGREEMENT, code="other_agreement")
                ]
        if errors:
            raise ValidationError(errors)
        # A meeting with decisions or minutes has been held: not after today.
        if self.has_taken_place:
            refuse_future_dates(
                self,
                {
                    "date": _(
                        "A meeting whose decisions or minutes are recorded has taken "
                        "place: its date cannot be in the future."
                    )
                },
            )
