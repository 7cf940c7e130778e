"""E-mail, written in each recipient's language. This module composes the messages
(`request_made`, `request_decided`, `reminder_digest` return them as `Email`s);
sending is agreements.tasks' (after commit, through the task queue).

Every e-mail carries an absolute link (settings.SITE_URL) to the page where its
reader acts: the approvals queue at the request, or the agreement's requests.
Reminders go to the agreement's responsible officer, else to the municipality's
officers, else to its approvers (`RecipientFinder`), one digest per person.

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
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cities.validators import printable

from .dates import format_number
from .models import (
    Agreement,
    ReminderReason,
    RequestAction,
    RequestState,
    Role,
    RoleName,
    Stage,
    StageRequest,
)
from .selectors.display import person_name

logger = logging.getLogger("sistercities.mail")


def language_of(user) -> str:
    profile = getattr(user, "profile", None)
    try:
        language = profile.language if profile is not None else ""
    except Exception:  # noqa: BLE001 - a missing profile row is not an error here
        language = ""
    return language or settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """`path` (from reverse()) on the site's address, for a reader outside any request."""
    return f"{settings.SITE_URL}{path}"


def agreement_url(agreement_id: int, anchor: str = "") -> str:
    path = reverse("agreements:detail", args=[agreement_id])
    return absolute_url(f"{path}#{anchor}" if anchor else path)


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
    """Tell the municipality's approvers (not the requester) what is asked, and why,
    with a link to the request in the approvals queue."""
    stage_request = StageRequest.objects.select_related(
        "agreement__home_city", "agreement__partner_city", "requested_by"
    ).get(pk=stage_request_pk)
    agreement = stage_request.agreement
    recipients = [u for u in approvers_of(agreement) if u.pk != stage_request.requested_by_id]
    queue_url = absolute_url(f"{reverse('agreements:approvals')}#request-{stage_request.pk}")

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
        body += "\n\n" + _("Approve or reject it here: %(url)s") % {"url": queue_url}
        body += "\n" + _("The agreement: %(url)s") % {"url": agreement_url(agreement.pk)}
        return subject, body

    return _compose(recipients, message)


def request_decided(stage_request_pk: int) -> list[Email]:
    """Tell the requester how their request was decided and why (the decider's note),
    with a link to the agreement's requests: a rejection says so in its subject and
    gives its reason, so that the requester knows what to put right."""
    stage_request = StageRequest.objects.select_related(
        "agreement__home_city", "agreement__partner_city", "requested_by__profile", "decided_by"
    ).get(pk=stage_request_pk)
    agreement = stage_request.agreement
    link = agreement_url(agreement.pk, "requests")
    rejected = stage_request.state == RequestState.REJECTED

    def message():
        values = _names(agreement) | {
            "state": stage_request.get_state_display(),
            "user": person_name(stage_request.decided_by),
        }
        if rejected:
            subject = _("Your request was rejected: %(home)s – %(partner)s") % values
            body = (
                _("%(user)s rejected your request for the agreement %(home)s – %(partner)s.")
                % values
            )
        elif stage_request.state == RequestState.APPROVED:
            subject = _("Your request was approved: %(home)s – %(partner)s") % values
            body = (
                _("%(user)s approved your request for the agreement %(home)s – %(partner)s.")
                % values
            )
        else:
            subject = _("Your request was %(state)s: %(home)s – %(partner)s") % values
            body = (
                _(
                    "%(user)s decided your request for the agreement %(home)s – %(partner)s: "
                    "%(state)s."
                )
                % values
            )
        body += "\n\n" + _asked(stage_request)
        note = stage_request.decision_note.strip()
        if rejected:
            body += "\n" + (
                _("Why it was rejected: %(reason)s") % {"reason": note}
                if note
                else _("No reason was given for the rejection.")
            )
            body += "\n\n" + _(
                "Put right what the reason names, then ask again on the agreement's page: %(url)s"
            ) % {"url": link}
        else:
            if note:
                body += "\n" + _("Reason: %(reason)s") % {"reason": note}
            body += "\n\n" + _("The agreement: %(url)s") % {"url": link}
        return subject, body

    return _compose([stage_request.requested_by], message)


