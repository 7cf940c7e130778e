from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from agreements.models import StageRequest
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    DocumentFactory,
    GoalFactory,
)
from tests.querycount import assert_same_query_count, captured

pytestmark = pytest.mark.django_db

URL = "/"


def ask(agreement, user, to_stage="goals") -> StageRequest:
    return StageRequest.objects.create(
        agreement=agreement, from_stage=agreement.stage, to_stage=to_stage, requested_by=user
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_without_role_sees_an_explanation_only(client, personas):
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Paris"))
    client.force_login(personas.outsider)
    response = client.get(URL)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Paris" not in body
    assert "stages" not in (response.context or {})


def test_post_is_not_allowed(client, personas):
    client.force_login(personas.viewer)
    assert client.post(URL).status_code == 405


def test_viewer_gets_the_dashboard_without_request_lists(client, personas):
    AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.viewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.context["is_approver"] and not response.context["is_officer"]
    assert response.context["total"] == 1


def test_stage_chart_counts_only_visible_agreements(client, personas):
    AgreementFactory(home_city=personas.tehran, stage="goals")
    AgreementFactory(home_city=personas.tehran, stage="goals")
    AgreementFactory(home_city=personas.isfahan, stage="legal")
    client.force_login(personas.viewer)
    response = client.get(URL)
    bars = {bar.href.split("=")[-1]: bar.value for bar in response.context["stages"].bars}
    assert bars["goals"] == 2 and bars["legal"] == 0 and bars["contact"] == 0
    body = response.content.decode()
    assert "<svg" in body and 'href="/agreements/?stage=goals"' in body


def test_partners_by_country_chart(client, personas):
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(country="FR"))
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(country="FR"))
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(country="JP"))
    AgreementFactory(home_city=personas.isfahan, partner_city=CityFactory(country="BR"))
    client.cookies["django_language"] = "en"
    client.force_login(personas.viewer)
    bars = client.get(URL).context["countries"].bars
    assert [(bar.label, bar.value) for bar in bars] == [("France", 2), ("Japan", 1)]
    assert bars[0].href == "/agreements/?partner_country=FR"


def test_approver_sees_requests_of_others_in_their_municipality(client, personas):
    by_officer = ask(AgreementFactory(home_city=personas.tehran), personas.officer)
    ask(AgreementFactory(home_city=personas.tehran), personas.approver)  # their own
    ask(AgreementFactory(home_city=personas.isfahan), personas.isfahan_officer)  # elsewhere
    client.force_login(personas.approver)
    response = client.get(URL)
    assert response.context["waiting"] == [by_officer]
    assert response.context["waiting_count"] == 1


def test_officer_sees_their_open_requests(client, personas):
    mine = ask(AgreementFactory(home_city=personas.tehran), personas.officer)
    ask(AgreementFactory(home_city=personas.tehran), personas.approver2)
    decided = ask(AgreementFactory(home_city=personas.tehran), personas.officer)
    decided.state = "withdrawn"
    decided.decided_at = timezone.now()
    decided.save()
    client.force_login(personas.officer)
    response = client.get(URL)
    assert response.context["mine"] == [mine]
    assert response.context["waiting"] == []  # officers approve nothing


def test_flag_sections_list_and_count(client, personas):
    today = timezone.localdate()
    stalled = AgreementFactory(
        home_city=personas.tehran,
        stage_changed_at=timezone.now() - datetime.timedelta(days=365),
    )
    expiring = AgreementFactory(
        home_city=personas.tehran,
        stage="active",
        status="active",
        signed_on=today - datetime.timedelta(days=300),
        expires_on=today + datetime.timedelta(days=10),
    )
    AgreementFactory(
        home_city=personas.isfahan,
        stage_changed_at=timezone.now() - datetime.timedelta(days=365),
    )
    client.force_login(personas.viewer)
    sections = {s["code"]: s for s in client.get(URL).context["flagged"]}
    assert sections["stalled"]["agreements"] == [stalled] and sections["stalled"]["count"] == 1
    assert sections["expiring"]["agreements"] == [expiring]
    assert sections["stalled"]["url"] == "/agreements/?flag=stalled"


