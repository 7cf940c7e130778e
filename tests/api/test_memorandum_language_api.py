"""The memorandum's partner language over the API (PATCH .../memoranda/{id}/)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from tests.pdf_helpers import make_memorandum

pytestmark = pytest.mark.django_db


def test_partner_language_through_the_api(personas, client_for):
    memorandum = make_memorandum(personas)
    agreement = memorandum.agreement
    api = client_for(personas.officer)
    target = f"/api/v1/agreements/{agreement.pk}/memoranda/{memorandum.pk}/"
    refused = api.patch(
        target, {"partner_language": "xx", "version": memorandum.version}, format="json"
    )
    assert refused.status_code == 400
    memorandum.refresh_from_db()
    assert memorandum.partner_language == ""
    response = api.patch(
        target, {"partner_language": "ar", "version": memorandum.version}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["partner_language"] == "ar"
    subject = next(article for article in body["articles"] if article["key"] == "subject")
    with translation.override("ar"):
        assert subject["heading_partner"] == pgettext("memorandum article", "Subject")
