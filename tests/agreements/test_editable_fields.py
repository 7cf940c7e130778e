"""Each record model names what a person edits (EDITABLE_FIELDS) once: its page form,
its API serializer and its admin show those fields, and services.save_record refuses
a change to any other, whatever route hands the record in."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from agreements import services
from agreements.api import serializers
from agreements.models import (
    Activity,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
)
from agreements.views.sections import KINDS
from tests.factories import AgreementFactory, ContactFactory, MemorandumFactory

RECORDS = [
    Contact,
    Goal,
    Commonality,
    DepartmentSupport,
    LegalApproval,
    Delegation,
    Activity,
    Document,
    Memorandum,
]
SERIALIZERS = {
    Contact: serializers.ContactSerializer,
    Goal: serializers.GoalSerializer,
    Commonality: serializers.CommonalitySerializer,
    DepartmentSupport: serializers.DepartmentSupportSerializer,
    LegalApproval: serializers.LegalApprovalSerializer,
    Delegation: serializers.DelegationSerializer,
    Activity: serializers.ActivitySerializer,
    Document: serializers.DocumentSerializer,
    Memorandum: serializers.MemorandumSerializer,
}


def _writable(serializer_class) -> set[str]:
    fields = serializer_class().fields
    return {name for name, field in fields.items() if not field.read_only} - {"version"}


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_the_page_form_and_the_serializer_take_the_models_editable_fields(model):
    (kind,) = [k for k in KINDS.values() if k.model is model]
    assert list(kind.form.Meta.fields) == list(model.EDITABLE_FIELDS)
    assert _writable(SERIALIZERS[model]) == set(model.EDITABLE_FIELDS)


@pytest.mark.django_db
@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_the_admin_shows_the_agreement_and_the_editable_fields(model, personas):
    request = RequestFactory().get("/")
    request.user = personas.admin
    model_admin = admin.site._registry[model]
    readonly = set(model_admin.get_readonly_fields(request))
    editable = [f for f in model_admin.get_fields(request) if f not in readonly]
    assert editable == ["agreement", *model.EDITABLE_FIELDS]


def test_the_article_form_takes_the_articles_editable_fields():
    from agreements.forms import ArticleForm

    assert list(ArticleForm.Meta.fields) == list(MemorandumArticle.EDITABLE_FIELDS)


@pytest.mark.django_db
def test_a_change_outside_the_editable_fields_is_refused(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.kind = "sister" if memorandum.kind != "sister" else "friendship"
    memorandum.number = 7
    with pytest.raises(services.ValidationError) as refused:
        services.save_record(record=memorandum, by=personas.officer)
    assert set(refused.value.message_dict) == {"kind", "number"}
    contact = ContactFactory(agreement=agreement)
    contact.created_by = personas.approver
    with pytest.raises(services.ValidationError):
        services.save_record(record=contact, by=personas.officer)
    contact.refresh_from_db()
    contact.participants = "Both mayors and their deputies"
    services.save_record(record=contact, by=personas.officer)  # an editable field: saved
    contact.refresh_from_db()
    assert contact.participants == "Both mayors and their deputies"
