from __future__ import annotations

import datetime
import itertools

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements.models import Stage
from tests.factories import ActivityFactory, CityFactory, DelegationFactory, DocumentFactory
from tests.workflow_helpers import agreement_at

_numbers = itertools.count()


@pytest.fixture
def api_for(db):
    def make(user) -> APIClient:
        client = APIClient()
        _token, key = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def partner(name: str | None = None, **fields):
    """A partner city with a unique name (transactional tests share the database)."""
    n = next(_numbers)
    fields.setdefault("name_fa", f"شهر عمومی {n}")
    fields.setdefault("country", "IT")
    return CityFactory(name=name or f"Public Partner {n}", **fields)


def active(home, partner_city, **fields):
    return agreement_at(Stage.ACTIVE, home_city=home, partner_city=partner_city, **fields)


@pytest.fixture
def public_world(personas):
    """Tehran's partnerships in every state: the public ones and the rest, each with
    records that must never show (people, documents, notes)."""
    tehran = personas.tehran
    shown = active(
        tehran,
        partner("Florence", name_fa="فلورانس", latitude=43.77925, longitude=11.24626),
        kind="sister",
        public_summary="Joint craft fairs since 1998.",
        public_summary_fa="نمایشگاه مشترک صنایع دستی",
        signed_on=datetime.date(2019, 5, 4),
    )
    shown2 = active(tehran, partner("Kyoto", name_fa="کیوتو", country="JP"))
    ActivityFactory(agreement=shown, title="Miniature painting week")
    DelegationFactory(
        agreement=shown, head="Secret Headname", members="Hidden Member", purpose="Hush purpose"
    )
    DocumentFactory(agreement=shown, title="Confidential letter")
    hidden = {}
    for label, stage in [
        ("Draft Contactville", Stage.CONTACT),
        ("Draft Goaltown", Stage.GOALS),
        ("Pending Legalburg", Stage.LEGAL),
        ("Pending Signingham", Stage.SIGNING),
        ("Delegating Exchangeton", Stage.DELEGATIONS),
    ]:
        hidden[label] = agreement_at(stage, home_city=tehran, partner_city=partner(label))
    off = active(tehran, partner("Hidden Offtown"), public=False)
    hidden["Hidden Offtown"] = off
    suspended = active(tehran, partner("Suspended Pauseville"))
    suspended.status = "suspended"
    suspended.save()
    hidden["Suspended Pauseville"] = suspended
    terminated = active(tehran, partner("Terminated Endburg"))
    terminated.status = "terminated"
    terminated.save()
    hidden["Terminated Endburg"] = terminated
    for agreement in hidden.values():
        ActivityFactory(agreement=agreement, title=f"Private activity {agreement.pk}")
        DelegationFactory(agreement=agreement, head="Private Head")
    return {"shown": [shown, shown2], "hidden": hidden, "tehran": tehran}
