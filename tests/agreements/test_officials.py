"""Officials present, per side: the paper's fifth condition (the memorandum is
exchanged with the relevant officials present). Freezing and the signing gate need
them on both sides; a frozen memorandum's officials do not change, by any route."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements import services, workflow
from agreements.models import MemorandumOfficial, Stage
from agreements.selectors.gates import gate_missing
from tests.factories import (
    AgreementFactory,
    MemorandumFactory,
    MemorandumOfficialFactory,
    officials_form_data,
)
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db

MISSING = {"home": workflow.MISSING_HOME_OFFICIALS, "partner": workflow.MISSING_PARTNER_OFFICIALS}


@pytest.fixture
def at_signing(personas):
    """An agreement at signing, its gate unmet, with a draft memorandum (officials on
    both sides, as the factory makes it)."""
    agreement = agreement_at(Stage.SIGNING, home_city=personas.tehran)
    agreement.memoranda.all().delete()
    agreement.documents.all().delete()
    return agreement, MemorandumFactory(agreement=agreement)


# --- The service and the gate -----------------------------------------------------------------


@pytest.mark.parametrize("side", ["home", "partner"])
def test_freeze_is_refused_without_an_official_of_one_side(personas, at_signing, side):
    agreement, memorandum = at_signing
    memorandum.officials.filter(side=side).delete()
    with pytest.raises(services.WorkflowError) as refused:
        services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    assert refused.value.code == "officials_missing"
    assert refused.value.message == str(MISSING[side])
    memorandum.refresh_from_db()
    assert not memorandum.is_frozen and not memorandum.pdf
    # The signing gate lists the same missing side (and only that one of the two).
    missing = gate_missing(agreement)
    assert str(MISSING[side]) in missing
    other = "partner" if side == "home" else "home"
    assert str(MISSING[other]) not in missing


def test_freeze_without_any_official_names_both_sides(personas, at_signing):
    _agreement, memorandum = at_signing
    memorandum.officials.all().delete()
    with pytest.raises(services.WorkflowError) as refused:
        services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    assert str(MISSING["home"]) in refused.value.message
    assert str(MISSING["partner"]) in refused.value.message


def test_freeze_with_officials_of_both_sides_and_the_gate_is_met(personas, at_signing):
    agreement, memorandum = at_signing
    frozen = services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    assert frozen.is_frozen
    missing = gate_missing(agreement)
    assert str(MISSING["home"]) not in missing and str(MISSING["partner"]) not in missing


def test_the_gate_looks_at_the_newest_version(personas, at_signing):
    agreement, memorandum = at_signing
    newer = MemorandumFactory(agreement=agreement, officials=False)
    MemorandumOfficialFactory(memorandum=newer, side="home")
    assert memorandum.officials.filter(side="partner").exists()
    assert str(MISSING["partner"]) in gate_missing(agreement)


def test_officials_are_added_edited_and_removed_with_history(personas, at_signing):
    _agreement, memorandum = at_signing
    official = services.save_record(
        record=MemorandumOfficial(memorandum=memorandum, side="partner", name="Envoy"),
        by=personas.officer,
    )
    assert official.history.get().history_change_reason
    official.title = "Ambassador"
    services.save_record(record=official, by=personas.officer, expected_version=1)
    services.delete_record(record=official, by=personas.officer)
    kinds = list(official.history.order_by("history_id").values_list("history_type", flat=True))
    assert kinds == ["+", "~", "-"]
    assert all(row.history_change_reason for row in official.history.all())


def test_a_frozen_memorandums_officials_do_not_change(personas, at_signing):
    _agreement, memorandum = at_signing
    services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    official = memorandum.officials.get(side="home")
    for attempt in (
        lambda: services.save_record(
            record=MemorandumOfficial(memorandum=memorandum, side="home", name="Late"),
            by=personas.officer,
        ),
        lambda: services.save_record(
            record=MemorandumOfficial.objects.get(pk=official.pk), by=personas.officer
        ),
        lambda: services.delete_record(record=official, by=personas.officer),
    ):
        with pytest.raises(services.WorkflowError) as refused:
            attempt()
        assert refused.value.message == str(services.FROZEN)
    assert memorandum.officials.count() == 2


def test_an_official_cannot_be_moved_to_another_memorandum(personas, at_signing):
    _agreement, memorandum = at_signing
    other = MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    official = memorandum.officials.get(side="home")
    official.memorandum = other
    with pytest.raises(services.ValidationError):
        services.save_record(record=official, by=personas.officer)
    assert MemorandumOfficial.objects.get(pk=official.pk).memorandum == memorandum


def test_only_the_home_municipalitys_officers_write_officials(personas, at_signing):
    _agreement, memorandum = at_signing
    for user in (personas.viewer, personas.isfahan_officer):
        with pytest.raises(services.Forbidden):
            services.save_record(
                record=MemorandumOfficial(memorandum=memorandum, side="home", name="X"), by=user
            )
    assert memorandum.officials.count() == 2


# --- The memorandum page ------------------------------------------------------------------------


def _page_post(memorandum, **changes) -> dict:
    data = {
        "version": memorandum.version,
        "signed_on": "2025-03-01",
        "place": memorandum.place,
        "term_years": memorandum.term_years,
        "home_signatory_name": memorandum.home_signatory_name,
        "partner_signatory_name": memorandum.partner_signatory_name,
        "articles-TOTAL_FORMS": "0",
        "articles-INITIAL_FORMS": "0",
        **officials_form_data(memorandum),
    }
    data.update(changes)
    return data


def _edit_url(memorandum) -> str:
    return reverse(
        "agreements:record-edit", args=[memorandum.agreement_id, "memoranda", memorandum.pk]
    )


def test_the_page_shows_adds_edits_and_removes_officials_per_side(client, personas, at_signing):
    _agreement, memorandum = at_signing
    client.force_login(personas.officer)
    page = client.get(_edit_url(memorandum)).content.decode()
    assert 'id="officials-home"' in page and 'id="officials-partner"' in page
    assert "Home Official" in page and "Partner Official" in page

    home = memorandum.officials.get(side="home")
    partner = memorandum.officials.get(side="partner")
    data = _page_post(memorandum)
    # A second partner official, added in the partner side's empty form...
    data |= {
        "officials-partner-TOTAL_FORMS": "2",
        "officials-partner-1-position": "2",
        "officials-partner-1-name": "Nizom Hakimov",
        "officials-partner-1-name_fa": "نظام حکیم‌اف",
        "officials-partner-1-title": "Ambassador",
        "officials-partner-1-title_fa": "سفیر",
        # ...the home official's Persian name filled in, the first partner one removed.
        "officials-home-0-name_fa": "مقام میزبان",
        "officials-partner-0-DELETE": "on",
    }
    response = client.post(_edit_url(memorandum), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    home.refresh_from_db()
    assert home.name_fa == "مقام میزبان" and home.side == "home"
    assert not MemorandumOfficial.objects.filter(pk=partner.pk).exists()
    added = memorandum.officials.get(name="Nizom Hakimov")
    assert (added.side, added.title_fa) == ("partner", "سفیر")


def test_an_invalid_official_on_the_page_changes_nothing(client, personas, at_signing):
    _agreement, memorandum = at_signing
    client.force_login(personas.officer)
    data = _page_post(memorandum, place="Somewhere else")
    data["officials-home-0-name"] = "مقام"  # the English name, in Persian script
    response = client.post(_edit_url(memorandum), data)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    memorandum.refresh_from_db()
    assert memorandum.place == "Tehran"
    assert memorandum.officials.get(side="home").name == "Home Official"


def test_freezing_on_the_page_is_refused_without_officials(client, personas, at_signing):
    agreement, memorandum = at_signing
    memorandum.officials.filter(side="partner").delete()
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    url = reverse("agreements:memorandum-freeze", args=[agreement.pk, memorandum.pk])
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "officials present on the partner side are not recorded" in response.content.decode()
    memorandum.refresh_from_db()
    assert not memorandum.is_frozen


def test_the_checklist_links_a_missing_side_to_its_officials(client, personas, at_signing):
    agreement, memorandum = at_signing
    memorandum.officials.filter(side="partner").delete()
    client.force_login(personas.officer)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert f"{_edit_url(memorandum)}#officials-partner" in page
    assert f"{_edit_url(memorandum)}#officials-home" not in page


def test_the_agreement_page_lists_the_officials(client, personas, at_signing):
    agreement, _memorandum = at_signing
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Home Official" in page and "Partner Official" in page


# --- The admin -------------------------------------------------------------------------------------


def _admin_change_url(memorandum) -> str:
    return reverse("admin:agreements_memorandum_change", args=[memorandum.pk])


def test_the_admin_shows_a_frozen_memorandums_officials_read_only(client, personas, at_signing):
    _agreement, memorandum = at_signing
    services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
    client.force_login(personas.admin)
    page = client.get(_admin_change_url(memorandum))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Home Official" in content
    assert 'name="officials-0-name"' not in content  # shown, not editable
    response = client.post(
        _admin_change_url(memorandum),
        {
            "reason": "Fix",
            "officials-TOTAL_FORMS": "1",
            "officials-INITIAL_FORMS": "0",
            "officials-0-side": "home",
            "officials-0-position": "3",
            "officials-0-name": "Slipped in",
        },
    )
    assert response.status_code == 403
    assert not memorandum.officials.filter(name="Slipped in").exists()


def test_the_admin_edits_a_drafts_officials_with_its_reason(client, personas, at_signing):
    _agreement, memorandum = at_signing
    client.force_login(personas.admin)
    form = client.get(_admin_change_url(memorandum)).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data["signed_on"] = memorandum.signed_on.isoformat()
    data["reason"] = "The envoy's title corrected"
    officials = list(memorandum.officials.order_by("side", "position", "id"))
    data |= {
        "officials-TOTAL_FORMS": str(len(officials)),
        "officials-INITIAL_FORMS": str(len(officials)),
        "articles-TOTAL_FORMS": "0",
        "articles-INITIAL_FORMS": "0",
    }
    for index, official in enumerate(officials):
        data |= {
            f"officials-{index}-id": official.pk,
            f"officials-{index}-memorandum": memorandum.pk,
            **{
                f"officials-{index}-{name}": getattr(official, name)
                for name in MemorandumOfficial.EDITABLE_FIELDS
            },
        }
    data["officials-1-title"] = "Envoy"
    response = client.post(_admin_change_url(memorandum), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    partner = memorandum.officials.get(side="partner")
    assert partner.title == "Envoy"
    latest = partner.history.latest("history_id")
    assert latest.history_user == personas.admin
    assert "The envoy's title corrected" in latest.history_change_reason


def test_the_factorys_memoranda_have_officials_on_both_sides(personas):
    """The factories' memoranda are freezable; officials=False makes one that is not."""
    memorandum = MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    assert sorted(memorandum.officials.values_list("side", flat=True)) == ["home", "partner"]
    assert not MemorandumFactory(officials=False).officials.exists()
