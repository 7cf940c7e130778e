"""Default bilingual articles of a memorandum of understanding, built from the
agreement's goals and sectors. Officers edit them per memorandum version."""

from __future__ import annotations

from django.utils import translation

from .dates import persian_digits
from .models import Agreement, ArticleKey, Kind, Memorandum, MemorandumArticle, Sector


def _labels(sectors: list[str], language: str) -> str:
    with translation.override(language):
        names = [str(Sector(code).label) for code in sectors]
    separator = "، " if language == "fa" else ", "
    return separator.join(names)


def default_articles(
    agreement: Agreement, *, kind: str | None = None, term_years: int = 5
) -> list[dict]:
    """The seven standard articles, in English and Persian, as field dicts."""
    kind = kind or agreement.kind
    home, partner = agreement.home_city, agreement.partner_city
    home_fa = home.name_fa or home.name
    partner_fa = partner.name_fa or partner.name
    goals = list(agreement.goals.all())
    sectors = sorted({goal.sector for goal in goals}, key=Sector.values.index) or [Sector.CULTURE]
    relation_en = "sister cities" if kind == Kind.SISTER else "friendship cities"
    relation_fa = "خواهرخوانده" if kind == Kind.SISTER else "دوست"
    goal_lines_en = "\n".join(f"- {goal.description}" for goal in goals)
    goal_lines_fa = "\n".join(f"- {goal.description_fa or goal.description}" for goal in goals)

    articles = [
        (
            ArticleKey.SUBJECT,
            "Subject",
            "موضوع",
            f"The municipalities of {home.name} and {partner.name} agree to establish relations as "
            f"{relation_en}, in order to strengthen friendship and mutual understanding between "
            "their citizens and to develop cooperation on the basis of equality and mutual benefit.",
            f"شهرداری‌های {home_fa} و {partner_fa} توافق می‌کنند روابط شهرهای {relation_fa} را برقرار "
            "کنند تا دوستی و تفاهم متقابل میان شهروندان خود را تقویت و همکاری را بر پایه برابری و "
            "منافع متقابل گسترش دهند.",
        ),
        (
            ArticleKey.AREAS,
            "Areas of cooperation",
            "زمینه‌های همکاری",
            f"The parties shall cooperate in the following areas: {_labels(sectors, 'en')}."
            + (f"\nIn particular:\n{goal_lines_en}" if goals else ""),
            f"طرفین در زمینه‌های زیر همکاری خواهند کرد: {_labels(sectors, 'fa')}."
            + (f"\nبه‌ویژه:\n{goal_lines_fa}" if goals else ""),
        ),
        (
            ArticleKey.IMPLEMENTATION,
            "Implementation and joint committee",
            "اجرا و کمیته مشترک",
            "To implement this memorandum the parties shall form a joint committee, which meets at "
            "least once a year, agrees an annual programme of activities and reports on its progress.",
            "برای اجرای این تفاهم‌نامه، طرفین کمیته‌ای مشترک تشکیل می‌دهند که دست‌کم سالی یک بار "
            "تشکیل جلسه می‌دهد، برنامه سالانه فعالیت‌ها را تصویب می‌کند و گزارش پیشرفت آن را ارائه می‌دهد.",
        ),
        (
            ArticleKey.DELEGATIONS,
            "Delegations",
            "هیئت‌ها",
            "The parties shall exchange official delegations and encourage visits of experts, "
            "artists, students and business people between the two cities.",
            "طرفین هیئت‌های رسمی مبادله می‌کنند و دیدار کارشناسان، هنرمندان، دانشجویان و فعالان "
            "اقتصادی دو شهر را تشویق می‌کنند.",
        ),
        (
            ArticleKey.DURATION,
            "Duration and renewal",
            "مدت و تمدید",
            f"This memorandum enters into force on the date of signature for a period of "
            f"{term_years} years and is renewed automatically for further periods of the same "
            "length unless either party objects in writing.",
            f"این تفاهم‌نامه از تاریخ امضا به مدت {persian_digits(str(term_years))} سال نافذ است و در صورت عدم اعتراض کتبی "
            "هر یک از طرفین، خودبه‌خود برای دوره‌های مشابه تمدید می‌شود.",
        ),
        (
            ArticleKey.TERMINATION,
            "Termination",
            "خاتمه",
            "Either party may terminate this memorandum by written notice to the other party six "
            "months in advance. Termination does not affect activities already under way.",
            "هر یک از طرفین می‌تواند با اطلاع کتبی شش ماه پیش از آن به طرف دیگر، این تفاهم‌نامه را "
            "خاتمه دهد. خاتمه تفاهم‌نامه بر فعالیت‌های در حال اجرا اثری ندارد.",
        ),
        (
            ArticleKey.FINAL,
            "Final provisions",
            "مقررات پایانی",
            "This memorandum is signed in two originals, each in Persian and English, both texts "
            "being equally authentic. It creates no financial obligation for either party.",
            "این تفاهم‌نامه در دو نسخه اصل، هر یک به زبان‌های فارسی و انگلیسی، امضا شد و هر دو متن "
            "از اعتبار یکسان برخوردارند. این تفاهم‌نامه برای هیچ یک از طرفین تعهد مالی ایجاد نمی‌کند.",
        ),
    ]
    return [
        {
            "position": position,
            "key": key,
            "heading_en": heading_en,
            "heading_fa": heading_fa,
            "body_en": body_en,
            "body_fa": body_fa,
        }
        for position, (key, heading_en, heading_fa, body_en, body_fa) in enumerate(
            articles, start=1
        )
    ]


def add_default_articles(memorandum: Memorandum, *, reason: str = "") -> list[MemorandumArticle]:
    created = []
    for fields in default_articles(
        memorandum.agreement, kind=memorandum.kind, term_years=memorandum.term_years
    ):
        article = MemorandumArticle(memorandum=memorandum, **fields)
        article._change_reason = reason
        article.save()
        created.append(article)
    return created
