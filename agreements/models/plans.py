"""Yearly action plans of an agreement and their items.

A plan covers one year in the calendar its author chose: a Gregorian year is
1 January to 31 December, a Jalali (solar hijri) year 1 Farvardin to the last day
of Esfand (29 or 30), both stored as Gregorian dates (`starts_on`, `ends_on`) so
that every comparison is one of dates. Two plans of an agreement never overlap.
"""

from __future__ import annotations

import datetime

import jdatetime
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_date, validate_line, validate_text

from .agreement import Agreement
from .base import Record
from .codes import Department, Sector


class Calendar(models.TextChoices):
    GREGORIAN = "gregorian", _("Gregorian")
    JALALI = "jalali", _("Jalali (solar hijri)")


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


# The years whose whole span lies within validate_date's 1900-01-01..2100-12-31.
YEAR_LIMITS = {
    Calendar.GREGORIAN: (1900, 2100),
    Calendar.JALALI: (1279, 1478),
}
YEAR_OUT_OF_RANGE = _("Give a year from %(low)s to %(high)s in this calendar.")
PLANS_OVERLAP = _("This agreement already has an action plan for (part of) this year.")
OF_ANOTHER_AGREEMENT = _("This record belongs to another agreement.")
OF_ANOTHER_PLAN = _("An item stays in the plan it was added to.")
DUE_OUTSIDE_PLAN = _("The due date lies outside the plan's year (%(start)s to %(end)s).")
ONE_EVIDENCE = _("Link one piece of evidence: an activity, a delegation or a document.")


