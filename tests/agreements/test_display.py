"""The shared display helpers (agreements/selectors/display.py), and that the pages
and the dossier name people and values through them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Contact, Document, LegalApproval
from agreements.pdf import dossier
from agreements.pdf.common import who
from agreements.selectors.display import choice_label, person_name, value_label, yes_no
from tests.factories import AgreementFactory, UserFactory
from tests.pdf_helpers import normalise

pytestmark = pytest.mark.django_db


def _field(model, name):
    return model._meta.get_field(name)


def test_person_name_is_the_full_name_else_the_user_name_else_system():
    assert person_name(UserFactory(username="reza", first_name="Reza", last_name="Karimi")) == (
        "Reza Karimi"
    )
    assert person_name(UserFactory(username="sara")) == "sara"
    with translation.override("en"):
        assert person_name(None) == "system"
    with translation.override("fa"):
        assert person_name(None) == "سامانه"


def test_pdf_cells_name_nobody_with_a_dash_and_anybody_as_the_pages_do():
    user = UserFactory(username="sara", first_name="Sara")
    assert who(user) == person_name(user) == "Sara"
    assert who(None) == "—"


def test_choice_label_in_the_active_language_and_the_code_when_unknown():
    status = _field(LegalApproval, "status")
    with translation.override("en"):
        assert choice_label(status, "granted") == "Granted"
        assert choice_label(status, "no-longer-a-choice") == "no-longer-a-choice"
    with translation.override("fa"):
        assert choice_label(status, "granted") == "صادرشده"


def test_yes_no():
    with translation.override("en"):
        assert (yes_no(True), yes_no(False)) == ("Yes", "No")
    with translation.override("fa"):
        assert (yes_no(True), yes_no(False)) == ("بله", "خیر")


def test_value_label_names_users_cities_records_choices_and_booleans(personas):
    officer = _field(Agreement, "responsible_officer")
    home = _field(Agreement, "home_city")
    memorandum = _field(Document, "memorandum")
    users = {personas.officer.pk: personas.officer}
    cities = {personas.tehran.pk: personas.tehran}
    label = lambda field, value: value_label(field, value, users=users, cities=cities)  # noqa: E731
    with translation.override("en"):
        assert label(officer, personas.officer.pk) == "officer"
        assert label(officer, 999_999) == "#999999"  # a user no longer there
        assert label(home, personas.tehran.pk) == "Tehran"
        assert label(memorandum, 7) == "memorandum #7"
        assert label(_field(Agreement, "stage"), "goals") == "Goal definition"
        assert label(_field(Agreement, "kind"), "no-such-kind") == "no-such-kind"
        assert label(_field(Document, "kind"), "letter") == "Letter"
        assert label(_field(LegalApproval, "notes"), "text") is None  # the output's own
        assert label(_field(Contact, "date"), datetime.date(2024, 5, 1)) is None
        assert label(officer, None) is None
    with translation.override("fa"):
        assert label(home, personas.tehran.pk) == "تهران"
        persian = value_label(
            officer, 42, users={}, cities={}, digits=lambda v: str(v).replace("4", "۴")
        )
        assert persian == "#۴2"


def test_page_and_dossier_history_name_a_new_responsible_officer_alike(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    personas.officer.first_name, personas.officer.last_name = "Sara", "Ahmadi"
    personas.officer.save()
    agreement.responsible_officer = personas.officer
    agreement.save()
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "en"
    entries = client.get(reverse("agreements:history", args=[agreement.pk])).context["history"]
    changes = {change.label: change.new for change in entries[0].changes}
    assert changes["Responsible officer"] == "Sara Ahmadi"
    # The history row has no user (saved outside a request): both say "system".
    assert entries[0].who == "system"
    with translation.override("en"):
        rows = dossier.dossier_context(agreement, "en")["history"]
    newest = [cell["text"] for cell in rows[0]]
    assert normalise(newest[1]) == "system"
    assert "responsible officer: from — to Sara Ahmadi" in normalise(newest[4])