REMINDER_SUBJECTS = {
    ReminderReason.STALLED: gettext_noop("Stalled agreement: %(home)s – %(partner)s"),
    ReminderReason.EXPIRING: gettext_noop("Agreement expiring soon: %(home)s – %(partner)s"),
    ReminderReason.DORMANT: gettext_noop("Dormant partnership: %(home)s – %(partner)s"),
    ReminderReason.PLAN_OVERDUE: gettext_noop("Action plan items overdue: %(home)s – %(partner)s"),
}
REMINDER_LINES = {
    ReminderReason.STALLED: gettext_noop(
        "The agreement %(home)s – %(partner)s has stayed in one stage for a long time."
    ),
    ReminderReason.EXPIRING: gettext_noop(
        "The term of the agreement %(home)s – %(partner)s ends soon. Consider renewing it."
    ),
    ReminderReason.DORMANT: gettext_noop(
        "No delegation or activity has been recorded for %(home)s – %(partner)s for a long time."
    ),
    ReminderReason.PLAN_OVERDUE: gettext_noop(
        "Items of the action plan of %(home)s – %(partner)s are past their due date and not done."
    ),
}


def reminder_digest(user, items: list[tuple[Agreement, str]]) -> list[Email]:
    """One e-mail to `user` about every (agreement, reason) of the day, each with
    the link to its agreement, in the user's language (nothing without an address)."""
    if not items:
        return []

    def message():
        lines = []
        for agreement, reason in items:
            lines.append(
                "- "
                + _(REMINDER_LINES[reason]) % _names(agreement)
                + "\n  "
                + agreement_url(agreement.pk)
            )
        if len(items) == 1:
            agreement, reason = items[0]
            subject = _(REMINDER_SUBJECTS[reason]) % _names(agreement)
        else:
            count = len({agreement.pk for agreement, _reason in items})
            subject = ngettext(
                "%(count)s agreement needs your attention",
                "%(count)s agreements need your attention",
                count,
            ) % {"count": format_number(count)}
        body = _("These agreements need your attention today:")
        body += "\n\n" + "\n\n".join(lines)
        body += "\n\n" + _("Your dashboard: %(url)s") % {
            "url": absolute_url(reverse("agreements:dashboard"))
        }
        return subject, body

    return _compose([user], message)


def _reachable(user) -> bool:
    return user is not None and user.is_active and bool(user.email)


class RecipientFinder:
    """Who is reminded about an agreement: its responsible officer (active, with an
    address, still an officer or approver of the agreement's municipality), else
    the municipality's officers, else its approvers; never nobody while the
    municipality has anyone (a warning is logged when it has nobody).

    The municipality's people are read once per municipality, so a run costs a
    query per municipality, not per agreement."""

    def __init__(self) -> None:
        self._cities: dict[int, dict] = {}

    def _city(self, city_id: int) -> dict:
        if city_id not in self._cities:
            User = get_user_model()
            roles = dict(
                Role.objects.filter(
                    city_id=city_id, role__in=[RoleName.OFFICER, RoleName.APPROVER]
                ).values_list("user_id", "role")
            )
            people = list(
                User.objects.filter(pk__in=roles, is_active=True)
                .exclude(email="")
                .select_related("profile")
                .order_by("pk")
            )
            self._cities[city_id] = {
                "roles": roles,
                "officers": [u for u in people if roles[u.pk] == RoleName.OFFICER],
                "approvers": [u for u in people if roles[u.pk] == RoleName.APPROVER],
            }
        return self._cities[city_id]

    def for_agreement(self, agreement: Agreement) -> list:
        city = self._city(agreement.home_city_id)
        officer = agreement.responsible_officer if agreement.responsible_officer_id else None
        if _reachable(officer) and officer.pk in city["roles"]:
            return [officer]
        if city["officers"]:
            return city["officers"]
        if city["approvers"]:
            return city["approvers"]
        logger.warning(
            "reminder for agreement %s has no recipient: municipality %s has no officer "
            "or approver with an e-mail address",
            agreement.pk,
            agreement.home_city_id,
        )
        return []


def reminder_recipients(agreement: Agreement) -> list:
    """The people reminded about `agreement` (RecipientFinder's rule)."""
    return RecipientFinder().for_agreement(agreement)
