"""What a person edits under a delegation is each model's EDITABLE_FIELDS: the page
form, the API serializer and the admin inline take those (a ceremony's photos
beside them, saved by services.save_ceremony)."""

from __future__ import annotations

import pytest

from agreements.admin import DELEGATION_INLINES
from agreements.api.delegations import DELEGATION_VIEWSETS
from agreements.models import DELEGATION_PARTS, Ceremony
from agreements.views.delegations import PART_KINDS


@pytest.mark.parametrize("model", DELEGATION_PARTS, ids=lambda m: m.__name__)
def test_form_serializer_and_inline_take_the_editable_fields(model):
    (kind,) = [k for k in PART_KINDS.values() if k.model is model]
    assert list(kind.form.Meta.fields) == list(model.EDITABLE_FIELDS)
    (viewset,) = [v for v in DELEGATION_VIEWSETS.values() if v.model is model]
    fields = viewset.serializer_class().fields
    writable = {n for n, f in fields.items() if not f.read_only} - {"version"}
    extra = {"photos"} if model is Ceremony else set()
    # Without a request that may see them, a participant's passport and visa are left out.
    private = set(getattr(model, "PRIVATE_FIELDS", ()))
    assert writable == (set(model.EDITABLE_FIELDS) - private) | extra
    (inline,) = [i for i in DELEGATION_INLINES if i.model is model]
    assert list(inline.fields) == list(model.EDITABLE_FIELDS)
