"""E-mail to the home municipality when the partner city comments on or confirms a
memorandum draft through its review link (agreements.services.partners queues it
after commit, agreements.tasks.notify_partner_feedback writes it).

The recipients are the reminders' (notifications.RecipientFinder): the agreement's
responsible officer, else the municipality's officers, else its approvers; each
e-mail in the recipient's language, with a link to the memorandum's page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .dates import format_number
from .models import PartnerComment, PartnerConfirmation
from .notifications import Email, RecipientFinder, _compose, _names, absolute_url


def _memorandum_url(memorandum) -> str:
    path = reverse(
        "agreements:record-edit", args=[memorandum.agreement_id, "memoranda", memorandum.pk]
    )
    return absolute_url(f"{path}#partner-review")


def partner_feedback(*, comment_id: int | None = None, confirmation_id: int | None = None):
    """The e-mails telling the officers of a partner's comment or confirmation."""
    related = ("memorandum__agreement__home_city", "memorandum__agreement__partner_city")
    if comment_id is not None:
        item = PartnerComment.objects.select_related("article", *related).get(pk=comment_id)
    else:
        item = PartnerConfirmation.objects.select_related(*related).get(pk=confirmation_id)
    memorandum = item.memorandum
    agreement = memorandum.agreement
    recipients = RecipientFinder().for_agreement(agreement)
    url = _memorandum_url(memorandum)

    def message():
        values = _names(agreement) | {
            "number": format_number(memorandum.number),
            "name": item.name,
        }
        if isinstance(item, PartnerComment):
            subject = _("Comment from the partner city: %(home)s – %(partner)s") % values
            body = (
                _(
                    "%(name)s commented on memorandum version %(number)s of the agreement "
                    "%(home)s – %(partner)s:"
                )
                % values
            )
            if item.article is not None:
                body += "\n" + _("Article %(position)s") % {
                    "position": format_number(item.article.position)
                }
            body += "\n\n" + item.body
            body += "\n\n" + _("Read it and reply here: %(url)s") % {"url": url}
        else:
            subject = _("The partner city confirmed the text: %(home)s – %(partner)s") % values
            body = _(
                "%(name)s confirmed the text of memorandum version %(number)s of the "
                "agreement %(home)s – %(partner)s (integrity code %(code)s)."
            ) % (values | {"code": item.content_hash[:12]})
            body += "\n\n" + _("The memorandum: %(url)s") % {"url": url}
        return subject, body

    emails: list[Email] = _compose(recipients, message)
    return emails
