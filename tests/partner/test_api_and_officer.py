"""The API of the partner's review (counterparts, links, the memorandum's
partner_confirmation), the officer's memorandum page (links, replies), and the
home municipality's rule "freezing requires a current partner confirmation"."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from agreements import services
from agreements.models import (
    Counterpart,
    MunicipalitySettings,
    PartnerComment,
    PartnerLink,
    Stage,
)
from agreements.pdf import memorandum_content_hash
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def _links(memorandum) -> str:
    return f"/api/v1/memoranda/{memorandum.pk}/partner-links/"


def test_counterparts_through_the_api(personas, draft, api_for):
    url = f"/api/v1/agreements/{draft.agreement_id}/counterparts/"
    officer = api_for(personas.officer)
    created = officer.post(
        url,
        {
            "name": "Omar Khalil",
            "title": "Deputy Mayor",
            "email": "omar@example.org",
            "phone": "+961 1 234 567",
            "language": "ar",
            "office": "City Hall",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    counterpart = Counterpart.objects.get(pk=created.json()["id"])
    assert counterpart.history.count() == 1
    assert api_for(personas.viewer).get(url).json()["results"][0]["name"] == "Omar Khalil"
    assert api_for(personas.viewer).post(url, {"name": "X"}, format="json").status_code == 403
    assert api_for(personas.isfahan_officer).get(url).status_code == 404
    bad = officer.post(url, {"name": "A\nB"}, format="json")
    assert bad.status_code == 400


def test_create_a_link_through_the_api(personas, draft, counterpart, api_for):
    response = api_for(personas.officer).post(
        _links(draft), {"counterpart": counterpart.pk, "days": 7}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "url", "expires_at"}
    token = body["url"].rstrip("/").rsplit("/", 1)[1]
    link = PartnerLink.objects.get(pk=body["id"])
    assert link.counterpart == counterpart
    assert (link.expires_at - timezone.now()).days in (6, 7)
    assert Client().get(f"/partner/{token}/").status_code == 200
    listed = api_for(personas.viewer).get(_links(draft)).json()["results"]
    assert [row["id"] for row in listed] == [link.pk]
    assert "token" not in str(listed) and token not in str(listed)


def test_links_permissions(personas, draft, api_for):
    assert api_for(personas.viewer).post(_links(draft), {}, format="json").status_code == 403
    assert (
        api_for(personas.isfahan_officer).post(_links(draft), {}, format="json").status_code == 404
    )
    assert api_for(personas.isfahan_officer).get(_links(draft)).status_code == 404
    assert api_for(personas.outsider).get(_links(draft)).status_code == 403
    assert api_for(None).post(_links(draft), {}, format="json").status_code == 401
    assert not PartnerLink.objects.exists()


def test_a_counterpart_of_another_agreement_is_refused(personas, draft, api_for):
    other = services.save_record(
        record=Counterpart(agreement=AgreementFactory(home_city=personas.tehran), name="Z"),
        by=personas.officer,
    )
    response = api_for(personas.officer).post(
        _links(draft), {"counterpart": other.pk}, format="json"
    )
    assert response.status_code == 400


def test_revoke_through_the_api(personas, draft, link, api_for):
    row, token, path = link
    url = f"{_links(draft)}{row.pk}/"
    assert api_for(personas.viewer).delete(url).status_code == 403
    assert api_for(personas.officer).delete(url).status_code == 204
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == personas.officer
    assert Client().get(path).status_code == 404


def test_a_frozen_memorandum_gets_no_link(personas, draft, api_for):
    draft.frozen_at = timezone.now()
    draft.save()
    response = api_for(personas.officer).post(_links(draft), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "frozen"


def test_the_memorandum_shows_its_partner_confirmation(personas, draft, link, api_for):
    url = f"/api/v1/memoranda/{draft.pk}/"
    viewer = api_for(personas.viewer)
    assert viewer.get(url).json()["partner_confirmation"] is None
    row, _token, _path = link
    current = memorandum_content_hash(draft)
    services.confirm_partner_text(
        link=row,
        name="Layla Haddad",
        title="Director",
        email="layla@example.org",
        content_hash=current,
    )
    confirmation = viewer.get(url).json()["partner_confirmation"]
    assert confirmation["name"] == "Layla Haddad"
    assert confirmation["content_hash"] == current
    assert confirmation["outdated"] is False
    draft.place = "Isfahan"
    services.save_record(record=draft, by=personas.officer)
    assert viewer.get(url).json()["partner_confirmation"]["outdated"] is True
    assert api_for(personas.isfahan_officer).get(url).status_code == 404


def test_the_officer_creates_and_revokes_a_link_on_the_page(personas, draft, counterpart):
    client = Client()
    client.force_login(personas.officer)
    base = f"/agreements/{draft.agreement_id}/memoranda/{draft.pk}"
    page = client.get(f"{base}/edit/")
    assert page.status_code == 200 and b'id="partner-review"' in page.content
    response = client.post(
        f"{base}/partner-links/new/", {"counterpart": counterpart.pk, "days": 30}
    )
    assert response.status_code == 200
    url = response.context["url"]
    assert "/partner/" in url and url.encode() in response.content
    link = PartnerLink.objects.get()
    assert Client().get(url.split("testserver", 1)[1]).status_code == 200
    response = client.post(f"{base}/partner-links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.is_revoked
    assert client.get(f"{base}/partner-links/new/").status_code == 405
    viewer = Client()
    viewer.force_login(personas.viewer)
    assert viewer.post(f"{base}/partner-links/new/", {"days": 30}).status_code == 403
    other = Client()
    other.force_login(personas.isfahan_officer)
    assert other.post(f"{base}/partner-links/new/", {"days": 30}).status_code == 404
    assert PartnerLink.objects.count() == 1


def test_the_officer_replies_and_the_partner_reads_it(personas, draft, link):
    row, _token, path = link
    article = draft.articles.first()
    comment = services.add_partner_comment(
        link=row, name="Layla", body="A question on this article.", article_id=article.pk
    )
    client = Client()
    client.force_login(personas.officer)
    base = f"/agreements/{draft.agreement_id}/memoranda/{draft.pk}"
    assert b"A question on this article." in client.get(f"{base}/edit/").content
    response = client.post(
        f"{base}/partner-comments/{comment.pk}/reply/", {"reply": "We will reword it."}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.reply == "We will reword it." and comment.replied_by == personas.officer
    assert comment.history.count() == 2
    assert "We will reword it." in Client().get(path).content.decode()
    viewer = Client()
    viewer.force_login(personas.viewer)
    response = viewer.post(f"{base}/partner-comments/{comment.pk}/reply/", {"reply": "No"})
    assert response.status_code == 403
    assert PartnerComment.objects.get().reply == "We will reword it."


def test_the_counterparts_section_on_the_agreement_page(personas, draft, counterpart):
    client = Client()
    client.force_login(personas.officer)
    page = client.get(f"/agreements/{draft.agreement_id}/").content.decode()
    assert 'id="section-counterparts"' in page and "Layla Haddad" in page
    response = client.post(
        f"/agreements/{draft.agreement_id}/counterparts/new/",
        {"name": "Sami Nasser", "email": "not an address"},
    )
    assert response.status_code == 200
    assert not Counterpart.objects.filter(name="Sami Nasser").exists()
    response = client.post(
        f"/agreements/{draft.agreement_id}/counterparts/new/",
        {"name": "Sami Nasser", "email": "sami@example.org", "language": "ar"},
    )
    assert response.status_code == 302
    assert Counterpart.objects.filter(name="Sami Nasser").exists()


# --- Freezing requires a current partner confirmation (the municipality's setting) ---


@pytest.fixture
def at_signing(personas, draft):
    agreement = draft.agreement
    agreement.stage = Stage.SIGNING
    agreement.save()
    draft.signed_on = datetime.date(2025, 3, 1)
    draft.home_signatory_name = "Home Mayor"
    draft.partner_signatory_name = "Partner Mayor"
    draft = services.save_record(record=draft, by=personas.officer)
    MunicipalitySettings.objects.update_or_create(
        city=personas.tehran, defaults={"partner_confirmation_required": True}
    )
    return draft


def test_freezing_waits_for_a_current_confirmation(personas, at_signing, link):
    draft = at_signing
    with pytest.raises(services.WorkflowError) as refused:
        services.freeze_memorandum(memorandum=draft, by=personas.officer)
    assert refused.value.code == "partner_confirmation_missing"
    assert "confirmed its current text" in refused.value.message
    row, _token, _path = link
    services.confirm_partner_text(
        link=row,
        name="Layla",
        email="layla@example.org",
        content_hash=memorandum_content_hash(draft),
    )
    # A change after the confirmation: outdated, refused again.
    draft.place = "Shiraz"
    draft = services.save_record(record=draft, by=personas.officer)
    with pytest.raises(services.WorkflowError):
        services.freeze_memorandum(memorandum=draft, by=personas.officer)
    services.confirm_partner_text(
        link=row,
        name="Layla",
        email="layla@example.org",
        content_hash=memorandum_content_hash(draft),
    )
    frozen = services.freeze_memorandum(memorandum=draft, by=personas.officer)
    assert frozen.is_frozen


def test_without_the_setting_freezing_needs_no_confirmation(personas, at_signing):
    MunicipalitySettings.objects.filter(city=personas.tehran).delete()
    assert services.freeze_memorandum(memorandum=at_signing, by=personas.officer).is_frozen
