"""The delegation page and the gift register cost as many queries with many records
as with few."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from agreements import services
from agreements.models import (
    BudgetLine,
    Ceremony,
    DelegationParticipant,
    Document,
    Gift,
    ProgrammeItem,
)
from tests.querycount import assert_same_query_count, captured

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _add(delegation, officer, n: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    day = delegation.start_date
    for i in range(n):
        photo = services.save_record(
            record=Document(
                agreement=delegation.agreement,
                kind="photo",
                file=SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png"),
            ),
            by=officer,
        )
        for record in (
            DelegationParticipant(delegation=delegation, name=f"P{i}", travel_documents="to_check"),
            ProgrammeItem(
                delegation=delegation,
                date=day + datetime.timedelta(days=i % 3),
                start_time=datetime.time(9 + i % 8),
                description=f"Item {i}",
                responsible=officer,
            ),
            BudgetLine(
                delegation=delegation,
                category="travel",
                planned_amount=Decimal(i),
                currency=["EUR", "IRR"][i % 2],
            ),
            Gift(delegation=delegation, direction="given", description=f"G{i}", photo=photo),
        ):
            services.save_record(record=record, by=officer)
        services.save_ceremony(
            record=Ceremony(delegation=delegation, date=day, venue=f"V{i}"),
            by=officer,
            photos=[photo],
        )


def test_delegation_page_and_register_query_counts(personas, delegation, client):
    client.force_login(personas.officer)
    url = f"/agreements/{delegation.agreement_id}/delegations/{delegation.pk}/"
    _add(delegation, personas.officer, 1)
    small = captured(lambda: client.get(url))
    small_register = captured(lambda: client.get("/gifts/"))
    _add(delegation, personas.officer, 6)
    large = captured(lambda: client.get(url))
    large_register = captured(lambda: client.get("/gifts/"))
    assert_same_query_count(small, large)
    assert_same_query_count(small_register, large_register)
