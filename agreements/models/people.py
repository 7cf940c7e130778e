"""Roles, preferences, per-municipality settings and the reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.models import City
from cities.validators import validate_date, validate_text

from .agreement import Agreement
from .base import Tracked
from .codes import Authority, Language, ReminderReason, RoleName

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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
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
    partner_confirmation_required = models.BooleanField(
        _("freezing requires a current partner confirmation"),
        default=False,
        help_text=_(
            "A memorandum is frozen only when the partner city has confirmed its current text."
        ),
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


class Reminder(models.Model):
    """A reminder e-mail sent; one per agreement, reason and day (send_reminders is idempotent)."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("agreement"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReminderReason.choices)
    sent_on = models.DateField(_("sent on"), validators=[validate_date])
    recipients = models.TextField(_("recipients"), blank=True, validators=[validate_text])

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "reason", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.reason} {self.sent_on}"
