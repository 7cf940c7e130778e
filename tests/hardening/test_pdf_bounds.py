"""PDF rendering stays bounded for absurd input: a 100,000-character memorandum
article, a dossier of an agreement with 10,000 records. Each render must finish
and its output stay within fixed bounds (pages, bytes)."""

from __future__ import annotations

import datetime

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache

from agreements.models import Contact, MemorandumArticle
from agreements.pdf import dossier_data
from tests.pdf_helpers import make_memorandum, text_of

pytestmark = pytest.mark.django_db

MAX_BYTES = 8 * 1024 * 1024


def _pages(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def test_memorandum_with_a_100000_character_article(personas):
    from agreements.pdf import render_memorandum

    memorandum = make_memorandum(personas)
    words_en = ("cooperation " * 9000)[:100_000]
    words_fa = ("همکاری " * 15000)[:100_000]
    article = memorandum.articles.order_by("position").first()
    article.body_en = words_en
    article.body_fa = words_fa
    article.save()
    assert len(MemorandumArticle.objects.get(pk=article.pk).body_en) == 100_000
    pdf = render_memorandum(memorandum, draft=True, use_cache=False)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) < MAX_BYTES
    assert _pages(pdf) < 200


def test_dossier_with_10000_records(personas):
    from agreements.pdf import render_dossier

    memorandum = make_memorandum(personas)
    agreement = memorandum.agreement
    # Set-up only: bulk creation (no history rows needed for this test).
    Contact.objects.bulk_create(
        Contact(
            agreement=agreement,
            date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n % 2000),
            participants=f"Delegation member {n} " + "x" * 300,
            notes="n" * 5000,
        )
        for n in range(10_000)
    )
    pdf = render_dossier(agreement, language="en")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) < MAX_BYTES
    assert _pages(pdf) < 60
    # The reader is told how many rows were left out.
    left_out = 10_000 - dossier_data.RECORD_LIMIT
    text = text_of(pdf)
    assert f"{left_out:,}" in text or str(left_out) in text
