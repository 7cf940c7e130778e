"""The personas are written once per session; each test gets its own instances."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def test_personas_are_the_session_rows_as_fresh_copies(personas, session_personas):
    built = session_personas["built"]
    assert personas.officer.pk == built.officer.pk
    assert personas.officer is not built.officer
    personas.officer.first_name = "Changed in this test"
    assert built.officer.first_name != "Changed in this test"


def test_a_test_writes_on_personas_are_rolled_back(personas):
    get_user_model().objects.filter(pk=personas.viewer.pk).update(first_name="Rolled back")
    personas.viewer.refresh_from_db()
    assert personas.viewer.first_name == "Rolled back"


def test_the_write_above_did_not_stay(personas):
    # Runs after the test above (file order): its write went with its transaction.
    personas.viewer.refresh_from_db()
    assert personas.viewer.first_name != "Rolled back"
