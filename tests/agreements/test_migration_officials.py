"""Migration 0017: the memorandum's free-text officials present become one official
per line on the home side, nothing lost; and back."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agreements", "0016_field_labels")]
AFTER = [("agreements", "0017_memorandum_officials")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_each_line_of_the_old_text_becomes_a_home_official():
    try:
        old = _migrate(BEFORE)
        City = old.get_model("cities", "City")
        Agreement = old.get_model("agreements", "Agreement")
        Memorandum = old.get_model("agreements", "Memorandum")
        # Names no persona uses: the session's personas may be in the database.
        tehran = City.objects.create(name="Migration Tehran", country="IR")
        rome = City.objects.create(name="Migration Rome", country="IT")
        agreement = Agreement.objects.create(home_city=tehran, partner_city=rome)
        text = "Ambassador of Italy\n\n  Deputy Mayor of Tehran  \nسفیر ایران\n"
        with_text = Memorandum.objects.create(agreement=agreement, officials_present=text)
        without = Memorandum.objects.create(agreement=agreement, number=2)

        new = _migrate(AFTER)
        Official = new.get_model("agreements", "MemorandumOfficial")
        rows = list(
            Official.objects.filter(memorandum_id=with_text.pk)
            .order_by("position")
            .values_list("side", "position", "name", "name_fa")
        )
        assert rows == [
            ("home", 1, "Ambassador of Italy", ""),
            ("home", 2, "Deputy Mayor of Tehran", ""),
            ("home", 3, "", "سفیر ایران"),  # Persian script: the Persian name
        ]
        assert not Official.objects.filter(memorandum_id=without.pk).exists()
        History = new.get_model("agreements", "HistoricalMemorandumOfficial")
        reasons = set(History.objects.values_list("history_change_reason", flat=True))
        assert [json.loads(reason) for reason in reasons] == [{"code": "officials_moved"}]
        assert "officials_present" not in {
            f.name for f in new.get_model("agreements", "Memorandum")._meta.fields
        }

        back = _migrate(BEFORE)
        restored = back.get_model("agreements", "Memorandum").objects.get(pk=with_text.pk)
        assert restored.officials_present.splitlines() == [
            "Ambassador of Italy",
            "Deputy Mayor of Tehran",
            "سفیر ایران",
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
