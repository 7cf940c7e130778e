"""The memorandum and dossier PDFs and the signed-MoU exports (agreements/pdf/)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import zipfile

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone, translation

from agreements import services
from agreements.dates import persian_digits
from agreements.models import Agreement, Document
from agreements.pdf import (
    NothingToExport,
    dossier,
    dossier_data,
    engine,
    freeze_pdf,
    memorandum_content_hash,
    render_dossier,
    render_memorandum,
    signed_mou_zip,
    stream_signed_mou_export,
)
from agreements.pdf.memorandum import memorandum_content
from agreements.selectors.history import history_querysets
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    MemorandumFactory,
    approved_signing_request,
)
from tests.pdf_helpers import (
    OFFICIALS,
    attachments,
    catalog_language,
    contains,
    decompressed_streams,
    font_names,
    make_memorandum,
    metadata,
    normalise,
    page_texts,
    text_of,
)

pytestmark = pytest.mark.django_db

DRAFT_FA = normalise("پیش‌نویس")
MM = 72 / 25.4  # points in a millimetre


@pytest.fixture(autouse=True)
def media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def memorandum(personas):
    return make_memorandum(personas)


@pytest.fixture
def final_pdf(memorandum):
    return render_memorandum(memorandum, draft=False)


def freeze(memorandum):
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    return memorandum


# --- What the memorandum shows ------------------------------------------------------------


def test_memorandum_names_both_parties_in_both_languages(final_pdf):
    text = text_of(final_pdf)
    for expected in ["Tehran", "تهران", "Dushanbe", "دوشنبه", "Iran", "ایران"]:
        assert normalise(expected) in text
    assert "Tajikistan" in text
    assert normalise("تاجیکستان") in text


def test_memorandum_shows_every_article_heading_in_both_languages(memorandum, final_pdf):
    text = text_of(final_pdf)
    articles = list(memorandum.articles.order_by("position"))
    assert len(articles) == 7
    for number, article in enumerate(articles, start=1):
        assert normalise(f"Article {number} – {article.heading_en}") in text
        assert normalise(article.heading_fa) in text
        assert normalise(f"ماده {persian_digits(number)}") in text


def test_memorandum_shows_signing_date_in_both_calendars(final_pdf):
    text = text_of(final_pdf)
    assert "1 December 2026" in text  # Gregorian, English column
    assert "10 Azar 1405 SH" in text  # Jalali, English column
    assert normalise("۱۰ آذر ۱۴۰۵") in text  # Jalali, Persian column
    assert normalise("دسامبر") in text  # Gregorian month, Persian column


def test_memorandum_shows_signatories_with_titles_and_commonalities(final_pdf):
    text = text_of(final_pdf)
    for expected in [
        "Alireza Zakani",
        "Mayor of Tehran",
        "علیرضا زاکانی",
        "شهردار تهران",
        "Rustam Emomali",
        "رستم امامعلی",
        "Shared Persianate literary heritage and Nowruz.",
        "میراث ادبی مشترک فارسی",
    ]:
        assert normalise(expected) in text


def test_integrity_code_and_page_numbers_in_both_scripts_on_every_page(memorandum, final_pdf):
    code = memorandum_content_hash(memorandum)[:12]
    pages = page_texts(final_pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert code in page
        assert f"Page {number} of {len(pages)}" in page
        # The Persian footer is a right-to-left run in a margin box; extractors
        # return it in logical or in visual order.
        assert contains(page, persian_digits(f"صفحه {number} از {len(pages)}"))


def test_draft_says_draft_once_on_every_page(memorandum):
    pages = page_texts(render_memorandum(memorandum))  # not frozen: a draft
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        # Once: the first page printed it twice at its top (a line and the header).
        assert page.count("DRAFT") == 1, number
        assert normalise(page).count(DRAFT_FA) == 1, number


def test_memorandum_shows_the_officials_present_of_both_sides_in_both_languages(final_pdf):
    text = text_of(final_pdf)
    assert "Officials present" in text and contains(text, "مقامات حاضر")
    for official in OFFICIALS.values():
        for value in official.values():
            assert normalise(value) in text, value


def test_the_content_holds_the_officials_per_side(memorandum):
    content = memorandum_content(memorandum)
    assert content["schema"] == "sistercities.memorandum/2"
    # No partner language: the partner-language name and title are blank.
    blank = {"name_partner": "", "title_partner": ""}
    assert content["officials"] == {
        "home": [OFFICIALS["home"] | blank],
        "partner": [OFFICIALS["partner"] | blank],
    }
    assert "officials_present" not in content
    assert content["supersedes"] is None  # a first memorandum replaces none


def test_a_sister_memorandum_names_the_friendship_memorandum_it_supersedes(personas):
    friendship = make_memorandum(personas, kind="friendship", signed_on=datetime.date(2015, 5, 5))
    friendship.agreement.kind = "friendship"
    friendship.agreement.save()
    freeze(friendship)
    sister = MemorandumFactory(agreement=friendship.agreement, kind="sister", supersedes=friendship)
    code = friendship.content_sha256[:12]
    content = memorandum_content(sister)
    assert content["supersedes"] == {"number": 1, "date": "2015-05-05", "integrity_code": code}
    text = text_of(render_memorandum(sister, draft=False))
    assert (
        normalise(
            "This memorandum supersedes the friendship memorandum No. 1 of "
            f"5 May 2015 (15 Ordibehesht 1394 SH) (integrity code {code})."
        )
        in text
    )
    # Persian: Persian digits and the Jalali date (the Gregorian one after it).
    for part in (
        "این تفاهم‌نامه جایگزین تفاهم‌نامه دوستی شماره ۱ مورخ ۱۵ اردیبهشت ۱۳۹۴",
        "کد یکپارچگی",
        code,
    ):
        assert contains(text, part), part
    # The code in brackets (which an extractor may mirror: the wording says it).
    assert f"(کد یکپارچگی {code})" in content["wording"]["fa"]["supersedes"]
    # A sister memorandum after a sister one (a new version) replaces no friendship one.
    freeze(sister)
    later = MemorandumFactory(agreement=sister.agreement, kind="sister", supersedes=sister)
    assert memorandum_content(later)["supersedes"] is None


def test_final_rendering_has_no_draft_mark(final_pdf):
    text = text_of(final_pdf)
    assert "DRAFT" not in text
    assert DRAFT_FA not in text


def test_embedded_json_matches_the_agreement(memorandum, final_pdf):
    data = json.loads(attachments(final_pdf)["memorandum.json"])
    agreement = memorandum.agreement
    assert data["agreement"]["id"] == agreement.pk
    assert data["agreement"]["kind"] == "sister"
    assert data["agreement"]["stage"] == "signing"
    assert data["memorandum"] == {"id": memorandum.pk, "number": 1, "draft": False}
    assert data["content_sha256"] == memorandum_content_hash(memorandum)
    content = data["content"]
    assert content["parties"]["home"]["name_en"] == "Tehran"
    assert content["parties"]["partner"]["name_fa"] == "دوشنبه"
    assert content["parties"]["partner"]["country"] == "TJ"
    assert content["signing"] == {
        "date": "2026-12-01",
        "date_jalali": "1405-09-10",
        "place_en": "Tehran",
        "place_fa": "تهران",
        "place_partner": "",
    }
    assert content["signatories"]["partner"]["name"] == "Rustam Emomali"
    assert [
        (a["heading_en"], a["heading_fa"], a["body_en"], a["body_fa"]) for a in content["articles"]
    ] == [
        (a.heading_en, a.heading_fa, a.body_en, a.body_fa)
        for a in memorandum.articles.order_by("position")
    ]


# Vazirmatn, and its copy for right-to-left text (static/css/pdf.css says why).
VAZIRMATN = {"Vazirmatn", "Vazirmatn-Bold", "Vazirmatn-RTL", "Vazirmatn-RTL-Bold"}


def test_embedded_fonts_are_vazirmatn_only(final_pdf):
    assert font_names(final_pdf) == VAZIRMATN


def test_memorandum_is_pdfa_3b_with_metadata(memorandum, final_pdf):
    xmp = b"".join(stream for stream in decompressed_streams(final_pdf) if b"pdfaid" in stream)
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="B"' in xmp
    info = metadata(final_pdf)
    assert "Memorandum of Understanding" in info["Title"]
    assert "تفاهم" in info["Title"]
    assert memorandum_content_hash(memorandum)[:12] in info["Subject"]
    assert info["CreationDate"].startswith("D:20")
    assert catalog_language(final_pdf) == "fa"


def test_memorandum_stays_small(final_pdf):
    # Fonts are subset, not embedded whole (a full Vazirmatn pair is ~250 KB).
    assert len(final_pdf) < 150_000


def _footer_chars(pdf: bytes, page_index: int) -> list[tuple[str, float, float]]:
    """(character, left, right) in points of what is drawn in the bottom margin."""
    page = pdfium.PdfDocument(pdf)[page_index]
    textpage = page.get_textpage()
    chars = []
    for index in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(index)
        if top < 22 * MM:
            chars.append((textpage.get_text_range(index, 1), left, right))
    return chars


def test_footer_sits_on_the_page_margins_in_both_scripts(final_pdf):
    page_width = pdfium.PdfDocument(final_pdf)[0].get_width()
    margin = 16 * MM
    for page_index in range(2):
        chars = _footer_chars(final_pdf, page_index)
        latin = [(left, right) for char, left, right in chars if char.isascii() and char.strip()]
        persian = [(left, right) for char, left, right in chars if "\u0600" <= char <= "\u06ff"]
        # "Page 1 of 2" starts at the left margin, "صفحه ۱ از ۲" ends at the right one.
        assert abs(min(left for left, _ in latin) - margin) < 3
        assert abs(max(right for _, right in persian) - (page_width - margin)) < 3


def test_memorandum_has_an_outline_and_list_bullets(memorandum):
    # WeasyPrint's own user-agent stylesheet gives headings their bookmarks
    # (the PDF outline) and list items their bullets.
    pdf = render_memorandum(memorandum, draft=False, use_cache=False)
    outline = [item.get_title() for item in pdfium.PdfDocument(pdf).get_toc()]
    assert any("Memorandum of Understanding" in title for title in outline)
    assert "Article 1 – Subject" in outline
    assert "•" in text_of(pdf)


def test_streams_are_compressed_once(memorandum, monkeypatch):
    # engine.compress_streams_once compresses every stream in WeasyPrint's
    # finisher; left to pydyf, a PDF/A file compresses each one twice (for the
    # identifier's hash, then for the file). Only the two streams pydyf makes
    # while writing (objects, cross references) are still compressed there.
    import pydyf

    pydyf_compressions = []
    real = pydyf.zlib.compressobj

    def counting(*args, **kwargs):
        pydyf_compressions.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pydyf.zlib, "compressobj", counting)
    pdf = render_memorandum(memorandum, draft=False, use_cache=False)
    assert 0 < len(pydyf_compressions) <= 4
    # Still one valid, compressed file: the text reads, fonts and XMP are found.
    assert contains(text_of(pdf), "Memorandum of Understanding")
    assert font_names(pdf) == VAZIRMATN
    assert any(b"pdfaid" in stream for stream in decompressed_streams(pdf))
    assert b"/Filter /FlateDecode" in pdf
    assert len(pdf) < 150_000


# --- The content hash and the draft cache --------------------------------------------------


def test_content_hash_follows_the_text_and_ignores_line_ending_style(memorandum):
    first = memorandum_content_hash(memorandum)
    assert len(first) == 64
    assert memorandum_content_hash(memorandum) == first
    article = memorandum.articles.order_by("position").first()
    article.body_en = article.body_en.replace(" ", "\r\n", 1)
    article.save()
    with_crlf = memorandum_content_hash(memorandum)
    article.body_en = article.body_en.replace("\r\n", "\n")
    article.save()
    assert memorandum_content_hash(memorandum) == with_crlf
    article.body_en += " Amended."
    article.save()
    assert memorandum_content_hash(memorandum) != with_crlf
    memorandum.partner_signatory_title = "Chairman of Dushanbe"
    assert memorandum_content_hash(memorandum) not in {first, with_crlf}


def _count_renders(monkeypatch) -> list[int]:
    calls = []
    real = engine.html_to_pdf

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "html_to_pdf", counting)
    return calls


def test_unchanged_draft_is_not_rendered_again(memorandum, monkeypatch):
    calls = _count_renders(monkeypatch)
    first = render_memorandum(memorandum)
    assert render_memorandum(memorandum) == first
    assert len(calls) == 1
    article = memorandum.articles.order_by("position").first()
    article.body_en += " Amended in the second reading."
    article.save()
    changed = render_memorandum(memorandum)
    assert len(calls) == 2
    assert "Amended in the second reading." in text_of(changed)


def test_draft_is_right_without_any_cache(settings, memorandum, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    calls = _count_renders(monkeypatch)
    render_memorandum(memorandum)
    article = memorandum.articles.order_by("position").first()
    article.heading_en = "Purpose of the partnership"
    article.save()
    assert "Purpose of the partnership" in text_of(render_memorandum(memorandum))
    assert len(calls) == 2


# --- Freezing -----------------------------------------------------------------------------------


def test_freeze_pdf_stores_the_final_pdf_and_downloads_return_exactly_it(memorandum):
    expected_hash = memorandum_content_hash(memorandum)
    freeze(memorandum)
    with memorandum.pdf.open("rb") as stored_file:
        stored = stored_file.read()
    assert memorandum.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert memorandum.content_sha256 == expected_hash
    assert "DRAFT" not in text_of(stored)
    assert expected_hash[:12] in text_of(stored)
    assert render_memorandum(memorandum) == stored
    # Even if the rows changed behind the workflow's back, the signed file stays.
    article = memorandum.articles.order_by("position").first()
    article.body_en = "Something else entirely."
    article.save()
    memorandum.refresh_from_db()
    assert render_memorandum(memorandum) == stored


def test_freeze_pdf_never_replaces_a_stored_pdf(memorandum):
    freeze(memorandum)
    name, sha = memorandum.pdf.name, memorandum.pdf_sha256
    with pytest.raises(ValueError):
        freeze_pdf(memorandum)
    assert (memorandum.pdf.name, memorandum.pdf_sha256) == (name, sha)


def test_freeze_memorandum_service_stores_what_later_downloads_return(personas, memorandum):
    frozen = services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    frozen.refresh_from_db()
    assert frozen.is_frozen
    with frozen.pdf.open("rb") as stored_file:
        stored = stored_file.read()
    assert hashlib.sha256(stored).hexdigest() == frozen.pdf_sha256
    assert render_memorandum(frozen) == stored
    assert attachments(stored)["memorandum.json"]
    assert json.loads(attachments(stored)["memorandum.json"])["memorandum"]["draft"] is False


# --- The dossier ------------------------------------------------------------------------------


@pytest.fixture
def busy_agreement(personas, memorandum):
    agreement = memorandum.agreement
    personas.approver.first_name, personas.approver.last_name = "Reza", "Karimi"
    personas.approver.save()
    ContactFactory(agreement=agreement, participants="Both mayors at the Asian Mayors Forum")
    approved_signing_request(agreement, requested_by=personas.officer, decided_by=personas.approver)
    agreement._change_reason = "Council asked for a clearer title"
    agreement.title = "Tehran and Dushanbe: sister cities"
    agreement.save()
    return agreement


def test_dossier_in_english_has_records_requests_and_history(busy_agreement):
    pdf = render_dossier(busy_agreement, language="en")
    text = text_of(pdf)
    for expected in [
        "Dossier: Tehran – Dushanbe",
        "MoU signing",
        "Hold a cultural week in each city every year.",
        "Both mayors at the Asian Mayors Forum",
        "All three approvals granted.",
        "Agreed at the board meeting.",
        "Reza Karimi",
        "Council asked for a clearer title",
        "Tehran and Dushanbe: sister cities",
        "1 May 2024",  # the contact, Gregorian for an English reader
    ]:
        assert normalise(expected) in text, expected
    assert catalog_language(pdf) == "en"


def test_dossier_in_persian_uses_persian_names_and_jalali_dates(busy_agreement):
    pdf = render_dossier(busy_agreement, language="fa")
    text = text_of(pdf)
    for expected in [
        "تهران",
        "دوشنبه",
        "برگزاری هفته فرهنگی در هر دو شهر هر سال",
        "۱۲ اردیبهشت ۱۴۰۳",  # 1 May 2024
    ]:
        assert contains(text, expected), expected
    assert catalog_language(pdf) == "fa"


def test_dossier_caps_history_and_records_and_cuts_giant_texts(busy_agreement, monkeypatch):
    monkeypatch.setattr(dossier_data, "HISTORY_LIMIT", 5)
    monkeypatch.setattr(dossier_data, "RECORD_LIMIT", 3)
    for number in range(6):
        ContactFactory(agreement=busy_agreement, participants=f"Meeting {number}")
    ContactFactory(agreement=busy_agreement, participants="Huge", notes="x" * 50_000)
    total_history = sum(q.count() for q in history_querysets(busy_agreement.pk))
    assert total_history > 5

    with translation.override("en"):
        context = dossier.dossier_context(busy_agreement, "en")
    assert len(context["history"]) == 5
    assert context["history_left_out"] == total_history - 5
    contacts = next(s for s in context["sections"] if s.title == "Contacts")
    assert len(contacts.rows) == 3
    assert contacts.left_out == busy_agreement.contacts.count() - 3
    longest = max(len(cell["text"]) for s in context["sections"] for r in s.rows for cell in r)
    assert longest <= dossier.TEXT_LIMIT

    text = text_of(render_dossier(busy_agreement, language="en"))
    assert f"{total_history - 5} older changes are left out" in text


def test_history_rows_name_the_changed_fields(busy_agreement):
    with translation.override("en"):
        context = dossier.dossier_context(busy_agreement, "en")
    titled = [row for row in context["history"] if "clearer title" in row[3]["text"]]
    assert titled
    assert "title: from " in titled[0][4]["text"]
    assert "to \u2068Tehran and Dushanbe: sister cities\u2069" in titled[0][4]["text"]


# --- Exports -------------------------------------------------------------------------------------


def _scan(agreement, memorandum, content: bytes = b"%PDF-1.4 signed scan") -> Document:
    return Document.objects.create(
        agreement=agreement,
        memorandum=memorandum,
        kind="signed_mou",
        file=ContentFile(content, name="scan.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _manifest(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_signed_mou_zip_holds_the_frozen_pdf_and_the_scan(memorandum):
    freeze(memorandum)
    _scan(memorandum.agreement, memorandum)
    archive = zipfile.ZipFile(io.BytesIO(signed_mou_zip(memorandum.agreement)))
    assert archive.testzip() is None
    with memorandum.pdf.open("rb") as stored:
        assert archive.read("memorandum-v1.pdf") == stored.read()
    assert archive.read("signed-scan.pdf") == b"%PDF-1.4 signed scan"
    rows = {row["file"]: row for row in _manifest(archive)}
    assert rows["memorandum-v1.pdf"]["sha256"] == memorandum.pdf_sha256
    assert rows["signed-scan.pdf"]["file_kind"] == "signed_scan"


def test_signed_mou_zip_of_an_agreement_without_either_is_a_404(memorandum):
    with pytest.raises(NothingToExport):
        signed_mou_zip(memorandum.agreement)
    assert issubclass(NothingToExport, Http404)


def test_bulk_export_has_a_folder_per_agreement_and_a_manifest(personas, memorandum):
    freeze(memorandum)
    _scan(memorandum.agreement, memorandum)
    empty = AgreementFactory(home_city=personas.tehran)
    chunks = list(
        stream_signed_mou_export(
            Agreement.objects.filter(pk__in=[memorandum.agreement_id, empty.pk])
        )
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    folder = f"{memorandum.agreement_id:05d}-tehran-dushanbe"
    assert f"{folder}/memorandum-v1.pdf" in archive.namelist()
    assert f"{folder}/signed-scan.pdf" in archive.namelist()
    rows = _manifest(archive)
    files = [row for row in rows if row["file"]]
    assert len(files) == 2
    for row in files:
        assert row["sha256"] == hashlib.sha256(archive.read(row["file"])).hexdigest()
        assert row["home_city_fa"] == "تهران"
        assert row["partner_city"] == "Dushanbe"
        assert row["kind"] == "sister"
        assert row["memorandum_version"] == "1"
        assert row["signed_on"] == "2026-12-01"
        assert row["signed_on_jalali"] == "1405-09-10"
    (nothing,) = [row for row in rows if not row["file"]]
    assert nothing["agreement_id"] == str(empty.pk)


def test_bulk_export_streams_in_pieces(personas, memorandum):
    freeze(memorandum)
    big = os.urandom(1_000_000)  # incompressible
    _scan(memorandum.agreement, memorandum, big)
    chunks = list(stream_signed_mou_export(Agreement.objects.filter(pk=memorandum.agreement_id)))
    assert len(chunks) > 5
    assert max(len(chunk) for chunk in chunks) < 300_000
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.read(f"{memorandum.agreement_id:05d}-tehran-dushanbe/signed-scan.pdf") == big


def test_manifest_cells_cannot_run_as_spreadsheet_formulas(personas):
    evil = CityFactory(name='=HYPERLINK("http://example.invalid","x")', name_fa="@SUM(1)")
    agreement = AgreementFactory(home_city=personas.tehran, partner_city=evil)
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(stream_signed_mou_export(Agreement.objects.filter(pk=agreement.pk))))
    )
    (row,) = _manifest(archive)
    assert row["partner_city"].startswith("'=")
    assert row["partner_city_fa"] == "'@SUM(1)"


def test_export_dates_use_memorandum_signing_date(personas, memorandum):
    memorandum.signed_on = datetime.date(2025, 3, 21)  # Nowruz 1404
    memorandum.save()
    freeze(memorandum)
    archive = zipfile.ZipFile(io.BytesIO(signed_mou_zip(memorandum.agreement)))
    (row,) = _manifest(archive)
    assert (row["signed_on"], row["signed_on_jalali"]) == ("2025-03-21", "1404-01-01")
