"""Querysets compiled once (agreements.compiled): the same rows as the queryset, for
whichever ids are asked, without compiling again; refused where ids cannot be bound."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from agreements.compiled import CompiledQuery
from agreements.models import Agreement, MunicipalitySettings, Stage, StageRequest
from tests.factories import AgreementFactory, CityFactory, UserFactory
from tests.querycount import captured

pytestmark = pytest.mark.django_db


def make_request(agreement: Agreement, note: str) -> StageRequest:
    return StageRequest.objects.create(
        agreement=agreement,
        action="advance",
        from_stage=Stage.CONTACT,
        to_stage=Stage.GOALS,
        requested_by=UserFactory(),
        note=note,
    )


def field_values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_instances_with_their_related_objects_as_the_queryset_reads_them():
    requests = [make_request(AgreementFactory(), f"note {n}") for n in range(3)]
    query = CompiledQuery(lambda: StageRequest.objects.select_related("agreement", "requested_by"))
    for wanted in ([requests[0]], [requests[2], requests[1]]):
        ids = [r.pk for r in wanted]
        expected = {
            r.pk: r
            for r in StageRequest.objects.select_related("agreement", "requested_by").filter(
                pk__in=ids
            )
        }
        found = query(ids)
        assert sorted(r.pk for r in found) == sorted(ids)
        for request in found:
            # Converted as Django converts them (datetimes are datetimes on SQLite too).
            assert field_values(request) == field_values(expected[request.pk])
            assert request._state.adding is False
            assert captured(lambda r=request: (r.agreement.title, r.requested_by.username)) == []
            assert field_values(request.agreement) == field_values(expected[request.pk].agreement)
            assert request.requested_by == expected[request.pk].requested_by


def test_values_rows_with_json_converted():
    cities = [CityFactory(is_home=True) for _ in range(2)]
    MunicipalitySettings.objects.create(city=cities[0], required_authorities=["council"])
    MunicipalitySettings.objects.create(city=cities[1], required_authorities=[])
    query = CompiledQuery(
        lambda: MunicipalitySettings.objects.values("pk", "city_id", "required_authorities")
    )
    ids = list(MunicipalitySettings.objects.values_list("pk", flat=True))
    expected = list(
        MunicipalitySettings.objects.filter(pk__in=ids).values(
            "pk", "city_id", "required_authorities"
        )
    )
    assert sorted(query(ids), key=lambda row: row["pk"]) == sorted(
        expected, key=lambda row: row["pk"]
    )
    assert {tuple(row["required_authorities"]) for row in query(ids)} == {("council",), ()}


def test_compiled_once_per_number_of_ids_then_only_the_ids_change():
    agreements = [AgreementFactory(title=f"title {n}") for n in range(4)]
    query = CompiledQuery(lambda: Agreement.objects.only("pk", "title"))
    compiled = []

    def as_sql(compiler, *args, **kwargs):
        compiled.append(compiler)
        return original_as_sql(compiler, *args, **kwargs)

    original_as_sql = SQLCompiler.as_sql
    with mock.patch.object(SQLCompiler, "as_sql", as_sql):
        titles = [query([agreement.pk])[0].title for agreement in agreements]
        assert len(compiled) == 1
        pair = query([agreements[0].pk, agreements[3].pk])
        assert len(compiled) == 2
        query([agreements[1].pk, agreements[2].pk])
        assert len(compiled) == 2
    assert titles == [f"title {n}" for n in range(4)]
    assert sorted(a.title for a in pair) == ["title 0", "title 3"]
    # One statement a call; none for no ids; an unknown id finds nothing.
    assert len(captured(lambda: query([agreements[0].pk]))) == 1
    assert captured(lambda: query([])) == []
    assert query([-1]) == []


def test_refuses_a_query_binding_values_after_its_ids():
    agreement = AgreementFactory()
    ordered = CompiledQuery(
        lambda: Agreement.objects.order_by(
            Case(When(kind="sister", then=Value(0)), default=Value(1))
        )
    )
    with pytest.raises(ImproperlyConfigured, match="not the last parameters"):
        ordered([agreement.pk])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="SQLite locks with BEGIN IMMEDIATE"
)
def test_a_locking_query_runs_only_in_a_transaction():
    agreement = AgreementFactory()
    locking = CompiledQuery(lambda: Agreement.objects.select_for_update())
    with transaction.atomic():
        sql = captured(lambda: locking([agreement.pk]))
    assert sql[0].endswith("FOR UPDATE")
    with pytest.raises(TransactionManagementError):
        locking([agreement.pk])
