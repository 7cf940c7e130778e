"""The agreement page loads its history when it scrolls into view, in its own request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory
from tests.querycount import captured

pytestmark = pytest.mark.django_db


def test_agreement_page_asks_for_its_history_separately(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.viewer)
    history_url = reverse("agreements:history", args=[agreement.pk])
    queries = captured(lambda: client.get(reverse("agreements:detail", args=[agreement.pk])))
    response = client.get(reverse("agreements:detail", args=[agreement.pk]))
    html = response.content.decode()
    assert response.context["history"] is None
    assert f'hx-get="{history_url}" hx-trigger="revealed"' in html
    assert f'<a href="{history_url}">' in html  # without JavaScript
    assert not any("historicalcontact" in sql for sql in queries)
    fragment = client.get(history_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<section class="card mb-3" id="history"')
    assert len(fragment.context["history"]) == 1


def test_history_page_parameter_still_renders_it_inline(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:detail", args=[agreement.pk]), {"history_page": 1})
    assert len(response.context["history"]) == 1
    assert 'hx-trigger="revealed"' not in response.content.decode()
