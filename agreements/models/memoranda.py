"""The memorandum of understanding, version by version, and its articles."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.validators import (
    NoPersianScript,
    PersianScript,
    validate_date,
    validate_line,
    validate_text,
)

from ..dates import format_number
from .agreement import Agreement
from .base import TERM_YEARS_MAX, Record, Tracked, refuse_future_dates
from .codes import ArticleKey, Kind, PartnerLanguage, Side


class Memorandum(Record):
    """One version of the memorandum of understanding."""

    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "signed_on",
        "place",
        "place_fa",
        "term_years",
        "home_signatory_name",
        "home_signatory_name_fa",
        "home_signatory_title",
        "home_signatory_title_fa",
        "partner_signatory_name",
        "partner_signatory_name_fa",
        "partner_signatory_title",
        "partner_signatory_title_fa",
        "partner_language",
        "home_name_partner",
        "partner_name_partner",
        "place_partner",
        "home_signatory_name_partner",
        "home_signatory_title_partner",
        "partner_signatory_name_partner",
        "partner_signatory_title_partner",
    )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="memoranda",
        verbose_name=_("agreement"),
    )
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
        _("signing place (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("signing place (English)"))],
    )
    place_fa = models.CharField(
        _("signing place (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("signing place (Persian)"))],
    )
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"), default=5, validators=[MaxValueValidator(TERM_YEARS_MAX)]
    )
    home_signatory_name = models.CharField(
        _("home signatory (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("home signatory (English)"))],
    )
    home_signatory_name_fa = models.CharField(
        _("home signatory (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("home signatory (Persian)"))],
    )
    home_signatory_title = models.CharField(
        _("home signatory's title (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("home signatory's title (English)"))],
    )
    home_signatory_title_fa = models.CharField(
        _("home signatory's title (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("home signatory's title (Persian)"))],
    )
    partner_signatory_name = models.CharField(
        _("partner signatory (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("partner signatory (English)"))],
    )
    partner_signatory_name_fa = models.CharField(
        _("partner signatory (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("partner signatory (Persian)"))],
    )
    partner_signatory_title = models.CharField(
        _("partner signatory's title (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("partner signatory's title (English)"))],
    )
    partner_signatory_title_fa = models.CharField(
        _("partner signatory's title (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("partner signatory's title (Persian)"))],
    )
    # The partner's language, when the memorandum is also signed in it: every
    # text below and each article's *_partner text in that language; blank ones
    # print the English text instead.
    partner_language = models.CharField(
        _("partner language"),
        max_length=10,
        choices=PartnerLanguage.choices,
        blank=True,
        help_text=_("The third language of the memorandum, besides Persian and English."),
    )
    home_name_partner = models.CharField(
        _("home city's name (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    partner_name_partner = models.CharField(
        _("partner city's name (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    place_partner = models.CharField(
        _("signing place (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    home_signatory_name_partner = models.CharField(
        _("home signatory (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    home_signatory_title_partner = models.CharField(
        _("home signatory's title (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    partner_signatory_name_partner = models.CharField(
        _("partner signatory (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
    )
    partner_signatory_title_partner = models.CharField(
        _("partner signatory's title (partner language)"),
        max_length=200,
        blank=True,
        validators=[validate_line],
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
        verbose_name=_("frozen by"),
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
        indexes = [
            # The public verification page finds a memorandum by its code, the start
            # of content_sha256, as a range on this index (selectors.verification).
            models.Index(fields=["content_sha256"], name="memorandum_content_idx"),
        ]

    def __str__(self) -> str:
        return _("Memorandum v%(number)s") % {"number": format_number(self.number)}

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def clean(self) -> None:
        super().clean()
        refuse_future_dates(
            self, {"signed_on": _("The signing date of a memorandum cannot be in the future.")}
        )


# An article's text in one language, at most: a long article is a few thousand
# characters; 100,000 would take WeasyPrint most of a minute to lay out, holding a
# worker (checked by forms and the API through max_length; tests/hardening
# test_pdf_bounds renders the absurd case anyway).
ARTICLE_BODY_MAX = 20_000


class MemorandumArticle(Tracked):
    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "position",
        "key",
        "heading_en",
        "heading_fa",
        "body_en",
        "body_fa",
        "heading_partner",
        "body_partner",
    )

    memorandum = models.ForeignKey(Memorandum, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    key = models.CharField(
        _("article"), max_length=20, choices=ArticleKey.choices, default=ArticleKey.OTHER
    )
    heading_en = models.CharField(
        _("heading (English)"),
        max_length=200,
        validators=[validate_line, NoPersianScript(_("heading (English)"))],
    )
    heading_fa = models.CharField(
        _("heading (Persian)"),
        max_length=200,
        validators=[validate_line, PersianScript(_("heading (Persian)"))],
    )
    body_en = models.TextField(
        _("text (English)"),
        max_length=ARTICLE_BODY_MAX,
        validators=[validate_text, NoPersianScript(_("text (English)"))],
    )
    body_fa = models.TextField(
        _("text (Persian)"),
        max_length=ARTICLE_BODY_MAX,
        validators=[validate_text, PersianScript(_("text (Persian)"))],
    )

    # In the memorandum's partner language (blank: the English text is printed).
    heading_partner = models.CharField(
        _("heading (partner language)"), max_length=200, blank=True, validators=[validate_line]
    )
    body_partner = models.TextField(
        _("text (partner language)"),
        max_length=ARTICLE_BODY_MAX,
        blank=True,
        validators=[validate_text],
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["memorandum", "position", "id"]

    def __str__(self) -> str:
        # In the reader's language and digits (the history page names an article so).
        persian = (get_language() or "").startswith("fa")
        heading = self.heading_fa if persian and self.heading_fa else self.heading_en
        return f"{format_number(self.position, persian=persian)}. {heading}"


class MemorandumOfficial(Tracked):
    """One official present when the memorandum is exchanged, on one side (the
    paper's fifth condition: a memorandum is frozen only with officials of both
    sides recorded)."""

    # What a person edits (its form, serializer and admin show these; services
    # refuse a change to any other field).
    EDITABLE_FIELDS = (
        "side",
        "position",
        "name",
        "name_fa",
        "title",
        "title_fa",
        "name_partner",
        "title_partner",
    )

    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="officials",
        verbose_name=_("memorandum"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.HOME)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(
        _("name (English)"),
        max_length=200,
        validators=[validate_line, NoPersianScript(_("name (English)"))],
    )
    name_fa = models.CharField(
        _("name (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("name (Persian)"))],
    )
    title = models.CharField(
        _("title (English)"),
        max_length=200,
        blank=True,
        validators=[validate_line, NoPersianScript(_("title (English)"))],
    )
    title_fa = models.CharField(
        _("title (Persian)"),
        max_length=200,
        blank=True,
        validators=[validate_line, PersianScript(_("title (Persian)"))],
    )
    # In the memorandum's partner language (blank: the English one is printed).
    name_partner = models.CharField(
        _("name (partner language)"), max_length=200, blank=True, validators=[validate_line]
    )
    title_partner = models.CharField(
        _("title (partner language)"), max_length=200, blank=True, validators=[validate_line]
    )

    class Meta:
        verbose_name = _("official present")
        verbose_name_plural = _("officials present")
        ordering = ["memorandum", "side", "position", "id"]

    def __str__(self) -> str:
        persian = (get_language() or "").startswith("fa")
        return self.name_fa if persian and self.name_fa else self.name
