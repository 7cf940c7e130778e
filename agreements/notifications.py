"""E-mail, written in each recipient's language. This module composes the messages
(`request_made`, `request_decided`, `reminder` return them as `Email`s); sending
is agreements.tasks' (after commit, through the task queue).

Subjects and bodies carry stored text (city names, notes). A subject is a header:
a line break in it makes Django refuse the whole message (BadHeaderError), so
every subject is made one clean line and every body loses the control characters
that no mail reader shows (cities.validators.printable). The models refuse those
characters now; this keeps values stored before that from stopping the e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TypedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cities.validators import printable

from .models import Agreement, RequestAction, Role, RoleName, Stage, StageRequest
from .selectors.display import person_name

logger = logging.getLogger("sistercities.mail")


def language_of(user) -> str:
    profile = getattr(user, "profile", None)
    try:
        language = profile.language if profile is not None else ""
    except Exception:  # noqa: BLE001 - a missing profile row is not an error here
        language = ""
    return language or settings.LANGUAGE_CODE


def approvers_of(agreement: Agreement) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            roles__city_id=agreement.home_city_id,
            roles__role=RoleName.APPROVER,
        )
        .exclude(email="")
        .select_related("profile")
        .distinct()
    )


class Email(TypedDict):
    subject: str
    body: str
    to: list[str]


def _compose(users: Iterable, subject_and_body) -> list[Email]:
    """One e-mail per user with an address, in the user's language."""
    emails: list[Email] = []
    for user in users:
        if not user.email:
            continue
        with translation.override(language_of(user)):
            subject, body = subject_and_body()
        emails.append(
            Email(
                subject=printable(str(subject), multiline=False),
                body=printable(str(body)),
                to=[user.email],
            )
        )
    return emails


def _names(agreement: Agreement) -> dict[str, str]:
    with_fa = translation.get_language() == "fa"
    home, partner = agreement.home_city, agreement.partner_city
    return {
        "home": (home.name_fa if with_fa and home.name_fa else home.name),
        "partner": (partner.name_fa if with_fa and partner.name_fa else partner.name),
    }


# What a request asks, one sentence per action (in the e-mail to the approvers and in
# the answer to the requester). Marked here, translated in the recipient's language.
ASKED = {
    RequestAction.ADVANCE: gettext_noop("Asked: move the agreement to the stage “%(stage)s”."),
    RequestAction.UPGRADE: gettext_noop("Asked: upgrade the partnership to a sister city."),
    RequestAction.REOPEN: gettext_noop(
        "Asked: reopen the agreement at the earlier stage “%(stage)s”."
    ),
    RequestAction.SUSPEND: gettext_noop("Asked: suspend the partnership."),
    RequestAction.RESUME: gettext_noop("Asked: resume the partnership."),
    RequestAction.TERMINATE: gettext_noop(
        "Asked: terminate the partnership (it is archived and can no longer be changed)."
    ),
}
SUBJECTS = {
    RequestAction.ADVANCE: gettext_noop(
        "Approval requested: %(home)s – %(partner)s to “%(stage)s”"
    ),
    RequestAction.UPGRADE: gettext_noop("Upgrade to sister city requested: %(home)s – %(partner)s"),
    RequestAction.REOPEN: gettext_noop(
        "Reopening requested: %(home)s – %(partner)s at “%(stage)s”"
    ),
    RequestAction.SUSPEND: gettext_noop("Suspension requested: %(home)s – %(partner)s"),
    RequestAction.RESUME: gettext_noop("Resumption requested: %(home)s – %(partner)s"),
    RequestAction.TERMINATE: gettext_noop("Termination requested: %(home)s – %(partner)s"),
}


def _asked(stage_request: StageRequest) -> str:
    return _(ASKED[stage_request.action]) % {"stage": Stage(stage_request.to_stage).label}


def request_made(stage_request_pk: int) -> list[Email]:
    """Tell the municipality's approvers (not the requester) what is asked, and why."""
    stage_request = StageRequest.objects.select_related(
        "agreement__home_city", "agreement__partner_city", "requested_by"
    ).get(pk=stage_request_pk)
    agreement = stage_request.agreement
    recipients = [u for u in approvers_of(agreement) if u.pk != stage_request.requested_by_id]

    def message():
        values = _names(agreement) | {
            "stage": Stage(stage_request.to_stage).label,
            "user": person_name(stage_request.requested_by),
        }
        subject = _(SUBJECTS[stage_request.action]) % values
        body = (
            _(
                "%(user)s asks you to approve a request for the agreement %(home)s – %(partner)s.\n"
                "Open the approvals queue to decide it."
            )
            % values
        )
        body += "\n\n" + _asked(stage_request)
        if stage_request.note:
            body += "\n" + _("Reason: %(reason)s") % {"reason": stage_request.note}
        return subject, body

    return _compose(recipients, message)


def request_decided(stage_request_pk: int) -> list[Email]:
    """Tell the requester how their request was decided, and the decider's reason."""
    stage_request = StageRequest.objects.select_related(
        "agreement__home_city", "agreement__partner_city", "requested_by__profile", "decided_by"
    ).get(pk=stage_request_pk)
    agreement = stage_request.agreement

    def message():
        values = _names(agreement) | {
            "state": stage_request.get_state_display(),
            "user": person_name(stage_request.decided_by),
        }
        subject = _("Your request was %(state)s: %(home)s – %(partner)s") % values
        body = (
            _("%(user)s decided your request for the agreement %(home)s – %(partner)s: %(state)s.")
            % values
        )
        body += "\n\n" + _asked(stage_request)
        if stage_request.decision_note:
            body += "\n" + _("Reason: %(reason)s") % {"reason": stage_request.decision_note}
        return subject, body

    return _compose([stage_request.requested_by], message)


def reminder(agreement: Agreement, reason: str, users: list) -> list[Email]:
    def message():
        values = _names(agreement)
        subjects = {
            "stalled": _("Stalled agreement: %(home)s – %(partner)s"),
            "expiring": _("Agreement expiring soon: %(home)s – %(partner)s"),
            "dormant": _("Dormant partnership: %(home)s – %(partner)s"),
        }
        bodies = {
            "stalled": _(
                "The agreement %(home)s – %(partner)s has stayed in one stage for a long time."
            ),
            "expiring": _(
                "The term of the agreement %(home)s – %(partner)s ends soon. Consider renewing it."
            ),
            "dormant": _(
                "No delegation or activity has been recorded for %(home)s – %(partner)s for a long time."
            ),
        }
        return subjects[reason] % values, bodies[reason] % values

    return _compose(users, message)


def reminder_recipients(agreement: Agreement) -> list:
    User = get_user_model()
    ids = set(
        Role.objects.filter(
            city_id=agreement.home_city_id, role__in=[RoleName.OFFICER, RoleName.APPROVER]
        ).values_list("user_id", flat=True)
    )
    if agreement.responsible_officer_id:
        ids.add(agreement.responsible_officer_id)
    return list(
        User.objects.filter(pk__in=ids, is_active=True).exclude(email="").select_related("profile")
    )
