"""Officials present: /api/v1/agreements/{id}/memoranda/{memorandum_id}/officials/[{id}/]."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agreements.models import MemorandumOfficial, Stage
from tests.factories import AgreementFactory, MemorandumFactory, MemorandumOfficialFactory
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def memorandum(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    return MemorandumFactory(agreement=agreement, officials=False)


def url(memorandum, official_id: int | None = None) -> str:
    base = f"/api/v1/agreements/{memorandum.agreement_id}/memoranda/{memorandum.pk}/officials/"
    return f"{base}{official_id}/" if official_id else base


PAYLOAD = {
    "side": "partner",
    "position": 1,
    "name": "Nizom Hakimov",
    "name_fa": "نظام حکیم‌اف",
    "title": "Ambassador",
    "title_fa": "سفیر",
}


def test_create_list_read_update_delete(personas, memorandum, client_for):
    api = client_for(personas.officer)
    created = api.post(url(memorandum), PAYLOAD, format="json")
    assert created.status_code == 201, created.json()
    assert created["Location"].endswith(url(memorandum, created.json()["id"]))
    official = MemorandumOfficial.objects.get(pk=created.json()["id"])
    assert official.memorandum == memorandum
    assert {name: created.json()[name] for name in PAYLOAD} == PAYLOAD
    history = official.history.latest("history_date")
    assert history.history_user == personas.officer and history.history_change_reason

    listed = api.get(url(memorandum)).json()
    assert [row["id"] for row in listed["results"]] == [official.pk]
    read = api.get(url(memorandum, official.pk))
    assert read.json()["name"] == "Nizom Hakimov"
    # The memorandum shows its officials, read-only; the free text is gone.
    shown = api.get(
        f"/api/v1/agreements/{memorandum.agreement_id}/memoranda/{memorandum.pk}/"
    ).json()
    assert [row["name"] for row in shown["officials"]] == ["Nizom Hakimov"]
    assert "officials_present" not in shown

    updated = api.patch(
        url(memorandum, official.pk), {"title": "Envoy"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert updated.status_code == 200, updated.json()
    official.refresh_from_db()
    assert official.title == "Envoy"
    # The ETag read before that change is stale now: nothing changes.
    stale = api.patch(
        url(memorandum, official.pk), {"title": "Consul"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert stale.status_code == 412
    official.refresh_from_db()
    assert official.title == "Envoy"

    assert api.delete(url(memorandum, official.pk)).status_code == 204
    assert not MemorandumOfficial.objects.filter(pk=official.pk).exists()
    assert official.history.filter(history_type="-").exists()


def test_a_retried_post_adds_one_official(personas, memorandum, client_for):
    api = client_for(personas.officer)
    first = api.post(url(memorandum), PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="off-1")
    again = api.post(url(memorandum), PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="off-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert memorandum.officials.count() == 1


def test_invalid_official_is_400_and_nothing_is_saved(personas, memorandum, client_for):
    api = client_for(personas.officer)
    for payload in (
        {**PAYLOAD, "side": "elsewhere"},
        {**PAYLOAD, "name": ""},
        {**PAYLOAD, "name": "نظام"},  # the English name in Persian script
    ):
        assert api.post(url(memorandum), payload, format="json").status_code == 400
    assert not memorandum.officials.exists()


def test_a_frozen_memorandums_officials_cannot_change(personas, memorandum, client_for):
    official = MemorandumOfficialFactory(memorandum=memorandum, side="home")
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    api = client_for(personas.officer)
    added = api.post(url(memorandum), PAYLOAD, format="json")
    assert added.status_code == 409 and added.json()["code"] == "frozen"
    changed = api.patch(url(memorandum, official.pk), {"name": "Someone"}, format="json")
    assert changed.status_code == 409 and changed.json()["code"] == "frozen"
    assert api.delete(url(memorandum, official.pk)).status_code == 409
    assert list(memorandum.officials.values_list("name", flat=True)) == [official.name]


def test_viewer_reads_but_cannot_write(personas, memorandum, client_for):
    official = MemorandumOfficialFactory(memorandum=memorandum)
    api = client_for(personas.viewer)
    assert api.get(url(memorandum)).status_code == 200
    assert api.post(url(memorandum), PAYLOAD, format="json").status_code == 403
    assert api.delete(url(memorandum, official.pk)).status_code == 403
    assert memorandum.officials.count() == 1


def test_another_municipalitys_ids_are_404(personas, memorandum, client_for):
    official = MemorandumOfficialFactory(memorandum=memorandum)
    outsider = client_for(personas.isfahan_officer)
    assert outsider.get(url(memorandum)).status_code == 404
    assert outsider.post(url(memorandum), PAYLOAD, format="json").status_code == 404
    assert outsider.delete(url(memorandum, official.pk)).status_code == 404
    # The officer's own agreement with another agreement's memorandum (or official).
    api = client_for(personas.officer)
    own = MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    crossed = f"/api/v1/agreements/{own.agreement_id}/memoranda/{memorandum.pk}/officials/"
    assert api.get(crossed).status_code == 404
    assert api.post(crossed, PAYLOAD, format="json").status_code == 404
    assert api.get(url(own, official.pk)).status_code == 404
    assert api.delete(url(own, official.pk)).status_code == 404
    isfahan = MemorandumFactory(agreement=AgreementFactory(home_city=personas.isfahan))
    assert api.get(url(isfahan)).status_code == 404
    assert memorandum.officials.count() == 1 and isfahan.officials.count() == 2


# The officer reads Persian: the message names the side missing (home: میزبان, partner: همتا).
@pytest.mark.parametrize(("missing", "message"), [("home", "طرف میزبان"), ("partner", "طرف همتا")])
def test_freeze_is_409_without_officials_of_a_side(personas, client_for, missing, message):
    agreement = agreement_at(Stage.SIGNING, home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.officials.filter(side=missing).delete()
    response = client_for(personas.officer).post(f"/api/v1/memoranda/{memorandum.pk}/freeze/")
    assert response.status_code == 409
    assert response.json()["code"] == "officials_missing"
    assert message in response.json()["detail"]
    memorandum.refresh_from_db()
    assert not memorandum.is_frozen
    # The gate the agreement shows says the same.
    gate = client_for(personas.officer).get(f"/api/v1/agreements/{agreement.pk}/").json()["gate"]
    assert {item["code"]: item["done"] for item in gate}[f"{missing}_officials"] is False
