"""History reasons are stored as codes with values and read in the reader's language
(agreements.reasons); rows written as sentences before are converted (migration 0014)."""

from __future__ import annotations

import importlib

import pytest
from django.utils import translation

from agreements import reasons, services
from agreements.models import Agreement, Contact, StageRequest
from tests.factories import AgreementFactory
from tests.workflow_helpers import approved_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran_agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


migration = importlib.import_module("agreements.migrations.0014_history_reasons_as_codes")


def read(stored: str, language: str) -> str:
    with translation.override(language):
        return reasons.describe(stored)


def test_a_reason_reads_in_each_language_with_its_digits_and_names():
    stored = reasons.reason(
        "stage_advanced",
        from_stage="contact",
        to_stage="goals",
        request=12,
        requester="Maryam Ahmadi",
        user="Reza Karimi",
    )
    english = read(stored, "en")
    persian = read(stored, "fa")
    assert english == (
        "Moved from “Mayoral contact” to “Goal definition”: request no. 12 of Maryam Ahmadi "
        "approved by Reza Karimi"
    )
    assert "۱۲" in persian and "12" not in persian
    assert "Reza Karimi" in persian and "Moved" not in persian
    assert "contact" not in persian and "goals" not in persian


def test_free_text_and_damaged_values_read_as_stored_and_never_fail():
    assert reasons.describe("a sentence someone typed") == "a sentence someone typed"
    assert reasons.describe("") == "" and reasons.describe(None) == ""
    for stored in ('{"code": "nope"}', "{not json", '{"code": "stage_advanced"}', "[1, 2]"):
        assert isinstance(reasons.describe(stored), str)
    assert reasons.describe('{"code": "record_added", "kind": "no_such_model"}')
    with pytest.raises(ValueError):
        reasons.reason("not_a_code")


def test_a_persons_own_words_and_the_route_are_kept():
    stored = reasons.reason("record_edited", kind="goal", via="admin", note="typo fixed")
    assert read(stored, "en") == "Goal edited (administration). Reason: typo fixed"
    persian = read(stored, "fa")
    assert "typo fixed" in persian and "edited" not in persian


def test_every_reason_the_workflow_writes_is_a_code(personas, tehran_agreement):
    services.save_record(
        record=Contact(agreement=tehran_agreement, date="2025-01-01", participants="mayors"),
        by=personas.officer,
    )
    approved_move(
        tehran_agreement,
        "suspend",
        by=personas.officer,
        approver=personas.approver,
        note="elections",
    )
    rows = [
        *Agreement.history.filter(id=tehran_agreement.pk),
        *Contact.history.filter(agreement_id=tehran_agreement.pk),
        *StageRequest.history.filter(agreement_id=tehran_agreement.pk),
    ]
    assert rows
    for row in rows:
        if row.history_change_reason:
            assert reasons.parse(row.history_change_reason), row.history_change_reason
    suspended = Agreement.history.filter(id=tehran_agreement.pk).first()
    persian = read(suspended.history_change_reason, "fa")
    assert "elections" in persian and "Suspended" not in persian


def people(username: str) -> str:
    return {"approver2": "Reza Karimi", "officer": "Maryam Ahmadi"}.get(username, username)


@pytest.mark.parametrize(
    ("model_name", "history_type", "row", "old", "code", "values"),
    [
        ("agreement", "+", {}, "Agreement created", "agreement_created", {}),
        ("contact", "+", {}, "سند added", "record_added", {"kind": "contact"}),
        ("goal", "-", {}, "goal deleted", "record_deleted", {"kind": "goal"}),
        (
            "stagerequest",
            "+",
            {"action": "advance", "to_stage": "goals"},
            "Requested by officer",
            "request_made",
            {"action": "advance", "stage": "goals", "user": "Maryam Ahmadi"},
        ),
        (
            "stagerequest",
            "~",
            {},
            "Approved by approver2",
            "request_approved",
            {"user": "Reza Karimi"},
        ),
        (
            "agreement",
            "~",
            {},
            "Stage contact → goals: request #7 by officer approved by approver2",
            "stage_advanced",
            {
                "from_stage": "contact",
                "to_stage": "goals",
                "request": 7,
                "requester": "Maryam Ahmadi",
                "user": "Reza Karimi",
            },
        ),
        (
            "agreement",
            "~",
            {},
            "Terminated: request #9 by officer approved by approver2: no interest: at all",
            "terminated",
            {
                "request": 9,
                "requester": "Maryam Ahmadi",
                "user": "Reza Karimi",
                "note": "no interest: at all",
            },
        ),
        (
            "memorandum",
            "+",
            {},
            "Memorandum v2 created, superseding v1",
            "memorandum_superseded",
            {"number": 2, "previous": 1},
        ),
        (
            "memorandum",
            "~",
            {},
            "Memorandum v1 frozen by officer (PDF SHA-256 0123456789ab)",
            "memorandum_frozen",
            {"number": 1, "user": "Maryam Ahmadi", "sha": "0123456789ab"},
        ),
        (
            "agreement",
            "+",
            {},
            "واردشده از a b.csv (صفحهٔ ورود داده)",
            "imported",
            {"file": "a b.csv", "via": "import_page"},
        ),
        (
            "goal",
            "~",
            {},
            "fixed a typo (admin)",
            "record_edited",
            {"kind": "goal", "via": "admin", "note": "fixed a typo"},
        ),
        ("goal", "~", {}, "goal edited (admin)", "record_edited", {"kind": "goal", "via": "admin"}),
    ],
)
def test_the_migration_turns_each_old_sentence_into_its_code(
    model_name, history_type, row, old, code, values
):
    new = migration.convert(
        old, model_name=model_name, history_type=history_type, row=row, people=people
    )
    assert reasons.parse(new) == {"code": code, **values}
    assert read(new, "fa") and read(new, "en")


def test_the_migration_leaves_what_it_does_not_know():
    for old in ("", "something else entirely", reasons.reason("agreement_created")):
        assert (
            migration.convert(old, model_name="agreement", history_type="~", row={}, people=people)
            is None
        )


def test_the_migration_converts_stored_rows(personas, tehran_agreement):
    from django.apps import apps

    contact = services.save_record(
        record=Contact(agreement=tehran_agreement, date="2025-01-01", participants="mayors"),
        by=personas.officer,
    )
    Contact.history.filter(id=contact.pk).update(history_change_reason="ارتباط added")
    Agreement.history.filter(id=tehran_agreement.pk).update(
        history_change_reason="Agreement edited (admin)"
    )
    migration.forwards(apps, None)
    assert reasons.parse(Contact.history.get(id=contact.pk).history_change_reason) == {
        "code": "record_added",
        "kind": "contact",
    }
    for row in Agreement.history.filter(id=tehran_agreement.pk):
        assert reasons.parse(row.history_change_reason) == {
            "code": "agreement_edited",
            "via": "admin",
        }
