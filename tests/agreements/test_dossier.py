"""The dossier PDF (agreements/pdf/dossier.py): PDF/A-3b with its data embedded,
one language throughout, bidi isolates around what people typed, bundled fonts
only, and stored by the hash of what it shows."""

from __future__ import annotations

import json
import re
import shutil

import pypdfium2 as pdfium
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from agreements.pdf import dossier, engine, freeze_pdf, render_dossier
from tests.factories import (
    ActivityFactory,
    CityFactory,
    ContactFactory,
    GoalFactory,
    UserFactory,
    approved_signing_request,
)
from tests.pdf_helpers import (
    attachments,
    bundled_font_names,
    contains,
    font_names,
    make_memorandum,
    normalise,
    pdftotext,
    text_of,
    unembedded_fonts,
    xmp_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(personas):
    """The Tehran–Dushanbe agreement with a frozen memorandum, a contact, an
    activity, an approved stage request, a stage change with a reason and a
    change that empties a field (the history's "from — to …")."""
    memorandum = make_memorandum(personas)
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    agreement = memorandum.agreement
    personas.approver.first_name, personas.approver.last_name = "Reza", "Karimi"
    personas.approver.save()
    personas.officer.first_name, personas.officer.last_name = "Sara", "Ahmadi"
    personas.officer.save()
    ContactFactory(agreement=agreement, participants="Both mayors at the Asian Mayors Forum")
    ActivityFactory(agreement=agreement, title="Nowruz concert")
    approved_signing_request(agreement, requested_by=personas.officer, decided_by=personas.approver)
    agreement.responsible_officer = personas.officer
    agreement.summary = "Old summary"
    agreement.save()
    agreement._change_reason = "Council asked for a clearer title"
    agreement.title = "Tehran and Dushanbe: sister cities"
    agreement.summary = ""
    agreement.stage = "delegations"
    agreement.save()
    return agreement


@pytest.fixture
def renders(monkeypatch):
    """Counts the dossier's renderings (engine.html_to_pdf calls)."""
    calls = []
    real = engine.html_to_pdf

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(engine, "html_to_pdf", counting)
    return calls


def embedded(pdf: bytes) -> dict:
    return json.loads(attachments(pdf)["dossier.json"])


# --- PDF/A-3b and the embedded data -------------------------------------------------------------


def test_the_dossier_is_pdf_a_3b_with_its_data_embedded(agreement):
    pdf = render_dossier(agreement, language="en")
    xmp = xmp_of(pdf)
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="B"' in xmp
    data = embedded(pdf)
    assert data["schema"] == "sistercities.dossier/1"
    assert data["language"] == "en"
    assert data["agreement"]["id"] == agreement.pk
    assert data["agreement"]["title"] == "Tehran and Dushanbe: sister cities"
    assert data["agreement"]["stage"] == "delegations"
    assert data["agreement"]["responsible_officer"] == "Sara Ahmadi"
    assert data["agreement"]["partner_city"]["name_fa"] == "دوشنبه"
    assert [g["description"] for g in data["goals"]] == [
        "Hold a cultural week in each city every year."
    ]
    assert data["commonalities"][0]["kind"] == "cultural"
    assert data["contacts"][0]["participants"] == "Both mayors at the Asian Mayors Forum"
    assert data["activities"][0]["title"] == "Nowruz concert"
    (request,) = data["stage_requests"]
    assert request["requested_by"] == "Sara Ahmadi"
    assert request["decided_by"] == "Reza Karimi"
    assert (request["from_stage"], request["to_stage"], request["state"]) == (
        "legal",
        "signing",
        "approved",
    )
    (memorandum,) = data["memoranda"]
    frozen = agreement.memoranda.get()
    assert memorandum["content_sha256"] == frozen.content_sha256
    assert memorandum["integrity_code"] == frozen.content_sha256[:12]
    assert memorandum["pdf_sha256"] == frozen.pdf_sha256
    (move,) = data["stage_history"]
    assert (move["from_stage"], move["to_stage"]) == ("signing", "delegations")
    assert move["reason"] == "Council asked for a clearer title"
    # People by name, never by id.
    names = {row["by"] for row in data["history"]}
    assert names <= {"system", "Sara Ahmadi", "Reza Karimi", "officer", "approver"}
    assert not any(re.search(r"#\s*\d", json.dumps(row)) for row in data["history"])


def test_the_embedded_data_follows_the_agreement(agreement):
    before = embedded(render_dossier(agreement, language="en"))
    GoalFactory(agreement=agreement, description="Exchange of young architects.")
    after = embedded(render_dossier(agreement, language="en"))
    assert len(after["goals"]) == len(before["goals"]) + 1
    assert after["goals"][-1]["description"] == "Exchange of young architects."


# --- One language ---------------------------------------------------------------------------------

ENGLISH_LABELS = [
    "Dossier",
    "Parties",
    "Contacts",
    "Goals",
    "Stage requests",
    "Timeline",
    "History",
    "Changed fields",
    "changed",
    "created",
    "from",
    "Stage changed",
    "system",
    "Approved",
    "Integrity code",
]
PERSIAN_LABELS = ["پرونده", "طرفین", "اهداف", "تاریخچه", "ایجاد شد", "تغییر کرد", "کد اصالت"]


def test_a_persian_reader_gets_a_persian_dossier(agreement):
    pdf = render_dossier(agreement, language="fa")
    text = text_of(pdf)
    for label in PERSIAN_LABELS:
        assert contains(text, label), label
    for label in ENGLISH_LABELS:
        assert not re.search(rf"\b{label}\b", text, re.IGNORECASE), label
    # The history's changes: the field's label, from … to …, "—" for empty.
    assert contains(text, "از — به")
    assert "→" not in text and "←" not in text and "∅" not in text
    # Jalali dates in Persian digits; no record or user ids.
    assert contains(text, "اردیبهشت")
    assert not re.search(r"#\s*[0-9۰-۹]", text)
    assert "Sara Ahmadi" in text and "Reza Karimi" in text


def test_an_english_reader_gets_an_english_dossier(agreement):
    pdf = render_dossier(agreement, language="en")
    text = text_of(pdf)
    for label in [
        "Dossier",
        "History",
        "Stage changed from MoU signing to Delegation exchanges",
        "created",
    ]:
        assert normalise(label) in text, label
    assert "summary: from Old summary to —" in text
    for label in PERSIAN_LABELS:
        assert not contains(text, label), label
    assert "→" not in text and "∅" not in text
    assert not re.search(r"#\s*\d", text)


# --- Bidi isolation ---------------------------------------------------------------------------------


def glyph_boxes(pdf: bytes, char: str) -> list[tuple[float, float]]:
    """(x, y) of every drawn `char`, page by page (pdfium)."""
    boxes = []
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            if textpage.get_text_range(index, 1) == char:
                left, bottom, _right, _top = textpage.get_charbox(index)
                boxes.append((left, bottom))
    return boxes


def test_a_typed_value_keeps_its_punctuation_on_a_persian_page(personas):
    """ "Qatar Week!" inside a Persian sentence (the history's "عنوان: از — به …")
    keeps its "!" after the words, to their right: without the isolate the
    exclamation mark, a neutral, takes the sentence's direction and moves left."""
    agreement = make_memorandum(personas).agreement
    agreement.title = ""
    agreement.save()
    agreement.title = "Qatar Week!"
    agreement.save()
    pdf = render_dossier(agreement, language="fa")
    marks, letters = glyph_boxes(pdf, "!"), glyph_boxes(pdf, "Q")
    assert len(marks) >= 2  # the facts table and the history
    for x, y in marks:
        same_line = [qx for qx, qy in letters if abs(qy - y) < 2]
        assert same_line and all(qx < x for qx in same_line), (x, y, letters)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_latin_name_with_brackets_copies_out_whole_on_a_persian_page(personas):
    """What poppler copies out of a Persian dossier: the Persian words in reading
    order and the Latin name whole. (Poppler reads a Persian page right to left
    and moves a bracket at the edge of a Latin run: "Dushanbe (Tajikistan" with
    its ")" before it; the glyphs themselves are in place: see the test above.)"""
    partner = CityFactory(name="Dushanbe (Tajikistan)", name_fa="", country="TJ")
    agreement = make_memorandum(personas).agreement
    agreement.partner_city = partner
    agreement.save()
    text = pdftotext(render_dossier(agreement, language="fa"))
    assert "Dushanbe (Tajikistan" in text
    assert normalise("پرونده") in text and normalise("تهران") in text
    assert contains(text, "برگزاری هفته فرهنگی در هر دو شهر هر سال")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_brackets_inside_the_other_directions_runs_copy_out_in_order(agreement):
    """An English note in a Persian dossier keeps its brackets in order (it is
    drawn in the left-to-right copy of the font), and each city's other name is on
    a line of its own, so no bracket of ours sits at the edge of a run."""
    agreement.summary = "Signed in May 2015 (Ordibehesht 1394) for trade"
    agreement.save()
    persian = pdftotext(render_dossier(agreement, language="fa"))
    assert "Signed in May 2015 (Ordibehesht 1394) for trade" in persian
    assert "Ordibehesht 1394(" not in persian and "()" not in persian
    english = pdftotext(render_dossier(agreement, language="en"))
    assert "Signed in May 2015 (Ordibehesht 1394) for trade" in english
    assert "()" not in english and ")" + normalise("تهران") not in english
    for text in (persian, english):
        assert "Tehran" in text and normalise("تهران") in text


def test_what_people_typed_is_isolated_in_every_table(agreement):
    with translation.override("fa"):
        context = dossier.dossier_context(agreement, "fa")
    contacts = next(s for s in context["sections"] if s.title == "دیدارها")
    participants = contacts.rows[0][1]["text"]
    assert participants == "\u2068Both mayors at the Asian Mayors Forum\u2069"
    assert context["partner"]["name"] == "\u2068دوشنبه\u2069"
    assert dossier.isolate("a\nb") == "\u2068a\u2069\n\u2068b\u2069"


# --- Fonts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_glyph_comes_from_a_bundled_embedded_font(agreement, language):
    pdf = render_dossier(agreement, language=language)
    fonts = font_names(pdf)
    assert fonts
    assert fonts <= bundled_font_names(), fonts - bundled_font_names()
    assert not any(re.search("DejaVu|Liberation", name) for name in fonts)
    assert unembedded_fonts(pdf) == set()


# --- Stored by the hash of what it shows -----------------------------------------------------------


def stored(agreement, language="fa") -> list[str]:
    folder = f"dossiers/{agreement.pk}"
    if not default_storage.exists(folder):
        return []
    return sorted(name for name in default_storage.listdir(folder)[1] if name.startswith(language))


def test_a_second_request_reads_the_stored_dossier(agreement, renders):
    first = render_dossier(agreement, language="fa")
    assert len(renders) == 1
    (name,) = stored(agreement)
    with default_storage.open(f"dossiers/{agreement.pk}/{name}", "rb") as handle:
        assert handle.read() == first
    second = render_dossier(agreement, language="fa")
    assert len(renders) == 1
    assert second == first


def test_any_change_renders_a_new_dossier_and_deletes_the_old(agreement, renders):
    render_dossier(agreement, language="fa")
    render_dossier(agreement, language="en")
    (old,) = stored(agreement)
    GoalFactory(agreement=agreement, description="Exchange of young architects.")
    pdf = render_dossier(agreement, language="fa")
    assert len(renders) == 3
    (new,) = stored(agreement)
    assert new != old
    assert contains(text_of(pdf), "Exchange of young architects.")
    assert len(stored(agreement, "en")) == 1  # the other language's is its own

    agreement.stage = "active"  # a stage change (a history row)
    agreement.save()
    render_dossier(agreement, language="fa")
    assert len(renders) == 4
    assert stored(agreement) not in ([old], [new])


def test_the_name_is_the_hash_of_the_data_layout_and_language(agreement):
    with dossier.translation.override("fa"):
        data = dossier.dossier_data(agreement, "fa")
    content_hash = dossier.dossier_hash(data, "fa")
    assert re.fullmatch("[0-9a-f]{64}", content_hash)
    assert dossier.dossier_hash(data, "en") != content_hash
    render_dossier(agreement, language="fa")
    assert stored(agreement) == [f"fa-{content_hash}.pdf"]


def test_two_requests_at_once_both_get_the_dossier(agreement, renders, monkeypatch):
    """The second finds the name taken after rendering: it keeps the first's
    file, leaves no copy behind and still answers."""
    first = render_dossier(agreement, language="fa")
    (name,) = stored(agreement)
    real_read, looked = dossier._read, []

    def missed_once(name):  # this request looked before the first had stored it
        looked.append(name)
        return None if len(looked) == 1 else real_read(name)

    monkeypatch.setattr(dossier, "_read", missed_once)
    second = render_dossier(agreement, language="fa")
    assert len(renders) == 2 and second.startswith(b"%PDF") and len(looked) == 2
    assert stored(agreement) == [name]
    with default_storage.open(f"dossiers/{agreement.pk}/{name}", "rb") as handle:
        assert handle.read() == first


def test_the_pages_serve_the_stored_dossier_to_those_who_may_see_it(
    client, personas, agreement, renders
):
    url = reverse("agreements:dossier-pdf", args=[agreement.pk])
    client.force_login(personas.viewer)
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(renders) == 1
    client.force_login(personas.isfahan_officer)
    assert client.get(url).status_code == 404
    assert len(renders) == 1


def test_a_half_written_stored_copy_is_not_served_but_replaced(agreement, renders):
    """A crash while writing leaves a short file under the final name: it is
    rendered again and the stored copy replaced."""
    pdf = render_dossier(agreement, language="fa")
    (name,) = stored(agreement)
    path = f"dossiers/{agreement.pk}/{name}"
    default_storage.delete(path)
    default_storage.save(path, ContentFile(pdf[: len(pdf) // 2]))
    again = render_dossier(agreement, language="fa")
    assert len(renders) == 2
    assert again.rstrip().endswith(b"%%EOF")
    assert stored(agreement) == [name]
    with default_storage.open(path, "rb") as handle:
        assert handle.read() == again


def test_a_deleted_user_is_named_as_such_not_by_id(personas, agreement):
    gone = UserFactory(first_name="Temp", last_name="Officer")
    agreement.responsible_officer = gone
    agreement.save()
    agreement.responsible_officer = personas.officer
    agreement.save()
    gone.delete()
    with translation.override("fa"):
        rows = dossier.dossier_data(agreement, "fa")["history"]
    changes = normalise(" ".join(line for row in rows for line in row["changes"]))
    assert normalise("کارشناس مسئول: از کاربر حذف‌شده به Sara Ahmadi") in changes
    assert str(gone.pk) not in changes
