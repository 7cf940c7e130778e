"""Bulk export of the signed memoranda of the filtered list: a streamed ZIP."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from agreements.models import Document
from agreements.pdf import freeze_pdf
from tests.factories import AgreementFactory, MemorandumFactory

pytestmark = pytest.mark.django_db


def _signed(agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    scan = Document(agreement=agreement, memorandum=memorandum, kind="signed_mou")
    scan.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
    scan.sha256 = hashlib.sha256(b"%PDF-1.4 scan").hexdigest()
    scan.save()
    return memorandum


def test_bulk_export_streams_the_filtered_visible_signed_memoranda(client, personas):
    kept = AgreementFactory(home_city=personas.tehran, kind="sister")
    _signed(kept)
    other_kind = AgreementFactory(home_city=personas.tehran, kind="friendship")
    _signed(other_kind)
    AgreementFactory(home_city=personas.tehran, kind="sister")  # nothing signed
    isfahan = AgreementFactory(home_city=personas.isfahan, kind="sister")
    _signed(isfahan)
    client.force_login(personas.viewer)

    response = client.get("/agreements/signed-memoranda.zip?kind=sister")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert len(folders) == 1  # only the Tehran sister-city agreement with a frozen memorandum
    assert any(kept.partner_city.name in " ".join(row.values()) for row in manifest)
    assert not any(isfahan.partner_city.name in " ".join(row.values()) for row in manifest)
    assert not any(other_kind.partner_city.name in " ".join(row.values()) for row in manifest)


def test_bulk_export_refuses_invalid_filters(client, personas):
    client.force_login(personas.viewer)
    response = client.get("/agreements/signed-memoranda.zip?stage=nonsense")
    assert response.status_code == 400