def test_recent_changes_say_who_and_what_for_visible_agreements_only(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Porto"))
    agreement.stage = "goals"
    agreement._change_reason = "Council agreed"
    agreement.save()
    AgreementFactory(home_city=personas.isfahan, partner_city=CityFactory(name="Bergen"))
    client.cookies["django_language"] = "en"
    client.force_login(personas.viewer)
    response = client.get(URL)
    changes = response.context["changes"]
    assert [c["agreement_id"] for c in changes] == [agreement.pk, agreement.pk]
    assert changes[0]["changed"] == ["stage: Mayoral contact → Goal definition"]
    assert changes[0]["reason"] == "Council agreed"
    assert changes[1]["kind"] == "+"
    body = response.content.decode()
    assert "Bergen" not in body


def test_dashboard_query_count_does_not_grow_with_the_agreements(client, personas):
    client.force_login(personas.approver)
    old = timezone.now() - datetime.timedelta(days=400)

    def build(n):
        for _ in range(n):
            agreement = AgreementFactory(home_city=personas.tehran, stage_changed_at=old)
            GoalFactory(agreement=agreement)
            agreement.title = "changed"
            agreement.save()
            ask(agreement, personas.officer)

    def fetch():
        # Counted with the figures not cached, as after any change (agreements/figures.py).
        cache.clear()
        assert client.get(URL).status_code == 200

    build(3)
    fetch()
    small = captured(fetch)
    build(27)
    large = captured(fetch)
    assert_same_query_count(small, large)


def reject(stage_request, by, note="The minutes are missing", when=None):
    stage_request.state = "rejected"
    stage_request.decided_by = by
    stage_request.decision_note = note
    stage_request.decided_at = when or timezone.now()
    stage_request.save()
    return stage_request


def test_a_rejection_is_returned_to_the_officer_with_its_reason(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    rejected = reject(ask(agreement, personas.officer), personas.approver)
    long_ago = reject(
        ask(AgreementFactory(home_city=personas.tehran), personas.officer),
        personas.approver,
        when=timezone.now() - datetime.timedelta(days=40),
    )
    reject(ask(AgreementFactory(home_city=personas.tehran), personas.approver2), personas.approver)
    client.cookies["django_language"] = "en"
    client.force_login(personas.officer)
    response = client.get(URL)
    assert response.context["mine_count"] == 0
    assert response.context["returned"] == [rejected]
    assert long_ago not in response.context["returned"]
    body = response.content.decode()
    assert "Returned to you" in body
    assert "Why: The minutes are missing" in body
    assert f'href="/agreements/{agreement.pk}/#requests"' in body


def test_a_rejection_asked_again_is_no_longer_returned(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    reject(ask(agreement, personas.officer), personas.approver)
    again = ask(agreement, personas.officer)
    client.force_login(personas.officer)
    response = client.get(URL)
    assert response.context["returned"] == []
    assert response.context["mine"] == [again]


def test_the_returned_list_in_persian(client, personas):
    reject(ask(AgreementFactory(home_city=personas.tehran), personas.officer), personas.approver)
    client.cookies["django_language"] = "fa"
    client.force_login(personas.officer)
    body = client.get(URL).content.decode()
    assert "بازگشته به شما" in body and "Returned to you" not in body


def test_officer_waits_on_the_flagged_agreements_they_are_responsible_for(client, personas):
    old = timezone.now() - datetime.timedelta(days=400)
    mine = AgreementFactory(
        home_city=personas.tehran, responsible_officer=personas.officer, stage_changed_at=old
    )
    AgreementFactory(home_city=personas.tehran, responsible_officer=personas.officer)  # lively
    AgreementFactory(home_city=personas.tehran, stage_changed_at=old)  # nobody's
    client.cookies["django_language"] = "en"
    client.force_login(personas.officer)
    response = client.get(URL)
    assert response.context["attention"] == [mine]
    assert response.context["attention"][0].flag_stalled
    assert "Waiting for you" in response.content.decode()


def test_recent_changes_cover_every_kind_of_record(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Porto"))
    contact = ContactFactory(agreement=agreement, participants="Both mayors")
    contact.participants = "Both mayors and the council"
    contact.save()
    GoalFactory(agreement=agreement)
    document = DocumentFactory(agreement=agreement)
    elsewhere = AgreementFactory(
        home_city=personas.isfahan, partner_city=CityFactory(name="Bergen")
    )
    ContactFactory(agreement=elsewhere)
    client.cookies["django_language"] = "en"
    client.force_login(personas.viewer)
    response = client.get(URL)
    changes = response.context["changes"]
    assert {c["agreement_id"] for c in changes} == {agreement.pk}
    by_source = {(c["source"], c["kind"]) for c in changes}
    assert {("contacts", "~"), ("contacts", "+"), ("goals", "+"), ("documents", "+")} <= by_source
    (changed_contact,) = [c for c in changes if c["source"] == "contacts" and c["kind"] == "~"]
    assert changed_contact["what"] == "Contact"
    assert changed_contact["changed"] == ["Participants"]
    assert changes[0]["record"].history_date >= changes[-1]["record"].history_date
    body = response.content.decode()
    assert "Bergen" not in body and "Porto" in body
    assert document.pk  # created through the factory, with its history row


def test_officer_dashboard_query_count_does_not_grow(client, personas):
    client.force_login(personas.officer)
    old = timezone.now() - datetime.timedelta(days=400)

    def build(n):
        for _ in range(n):
            agreement = AgreementFactory(
                home_city=personas.tehran,
                responsible_officer=personas.officer,
                stage_changed_at=old,
            )
            contact = ContactFactory(agreement=agreement)
            contact.participants = "changed"
            contact.save()
            DocumentFactory(agreement=agreement)
            reject(ask(agreement, personas.officer), personas.approver)

    def fetch():
        cache.clear()
        assert client.get(URL).status_code == 200

    build(2)
    fetch()
    small = captured(fetch)
    build(25)
    large = captured(fetch)
    assert_same_query_count(small, large)
