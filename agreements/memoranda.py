"""Default bilingual articles of a memorandum of understanding, built from the
agreement's goals and sectors. Officers edit them per memorandum version."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext_lazy

from .models import Agreement, ArticleKey, Kind, Memorandum, MemorandumArticle, Sector


def _labels(sectors: list[str], language: str) -> str:
    with translation.override(language):
        names = [str(Sector(code).label) for code in sectors]
    separator = {"fa": "، ", "ar": "، ", "zh-hans": "、"}.get(language, ", ")
    return separator.join(names)


# The standard articles: key, heading and text, in English as the msgids of the
# catalogues' context "memorandum article", which give the Persian and each
# partner language's wording. The texts take %(home)s, %(partner)s, %(sectors)s
# and %(years)s; the goals follow the areas article.
STANDARD_ARTICLES = [
    (
        ArticleKey.SUBJECT,
        pgettext_lazy("memorandum article", "Subject"),
        {
            Kind.SISTER: pgettext_lazy(
                "memorandum article",
                "The municipalities of %(home)s and %(partner)s agree to establish relations as "
                "sister cities, in order to strengthen friendship and mutual understanding between "
                "their citizens and to develop cooperation on the basis of equality and mutual "
                "benefit.",
            ),
            Kind.FRIENDSHIP: pgettext_lazy(
                "memorandum article",
                "The municipalities of %(home)s and %(partner)s agree to establish relations as "
                "friendship cities, in order to strengthen friendship and mutual understanding "
                "between their citizens and to develop cooperation on the basis of equality and "
                "mutual benefit.",
            ),
        },
    ),
    (
        ArticleKey.AREAS,
        pgettext_lazy("memorandum article", "Areas of cooperation"),
        pgettext_lazy(
            "memorandum article", "The parties shall cooperate in the following areas: %(sectors)s."
        ),
    ),
    (
        ArticleKey.IMPLEMENTATION,
        pgettext_lazy("memorandum article", "Implementation and joint committee"),
        pgettext_lazy(
            "memorandum article",
            "To implement this memorandum the parties shall form a joint committee, which meets "
            "at least once a year, agrees an annual programme of activities and reports on its "
            "progress.",
        ),
    ),
    (
        ArticleKey.DELEGATIONS,
        pgettext_lazy("memorandum article", "Delegations"),
        pgettext_lazy(
            "memorandum article",
            "The parties shall exchange official delegations and encourage visits of experts, "
            "artists, students and business people between the two cities.",
        ),
    ),
    (
        ArticleKey.DURATION,
        pgettext_lazy("memorandum article", "Duration and renewal"),
        pgettext_lazy(
            "memorandum article",
            "This memorandum enters into force on the date of signature for a period of "
            "%(years)s years and is renewed automatically for further periods of the same "
            "length unless either party objects in writing.",
        ),
    ),
    (
        ArticleKey.TERMINATION,
        pgettext_lazy("memorandum article", "Termination"),
        pgettext_lazy(
            "memorandum article",
            "Either party may terminate this memorandum by written notice to the other party six "
            "months in advance. Termination does not affect activities already under way.",
        ),
    ),
    (
        ArticleKey.FINAL,
        pgettext_lazy("memorandum article", "Final provisions"),
        pgettext_lazy(
            "memorandum article",
            "This memorandum is signed in two originals, each in Persian and English, both texts "
            "being equally authentic. It creates no financial obligation for either party.",
        ),
    ),
]
# With a partner language the final article names all three languages.
FINAL_TRILINGUAL = pgettext_lazy(
    "memorandum article",
    "This memorandum is signed in two originals, each in Persian, %(language)s and English, all "
    "texts being equally authentic. It creates no financial obligation for either party.",
)
IN_PARTICULAR = pgettext_lazy("memorandum article", "In particular:")


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def default_articles(
    agreement: Agreement,
    *,
    kind: str | None = None,
    term_years: int = 5,
    partner_language: str = "",
    partner_names: tuple[str, str] = ("", ""),
) -> list[dict]:
    """The seven standard articles in English, Persian and (when given) the
    partner's language, as field dicts. `partner_names` are the two cities'
    names in that language (the English ones where blank). The partner's text
    of a goal is its English description: goals are recorded in Persian and
    English only."""
    from .pdf.common import number
    from .pdf.wording import LANGUAGE_NAMES

    kind = kind or agreement.kind
    home, partner = agreement.home_city, agreement.partner_city
    goals = list(agreement.goals.all())
    sectors = sorted({goal.sector for goal in goals}, key=Sector.values.index) or [Sector.CULTURE]
    suffixes = {
        "en": "en",
        "fa": "fa",
        **({partner_language: "partner"} if partner_language else {}),
    }
    fields = {}
    for language, suffix in suffixes.items():
        persian = language == "fa"
        names = {"en": (home.name, partner.name), "fa": (home.name_fa, partner.name_fa)}.get(
            language, partner_names
        )
        values = {
            "home": names[0] or home.name,
            "partner": names[1] or partner.name,
            "sectors": _labels(sectors, language),
            "years": number(term_years, language),
            "language": _in(language, LANGUAGE_NAMES.get(partner_language, "")),
        }
        goal_lines = "\n".join(
            f"- {(goal.description_fa or goal.description) if persian else goal.description}"
            for goal in goals
        )
        for position, (key, heading, body) in enumerate(STANDARD_ARTICLES, start=1):
            if isinstance(body, dict):
                body = body.get(kind, body[Kind.FRIENDSHIP])
            if key == ArticleKey.FINAL and partner_language:
                body = FINAL_TRILINGUAL
            text = _in(language, body) % values
            if key == ArticleKey.AREAS and goals:
                text = f"{text}\n{_in(language, IN_PARTICULAR)}\n{goal_lines}"
            article = fields.setdefault(
                position,
                {"position": position, "key": key, "heading_partner": "", "body_partner": ""},
            )
            article[f"heading_{suffix}"] = _in(language, heading)
            article[f"body_{suffix}"] = text
    return list(fields.values())


def add_default_articles(memorandum: Memorandum, *, reason: str = "") -> list[MemorandumArticle]:
    created = []
    for fields in default_articles(
        memorandum.agreement,
        kind=memorandum.kind,
        term_years=memorandum.term_years,
        partner_language=memorandum.partner_language,
        partner_names=(memorandum.home_name_partner, memorandum.partner_name_partner),
    ):
        article = MemorandumArticle(memorandum=memorandum, **fields)
        article._change_reason = reason
        article.save()
        created.append(article)
    return created


def refresh_partner_articles(
    memorandum: Memorandum, *, previous_language: str, reason: str = ""
) -> list[MemorandumArticle]:
    """After the memorandum's partner language changed: each standard article's
    partner text becomes the catalogue's text in the new language where it was
    blank or still the previous language's standard text; a text someone wrote
    stays as it is. Called inside the service's transaction (services.records)."""
    agreement = memorandum.agreement
    options = {
        "kind": memorandum.kind,
        "term_years": memorandum.term_years,
        "partner_names": (memorandum.home_name_partner, memorandum.partner_name_partner),
    }
    new = {
        fields["key"]: fields
        for fields in default_articles(
            agreement, partner_language=memorandum.partner_language, **options
        )
    }
    old = {
        fields["key"]: fields
        for fields in default_articles(agreement, partner_language=previous_language, **options)
    }
    changed = []
    for article in memorandum.articles.filter(key__in=list(new)):
        before = (article.heading_partner, article.body_partner)
        for field in ("heading_partner", "body_partner"):
            if getattr(article, field) in ("", old[article.key][field]):
                setattr(article, field, new[article.key][field])
        if (article.heading_partner, article.body_partner) != before:
            article._change_reason = reason
            article.save()
            changed.append(article)
    return changed
