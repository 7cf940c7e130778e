"""The partner city's side: its people (counterparts, records of the agreement), the
review links a memorandum draft is sent through, and what the partner says through
one (comments per article, the confirmation of the text).

A link's token is never stored: only its SHA-256 (`token_hash`). A confirmation
keeps the content hash (agreements.pdf.memorandum_content_hash) of the text it
confirmed; a later change of the text makes it outdated, it is never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_line, validate_text

from .agreement import Agreement
from .base import Record, Tracked
from .codes import PartnerLanguage
from .memoranda import Memorandum, MemorandumArticle

# A counterpart reads English or one of the memorandum's partner languages.
COUNTERPART_LANGUAGES = [("en", _("English")), *PartnerLanguage.choices]


class Counterpart(Record):
    """One person of the partner city (for review links, signatories, delegations)."""

    EDITABLE_FIELDS = ("name", "title", "office", "email", "phone", "language")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="counterparts",
        verbose_name=_("agreement"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    title = models.CharField(_("title"), max_length=200, blank=True, validators=[validate_line])
    office = models.CharField(_("office"), max_length=200, blank=True, validators=[validate_line])
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, validators=[validate_line])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_line])
    language = models.CharField(
        _("language"), max_length=10, choices=COUNTERPART_LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("counterpart")
        verbose_name_plural = _("counterparts")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="counterpart_name_required",
                violation_error_message=_("Name the counterpart."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class PartnerLink(Tracked):
    """A review link of one memorandum draft, sent to the partner city."""

    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="partner_links",
        verbose_name=_("memorandum"),
    )
    counterpart = models.ForeignKey(
        Counterpart,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_links",
        verbose_name=_("sent to"),
    )
    # SHA-256 (hex) of the token in the URL; the token itself is shown once.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("partner review link")
        verbose_name_plural = _("partner review links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.memorandum} · {self.expires_at:%Y-%m-%d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired


class PartnerComment(Tracked):
    """A counterpart's comment on one article (or on the whole text), and the
    officer's reply."""

    link = models.ForeignKey(
        PartnerLink, on_delete=models.CASCADE, related_name="comments", verbose_name=_("link")
    )
    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="partner_comments",
        verbose_name=_("memorandum"),
    )
    article = models.ForeignKey(
        MemorandumArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_comments",
        verbose_name=_("article"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, validators=[validate_line])
    body = models.TextField(_("comment"), max_length=5000, validators=[validate_text])
    content_hash = models.CharField(max_length=64, editable=False)
    reply = models.TextField(_("reply"), max_length=5000, blank=True, validators=[validate_text])
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True, editable=False)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("replied by"),
    )

    class Meta:
        verbose_name = _("partner comment")
        verbose_name_plural = _("partner comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.body[:60]}"


class PartnerConfirmation(Tracked):
    """The counterpart's confirmation of the text whose content hash it names."""

    link = models.ForeignKey(
        PartnerLink,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("link"),
    )
    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="partner_confirmations",
        verbose_name=_("memorandum"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    title = models.CharField(_("title"), max_length=200, blank=True, validators=[validate_line])
    email = models.EmailField(_("e-mail"), max_length=254, validators=[validate_line])
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("partner confirmation")
        verbose_name_plural = _("partner confirmations")
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} · {self.content_hash[:12]}"
