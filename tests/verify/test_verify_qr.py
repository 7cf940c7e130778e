"""The QR code on every page of a signed memorandum, read back from the PDF.

A memorandum is frozen the real way (services.freeze_memorandum renders and
stores its PDF); each page is rasterised with poppler's pdftoppm at 150 dpi and
decoded with zxing-cpp: every page carries the QR code of the memorandum's own
verify address, which answers for that memorandum. A draft has none. The QR code
comes from the integrity code, never the other way round: the content hash does
not depend on SITE_URL or on the QR code."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from agreements import services
from agreements.pdf import memorandum_content_hash, render_memorandum
from agreements.selectors.verification import verify_url
from tests.pdf_helpers import make_memorandum

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed"),
]
zxingcpp = pytest.importorskip("zxingcpp")


def qr_codes_per_page(pdf: bytes, dpi: int = 150) -> list[list[str]]:
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "memorandum.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(path), str(Path(folder) / "page")],
            check=True,
        )
        pages = sorted(Path(folder).glob("page-*.png"))
        found = []
        for page in pages:
            with Image.open(page) as image:
                found.append(
                    [
                        barcode.text
                        for barcode in zxingcpp.read_barcodes(image)
                        if barcode.format == zxingcpp.BarcodeFormat.QRCode
                    ]
                )
        return found


def test_every_page_of_a_signed_memorandum_carries_its_verify_qr_code(personas):
    memorandum = make_memorandum(personas)
    frozen = services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    code = frozen.content_sha256[:12]
    expected = verify_url(code)
    assert expected.endswith(f"/verify/{code}/")
    pdf = render_memorandum(frozen)  # the stored file
    pages = qr_codes_per_page(pdf)
    assert len(pages) >= 2
    assert pages == [[expected]] * len(pages)
    # The address answers for this memorandum, to anyone.
    response = Client().get(urlsplit(expected).path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["pdf_sha256"] == frozen.pdf_sha256
    assert response.json()["content_sha256"] == frozen.content_sha256


def test_a_draft_has_no_qr_code(personas):
    memorandum = make_memorandum(personas)
    pages = qr_codes_per_page(render_memorandum(memorandum, use_cache=False))
    assert pages and all(found == [] for found in pages)


def test_the_integrity_code_does_not_depend_on_the_qr_code(personas, settings):
    memorandum = make_memorandum(personas)
    content_hash = memorandum_content_hash(memorandum)
    settings.SITE_URL = "https://first.example.org"
    first = render_memorandum(memorandum, draft=False, use_cache=False)
    settings.SITE_URL = "https://second.example.org"
    second = render_memorandum(memorandum, draft=False, use_cache=False)
    assert first != second
    assert qr_codes_per_page(second)[0] == [
        f"https://second.example.org/verify/{content_hash[:12]}/"
    ]
    assert memorandum_content_hash(memorandum) == content_hash
    frozen = services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    assert frozen.content_sha256 == content_hash