def year_span(calendar: str, year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day (Gregorian dates) of `year` in `calendar`."""
    if calendar == Calendar.JALALI:
        start = jdatetime.date(year, 1, 1).togregorian()
        end = jdatetime.date(year + 1, 1, 1).togregorian() - datetime.timedelta(days=1)
        return start, end
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class ActionPlan(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field). The dates follow from calendar and year.
    EDITABLE_FIELDS = (
        "calendar",
        "year",
        "notes",
    )
    DERIVED_FIELDS = ("starts_on", "ends_on")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="action_plans",
        verbose_name=_("agreement"),
    )
    calendar = models.CharField(
        _("calendar"), max_length=10, choices=Calendar.choices, default=Calendar.JALALI
    )
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"), editable=False, validators=[validate_date])
    ends_on = models.DateField(_("ends on"), editable=False, validators=[validate_date])
    notes = models.TextField(_("notes"), blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "calendar", "year"],
                name="action_plan_one_per_year",
                violation_error_message=PLANS_OVERLAP,
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="action_plan_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "starts_on"], name="plan_agreement_start_idx"),
        ]

    def __str__(self) -> str:
        from ..dates import reader_digits

        if self.calendar == Calendar.JALALI:
            text = _("Year %(year)s (Jalali)")
        else:
            text = _("Year %(year)s (Gregorian)")
        return str(text) % {"year": reader_digits(self.year)}

    @property
    def completion(self) -> int | None:
        """Percent of items done, dropped ones left out (None: no items that count).
        Reads the counts of selectors.plans.with_plan_counts when the row has them."""
        if not hasattr(self, "items_total"):
            from django.db.models import Count, Q

            counts = self.items.aggregate(
                items_total=Count("pk"),
                items_done=Count("pk", filter=Q(status=PlanItemStatus.DONE)),
                items_dropped=Count("pk", filter=Q(status=PlanItemStatus.DROPPED)),
            )
            for name, value in counts.items():
                setattr(self, name, value)
        counted = self.items_total - self.items_dropped
        return self.items_done * 100 // counted if counted else None

    def set_span(self) -> None:
        low, high = YEAR_LIMITS.get(self.calendar, (None, None))
        if low is None or not isinstance(self.year, int) or not low <= self.year <= high:
            return
        self.starts_on, self.ends_on = year_span(self.calendar, self.year)

    def clean_fields(self, exclude=None) -> None:
        self.set_span()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        low, high = YEAR_LIMITS.get(self.calendar, (None, None))
        if low is not None and isinstance(self.year, int) and not low <= self.year <= high:
            raise ValidationError(
                {
                    "year": [
                        ValidationError(
                            YEAR_OUT_OF_RANGE,
                            code="year_range",
                            params={"low": low, "high": high},
                        )
                    ]
                }
            )
        if self.agreement_id and self.starts_on and self.ends_on:
            overlapping = (
                ActionPlan.objects.filter(
                    agreement_id=self.agreement_id,
                    starts_on__lte=self.ends_on,
                    ends_on__gte=self.starts_on,
                )
                .exclude(pk=self.pk)
                .exists()
            )
            if overlapping:
                raise ValidationError({"year": [ValidationError(PLANS_OVERLAP, code="overlap")]})

    def save(self, *args, **kwargs) -> None:
        self.set_span()
        super().save(*args, **kwargs)


class ActionPlanItem(Record):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field). The plan and agreement are fixed.
    EDITABLE_FIELDS = (
        "sector",
        "description",
        "owner_department",
        "partner_counterpart",
        "due_date",
        "status",
        "evidence_activity",
        "evidence_delegation",
        "evidence_document",
        "from_meeting",
    )

    # The plan's agreement, kept on the item so that its links, history and
    # permissions are those of every record of an agreement.
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="action_plan_items",
        verbose_name=_("agreement"),
    )
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("action plan")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.TextField(_("description"), validators=[validate_text])
    owner_department = models.CharField(
        _("owner department"), max_length=20, choices=Department.choices
    )
    partner_counterpart = models.CharField(
        _("partner counterpart"), max_length=200, blank=True, validators=[validate_line]
    )
    due_date = models.DateField(_("due date"), validators=[validate_date])
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PlanItemStatus.choices,
        default=PlanItemStatus.PLANNED,
    )
    evidence_activity = models.ForeignKey(
        "Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence: activity"),
    )
    evidence_delegation = models.ForeignKey(
        "Delegation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence: delegation"),
    )
    evidence_document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence: document"),
    )
    from_meeting = models.ForeignKey(
        "CommitteeMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("decided at the meeting"),
    )

    class Meta:
        verbose_name = _("action plan item")
        verbose_name_plural = _("action plan items")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""),
                name="plan_item_description_required",
                violation_error_message=_("Describe the item."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(evidence_activity__isnull=True, evidence_delegation__isnull=True)
                    | Q(evidence_activity__isnull=True, evidence_document__isnull=True)
                    | Q(evidence_delegation__isnull=True, evidence_document__isnull=True)
                ),
                name="plan_item_one_evidence",
                violation_error_message=ONE_EVIDENCE,
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status", "due_date"], name="plan_item_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return (
            self.status in (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS)
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    @property
    def evidence(self):
        return self.evidence_activity or self.evidence_delegation or self.evidence_document

    def clean(self) -> None:
        super().clean()
        if self.plan_id is None:
            return
        plan = ActionPlan.objects.filter(pk=self.plan_id).first()
        if plan is None:
            return
        if self.agreement_id is None:
            self.agreement_id = plan.agreement_id
        errors: dict[str, list] = {}
        if plan.agreement_id != self.agreement_id:
            errors["plan"] = [ValidationError(OF_ANOTHER_AGREEMENT, code="other_agreement")]
        if self.due_date and not plan.starts_on <= self.due_date <= plan.ends_on:
            from ..dates import format_jalali

            if plan.calendar == Calendar.JALALI:
                start, end = format_jalali(plan.starts_on), format_jalali(plan.ends_on)
            else:
                start, end = plan.starts_on.isoformat(), plan.ends_on.isoformat()
            errors["due_date"] = [
                ValidationError(
                    DUE_OUTSIDE_PLAN, code="due_outside_plan", params={"start": start, "end": end}
                )
            ]
        for name in (
            "evidence_activity",
            "evidence_delegation",
            "evidence_document",
            "from_meeting",
        ):
            linked_id = getattr(self, f"{name}_id")
            if linked_id is None:
                continue
            model = self._meta.get_field(name).related_model
            if not model.objects.filter(pk=linked_id, agreement_id=plan.agreement_id).exists():
                errors[name] = [ValidationError(OF_ANOTHER_AGREEMENT, code="other_agreement")]
        evidence = [
            n
            for n in ("evidence_activity", "evidence_delegation", "evidence_document")
            if getattr(self, f"{n}_id") is not None
        ]
        if len(evidence) > 1:
            errors.setdefault(evidence[-1], []).append(
                ValidationError(ONE_EVIDENCE, code="one_evidence")
            )
        if errors:
            raise ValidationError(errors)
