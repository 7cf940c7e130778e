"""Reading generated PDFs back in tests: text, attachments, fonts, metadata.

WeasyPrint writes glyphs in display order, so extracted Persian loses zero-width
non-joiners, may split ligatures and mirrors brackets. normalise() makes both
sides comparable (docs: /work/shared/docs/PDF-NOTES.md).
"""

from __future__ import annotations

import ctypes
import datetime
import re
import unicodedata
import zlib

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from agreements.memoranda import add_default_articles
from tests.factories import (
    AgreementFactory,
    CityFactory,
    CommonalityFactory,
    GoalFactory,
    MemorandumFactory,
    MemorandumOfficialFactory,
)

_DROP = dict.fromkeys(
    [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # direction marks
    + [0x200B, 0x200C, 0x200D, 0xFEFF]  # zero-width characters
    + [0x0654, 0x0655]  # hamza marks
)
_PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DROP).translate(_PERSIAN_LETTERS)
    text = text.replace("لا", "ال")
    return re.sub(r"\s+", " ", text).strip()


def contains(text: str, phrase: str) -> bool:
    """`phrase` in `text` (both normalised), in logical order or, for a phrase
    inside a mixed-direction line that the extractor returns in visual order,
    with its words reversed."""
    text, phrase = normalise(text), normalise(phrase)
    return phrase in text or " ".join(reversed(phrase.split())) in text


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in document]


def text_of(pdf: bytes) -> str:
    return normalise(" ".join(page_texts(pdf)))


def attachments(pdf: bytes) -> dict[str, bytes]:
    document = pdfium.PdfDocument(pdf)
    found = {}
    for index in range(document.count_attachments()):
        attachment = document.get_attachment(index)
        found[attachment.get_name()] = bytes(attachment.get_data())
    return found


def font_names(pdf: bytes) -> set[str]:
    """The font of every character drawn, without the subset prefix (ABCDEF+)."""
    document = pdfium.PdfDocument(pdf)
    names = set()
    for page in document:
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            buffer = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            if pdfium_raw.FPDFText_GetFontInfo(
                textpage.raw, index, buffer, 256, ctypes.byref(flags)
            ):
                names.add(buffer.value.decode().split("+")[-1])
    return names


def catalog_language(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    size = pdfium_raw.FPDFCatalog_GetLanguage(document.raw, None, 0)
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_raw.FPDFCatalog_GetLanguage(document.raw, buffer, size)
    return bytes(buffer).decode("utf-16-le").rstrip("\x00")


def metadata(pdf: bytes) -> dict[str, str]:
    return pdfium.PdfDocument(pdf).get_metadata_dict()


def decompressed_streams(pdf: bytes) -> list[bytes]:
    """Every Flate stream of the file, decompressed (to find the XMP metadata)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            streams.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return streams


# The officials present make_memorandum records, one on each side.
OFFICIALS = {
    "home": {
        "name": "Mohammad Ali Shahidi",
        "name_fa": "محمدعلی شهیدی",
        "title": "Director-General for International Affairs",
        "title_fa": "مدیرکل امور بین‌الملل",
    },
    "partner": {
        "name": "Nizom Hakimov",
        "name_fa": "نظام حکیم‌اف",
        "title": "Ambassador of Tajikistan",
        "title_fa": "سفیر تاجیکستان",
    },
}


def make_memorandum(personas, *, officials: bool = True, **fields):
    """The Tehran–Dushanbe sister-city memorandum of the demo data, signed on
    1 December 2026 (10 Azar 1405), with its default articles and (unless
    officials=False) one official present on each side (OFFICIALS)."""
    dushanbe = CityFactory(name="Dushanbe", name_fa="دوشنبه", country="TJ")
    agreement = AgreementFactory(
        home_city=personas.tehran,
        partner_city=dushanbe,
        kind="sister",
        stage="signing",
        title="Tehran–Dushanbe sister cities",
    )
    GoalFactory(
        agreement=agreement,
        sector="culture",
        description="Hold a cultural week in each city every year.",
        description_fa="برگزاری هفته فرهنگی در هر دو شهر هر سال.",
    )
    CommonalityFactory(
        agreement=agreement,
        kind="cultural",
        description="Shared Persianate literary heritage and Nowruz.",
        description_fa="میراث ادبی مشترک فارسی و نوروز.",
    )
    values = {
        "agreement": agreement,
        "kind": "sister",
        "signed_on": datetime.date(2026, 12, 1),
        "place": "Tehran",
        "place_fa": "تهران",
        "home_signatory_name": "Alireza Zakani",
        "home_signatory_name_fa": "علیرضا زاکانی",
        "home_signatory_title": "Mayor of Tehran",
        "home_signatory_title_fa": "شهردار تهران",
        "partner_signatory_name": "Rustam Emomali",
        "partner_signatory_name_fa": "رستم امامعلی",
        "partner_signatory_title": "Mayor of Dushanbe",
        "partner_signatory_title_fa": "شهردار دوشنبه",
        **fields,
    }
    memorandum = MemorandumFactory(**values, officials=False)
    add_default_articles(memorandum)
    if officials:
        for side, names in OFFICIALS.items():
            MemorandumOfficialFactory(memorandum=memorandum, side=side, position=1, **names)
    return memorandum


def bundled_font_names() -> set[str]:
    """The names a font of static/vendor may carry in a PDF: its PostScript name,
    its family and its full name (with and without spaces)."""
    from pathlib import Path

    from django.conf import settings
    from fontTools.ttLib import TTFont

    names = set()
    for path in (Path(settings.BASE_DIR) / "static" / "vendor").rglob("*.[ot]tf"):
        table = TTFont(path, lazy=True)["name"]
        for name_id in (1, 4, 6):
            name = table.getDebugName(name_id)
            if name:
                names.update({name, name.replace(" ", "")})
    # A family our PDF stylesheets declare over one of those files (its name in
    # the PDF is the family's, e.g. "Vazirmatn-RTL"): only a bundled file can be
    # behind it, as the URL fetcher serves nothing else.
    for path in (Path(settings.BASE_DIR) / "static" / "css").glob("pdf*.css"):
        for family in re.findall(
            r'@font-face\s*{[^}]*font-family:\s*"([^"]+)"', path.read_text(encoding="utf-8")
        ):
            dashed = family.replace(" ", "-")
            names.update({family, dashed, f"{dashed}-Bold"})
    return names


def unembedded_fonts(pdf: bytes) -> set[str]:
    """The fonts of the drawn text whose program is not in the file (no
    FontFile, FontFile2 or FontFile3 in their descriptor)."""
    document = pdfium.PdfDocument(pdf)
    missing = set()
    for page in document:
        for item in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_raw.FPDFTextObj_GetFont(item.raw)
            if font and not pdfium_raw.FPDFFont_GetIsEmbedded(font):
                size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pdfium_raw.FPDFFont_GetBaseFontName(font, buffer, size)
                missing.add(buffer.value.decode())
    return missing


def xmp_of(pdf: bytes) -> bytes:
    """The XMP metadata stream(s) of the file (pdfaid:part, pdfaid:conformance)."""
    return b"".join(stream for stream in decompressed_streams(pdf) if b"pdfaid" in stream)


def pdftotext(pdf: bytes) -> str:
    """Poppler's text of the file (what a reader copies out), normalised."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        )
    return normalise(result.stdout)
