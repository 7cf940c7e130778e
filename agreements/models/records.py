"""What is logged against an agreement: contacts, goals, commonalities, support,
legal approvals, delegations, activities and documents."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.validators import (
    NoPersianScript,
    PersianScript,
    validate_date,
    validate_line,
    validate_text,
)

from .agreement import Agreement
from .base import Record, _end_not_before_start, refuse_future_dates
from .codes import (
    ApprovalStatus,
    Authority,
    CommonalityKind,
    Department,
    Direction,
    DocumentKind,
    Sector,
    Side,
)
from .memoranda import Memorandum


class Contact(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "date",
        "participants",
        "place",
        "notes",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("agreement"),
    )
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

    def clean(self) -> None:
        super().clean()
        refuse_future_dates(self, {"date": _("The date of a contact cannot be in the future.")})


class Goal(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "sector",
        "description",
        "description_fa",
        "indicator",
        "target_date",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("agreement"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.TextField(
        _("objective (English)"),
        validators=[validate_text, NoPersianScript(_("objective (English)"))],
    )
    description_fa = models.TextField(
        _("objective (Persian)"),
        blank=True,
        validators=[validate_text, PersianScript(_("objective (Persian)"))],
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
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "kind",
        "description",
        "description_fa",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="commonalities",
        verbose_name=_("agreement"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommonalityKind.choices)
    description = models.TextField(
        _("description (English)"),
        validators=[validate_text, NoPersianScript(_("description (English)"))],
    )
    description_fa = models.TextField(
        _("description (Persian)"),
        blank=True,
        validators=[validate_text, PersianScript(_("description (Persian)"))],
    )

    class Meta:
        verbose_name = _("commonality")
        verbose_name_plural = _("commonalities")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"


class DepartmentSupport(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "department",
        "supported_on",
        "joint_committee",
        "notes",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="department_supports",
        verbose_name=_("agreement"),
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

    def clean(self) -> None:
        super().clean()
        refuse_future_dates(
            self,
            {"supported_on": _("The date of a department's support cannot be in the future.")},
        )


class LegalApproval(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "side",
        "authority",
        "status",
        "reference",
        "requested_on",
        "decided_on",
        "document",
        "notes",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="legal_approvals",
        verbose_name=_("agreement"),
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

    def clean(self) -> None:
        super().clean()
        refuse_future_dates(
            self,
            {
                "requested_on": _("The date an approval was requested cannot be in the future."),
                "decided_on": _("The decision date of an approval cannot be in the future."),
            },
        )


class Delegation(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "direction",
        "start_date",
        "end_date",
        "head",
        "members",
        "purpose",
        "outcomes",
        "official",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="delegations",
        verbose_name=_("agreement"),
    )
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

    @property
    def has_taken_place(self) -> bool:
        """Its outcomes are recorded: it happened (a planned one has none yet)."""
        return bool((self.outcomes or "").strip())

    def clean(self) -> None:
        super().clean()
        # A planned delegation may lie ahead; one whose outcomes are recorded has
        # taken place, so neither of its dates is after today.
        if self.has_taken_place:
            refuse_future_dates(
                self,
                {
                    "start_date": _(
                        "A delegation whose outcomes are recorded has taken place: "
                        "its start date cannot be in the future."
                    ),
                    "end_date": _(
                        "A delegation whose outcomes are recorded has taken place: "
                        "its end date cannot be in the future."
                    ),
                },
            )


class Activity(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "sector",
        "title",
        "start_date",
        "end_date",
        "description",
        "outcome",
        "partners",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("agreement"),
    )
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
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    # `file` only when uploading: a new file is a new document.
    EDITABLE_FIELDS = (
        "kind",
        "title",
        "memorandum",
        "file",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("agreement"),
    )
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
