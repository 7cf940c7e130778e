"""The partner's review link: created, opened without an account, commented on,
confirmed; outdated after a change; expired, revoked and unknown tokens are 404 and
rate-limited; nothing else of the product is reachable from it."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from agreements import services
from agreements.models import PartnerComment, PartnerConfirmation, PartnerLink
from agreements.pdf import memorandum_content_hash
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def _csrf(client: Client) -> str:
    return client.cookies["csrftoken"].value


def _open(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response


def _comment(client, path, article_id, body="Please say “cultural heritage” in article 2."):
    return client.post(
        f"{path}comment/",
        {
            "csrfmiddlewaretoken": _csrf(client),
            "article": article_id,
            "name": "Layla Haddad",
            "email": "layla@example.org",
            "body": body,
        },
    )


def _confirm(client, path, content_hash):
    return client.post(
        f"{path}confirm/",
        {
            "csrfmiddlewaretoken": _csrf(client),
            "content_hash": content_hash,
            "name": "Layla Haddad",
            "title": "Director",
            "email": "layla@example.org",
        },
    )


def test_the_token_is_unguessable_and_only_its_hash_is_stored(link):
    row, token, _path = link
    assert len(token) >= 43
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not PartnerLink.objects.filter(token_hash=token).exists()
    assert all(token not in str(h.__dict__) for h in row.history.all())
    assert row.expires_at - timezone.now() > datetime.timedelta(days=29)


def test_the_page_opens_without_an_account_and_creates_no_session(link, draft, partner_client):
    _row, _token, path = link
    response = _open(partner_client, path)
    html = response.content.decode()
    assert "sessionid" not in response.cookies
    assert "csrftoken" in partner_client.cookies
    # The memorandum in English, Arabic (right to left) and Persian, with its code.
    assert 'lang="ar" dir="rtl"' in html and 'lang="fa" dir="rtl"' in html
    assert 'lang="en" dir="ltr"' in html
    code = memorandum_content_hash(draft)[:12]
    assert code in html
    article = draft.articles.order_by("position").first()
    assert article.heading_en in html and article.heading_fa in html
    assert article.body_partner and article.body_partner.splitlines()[0] in html
    # The same Content-Security-Policy as every page; the token is not passed on.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_no_link_leads_anywhere_else(link, partner_client):
    _row, token, path = link
    html = _open(partner_client, path).content.decode()
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all(href.startswith("/static/") for href in hrefs), hrefs
    actions = re.findall(r'action="([^"]+)"', html)
    assert actions and all(a.startswith(f"/partner/{token}/") for a in actions), actions


def test_comment_and_confirm_are_history_rows_and_tell_the_officer(
    personas, link, draft, partner_client, django_capture_on_commit_callbacks
):
    row, _token, path = link
    _open(partner_client, path)
    article = draft.articles.order_by("position").first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(partner_client, path, article.pk)
    assert response.status_code == 302
    comment = PartnerComment.objects.get()
    assert comment.article == article and comment.link == row
    assert comment.history.count() == 1
    assert "partner_commented" in comment.history.get().history_change_reason
    assert [m.to for m in mail.outbox] == [[personas.officer.email]]
    assert "Layla Haddad" in mail.outbox[0].body
    assert "cultural heritage" in mail.outbox[0].body
    assert f"/memoranda/{draft.pk}/edit/#partner-review" in mail.outbox[0].body

    page = _open(partner_client, f"{path}?done=comment").content.decode()
    assert "cultural heritage" in page

    current = memorandum_content_hash(draft)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(partner_client, path, current)
    assert response.status_code == 302
    confirmation = PartnerConfirmation.objects.get()
    assert confirmation.content_hash == current
    assert confirmation.history.count() == 1
    assert [m.to for m in mail.outbox] == [[personas.officer.email]]
    assert current[:12] in mail.outbox[0].body
    assert "sessionid" not in partner_client.cookies


def test_a_confirmation_for_another_text_is_refused(link, draft, partner_client):
    _row, _token, path = link
    _open(partner_client, path)
    response = _confirm(partner_client, path, "0" * 64)
    assert response.status_code == 409
    assert "has changed since this page was opened" in response.content.decode()
    assert not PartnerConfirmation.objects.exists()


def test_a_change_of_the_text_outdates_the_confirmation(personas, link, draft, partner_client):
    _row, _token, path = link
    _open(partner_client, path)
    assert _confirm(partner_client, path, memorandum_content_hash(draft)).status_code == 302
    assert "confirmation-current" in _open(partner_client, path).content.decode()
    article = draft.articles.order_by("position").first()
    article.body_en = article.body_en + " Amended."
    services.save_record(record=article, by=personas.officer)
    html = _open(partner_client, path).content.decode()
    assert "confirmation-outdated" in html
    officer = Client()
    officer.force_login(personas.officer)
    page = officer.get(
        f"/agreements/{draft.agreement_id}/memoranda/{draft.pk}/edit/"
    ).content.decode()
    assert "partner-confirmation-outdated" in page


def test_expired_revoked_and_unknown_tokens_are_404(personas, link, draft, partner_client):
    row, token, path = link
    assert partner_client.get("/partner/not-a-token/").status_code == 404
    row.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    row.save()
    assert partner_client.get(path).status_code == 404
    fresh, fresh_token = services.create_partner_link(memorandum=draft, by=personas.officer)
    assert partner_client.get(f"/partner/{fresh_token}/").status_code == 200
    services.revoke_partner_link(link=fresh, by=personas.officer)
    assert partner_client.get(f"/partner/{fresh_token}/").status_code == 404
    assert fresh.history.count() == 2  # created, revoked
    # A revoked link takes no comment either.
    response = Client().post(f"/partner/{fresh_token}/comment/", {"name": "x", "body": "y"})
    assert response.status_code == 404


def test_unknown_tokens_are_rate_limited_per_address(settings, link, partner_client):
    settings.PARTNER_BAD_TOKENS_PER_MINUTE = 3
    _row, _token, path = link
    for attempt in range(3):
        assert partner_client.get(f"/partner/guess{attempt}/").status_code == 404
    blocked = partner_client.get("/partner/guess-again/")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) >= 1
    # ...also for the real token, from that address, for the rest of the minute.
    assert partner_client.get(path).status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.get(path).status_code == 200


def test_the_partner_forms_need_their_csrf_token(link, draft, partner_client):
    _row, _token, path = link
    _open(partner_client, path)
    article = draft.articles.first()
    response = partner_client.post(
        f"{path}comment/", {"article": article.pk, "name": "A", "body": "B"}
    )
    assert response.status_code == 403
    response = partner_client.post(
        f"{path}confirm/",
        {"content_hash": memorandum_content_hash(draft), "name": "A", "email": "a@example.org"},
    )
    assert response.status_code == 403
    assert not PartnerComment.objects.exists() and not PartnerConfirmation.objects.exists()


def test_the_link_shows_its_memorandum_only(personas, link, draft, partner_client):
    _row, token, path = link
    other = services.new_memorandum(
        agreement=AgreementFactory(home_city=personas.tehran), by=personas.officer
    )
    _open(partner_client, path)
    # An article of another memorandum is refused; nothing is stored.
    response = _comment(partner_client, path, other.articles.first().pk)
    assert response.status_code == 400
    assert not PartnerComment.objects.exists()
    # Other URLs with the token, and the product's pages, are not reachable.
    for url in [
        f"/partner/{token}/{other.pk}/",
        f"/partner/{token}/../agreements/",
        f"/partner/{token}/pdf/",
        f"/agreements/{draft.agreement_id}/",
        f"/api/v1/memoranda/{draft.pk}/",
    ]:
        response = partner_client.get(url)
        assert response.status_code in (302, 401, 403, 404), (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    # GET on the forms is not allowed.
    assert partner_client.get(f"{path}comment/").status_code == 405


def test_a_frozen_memorandum_takes_no_comment(personas, link, draft, partner_client):
    _row, _token, path = link
    _open(partner_client, path)
    draft.frozen_at = timezone.now()
    draft.save()
    html = _open(partner_client, path).content.decode()
    assert "This text is final" in html and 'action="' not in html
    response = _comment(partner_client, path, draft.articles.first().pk)
    assert response.status_code == 409
    assert not PartnerComment.objects.exists()


def test_a_frozen_memorandum_gets_no_new_link(personas, draft):
    draft.frozen_at = timezone.now()
    draft.save()
    with pytest.raises(services.WorkflowError):
        services.create_partner_link(memorandum=draft, by=personas.officer)


def test_viewers_and_other_municipalities_cannot_create_links(personas, draft):
    with pytest.raises(services.Forbidden):
        services.create_partner_link(memorandum=draft, by=personas.viewer)
    with pytest.raises(services.Forbidden):
        services.create_partner_link(memorandum=draft, by=personas.isfahan_officer)
