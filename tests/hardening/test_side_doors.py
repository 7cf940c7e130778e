"""No side door: every admin change form and every API write of every model, tried
with every field (the ones the form hides too), cannot change a workflow-bearing
field of an agreement, a frozen memorandum (its articles, its signed copy, its PDF),
a stored file, or anything of a terminated agreement, unless a request is approved
by a second person.

The walk is generated: the admin's registered models and the API's schema, so a
model, an admin or an endpoint added later is walked too. A control write on the
live agreement (its title) proves that the harness's writes do reach the server.
"""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django import forms
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agreements import services
from agreements.models import (
    DELEGATION_PARTS,
    ActionPlan,
    ActionPlanItem,
    Activity,
    Agreement,
    BudgetLine,
    Ceremony,
    CommitteeMeeting,
    CommitteeMember,
    Commonality,
    Contact,
    Delegation,
    DelegationParticipant,
    DepartmentSupport,
    Document,
    Gift,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    ProgrammeItem,
    RequestState,
    Stage,
    StageRequest,
)
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CityFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumArticleFactory,
    MemorandumFactory,
)
from tests.workflow_helpers import agreement_at

pytestmark = [pytest.mark.django_db, pytest.mark.audit]

WORKFLOW_FIELDS = [
    "home_city_id",
    "partner_city_id",
    "kind",
    "stage",
    "status",
    "stage_changed_at",
    "signed_on",
    "signed_year",
    "term_years",
    "expires_on",
]
PDF = b"%PDF-1.4\n% signed copy\n%%EOF\n"
NEW_PDF = b"%PDF-1.4\n% replaced\n%%EOF\n"
REASON = "side-door walk"


def _rows(queryset) -> list[dict]:
    return [dict(row) for row in queryset.order_by("pk").values()]


def _file_bytes(field) -> bytes | None:
    if not field:
        return None
    with field.open("rb") as handle:
        return handle.read()


class World:
    """A live agreement at signing with a frozen memorandum, its signed copy and a
    pending request; a terminated agreement with one record of every kind."""

    def __init__(self, personas) -> None:
        self.p = personas
        self.live = agreement_at(Stage.SIGNING, home_city=personas.tehran)
        # agreement_at's stand-in memorandum and signed copy are replaced by real ones.
        Document.objects.filter(agreement=self.live).delete()
        Memorandum.objects.filter(agreement=self.live).delete()
        memorandum = MemorandumFactory(agreement=self.live)
        MemorandumArticleFactory(memorandum=memorandum)
        self.frozen = services.freeze_memorandum(memorandum=memorandum, by=personas.officer)
        upload = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
        self.signed_copy = services.save_record(
            record=Document(
                agreement=self.live, memorandum=self.frozen, kind="signed_mou", file=upload
            ),
            by=personas.officer,
        )
        self.letter = services.save_record(
            record=Document(
                agreement=self.live,
                kind="letter",
                file=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
            ),
            by=personas.officer,
        )
        self.pending = services.request_advance(
            agreement=self.live, by=personas.approver, note="The memorandum is signed."
        )
        self.terminated = AgreementFactory(home_city=personas.tehran)
        for factory in (
            ContactFactory,
            GoalFactory,
            CommonalityFactory,
            DepartmentSupportFactory,
            LegalApprovalFactory,
            DelegationFactory,
            ActivityFactory,
        ):
            factory(agreement=self.terminated)
        trip = Delegation.objects.filter(agreement=self.terminated).first()
        for part in (
            DelegationParticipant(delegation=trip, name="Traveller", travel_documents="to_check"),
            ProgrammeItem(delegation=trip, date=trip.start_date, description="Welcome"),
            BudgetLine(delegation=trip, category="travel", planned_amount=10, currency="EUR"),
            Gift(delegation=trip, direction="received", description="Vase"),
            Ceremony(delegation=trip, date=trip.start_date, venue="City Hall"),
        ):
            part.save()
        draft = MemorandumFactory(agreement=self.terminated)
        MemorandumArticleFactory(memorandum=draft)
        document = Document(agreement=self.terminated, kind="letter", title="Old letter")
        document.file.save("old.pdf", ContentFile(PDF), save=False)
        document.sha256 = hashlib.sha256(PDF).hexdigest()
        document.save()
        self._committee_and_plan(self.terminated, personas.officer)
        # Test set-up: placed directly in the terminated state.
        self.terminated.status = "terminated"
        self.terminated.save()
        self.other_city = CityFactory(name="Elsewhere")
        self.frozen_ids = [self.frozen.pk]
        self.live_protected = {
            Document: [self.signed_copy.pk, self.letter.pk],
            Memorandum: [self.frozen.pk],
        }

    @staticmethod
    def _committee_and_plan(agreement, by) -> None:
        """A member, a meeting, a plan and an item (issue 22)."""
        services.save_record(record=CommitteeMember(agreement=agreement, name="Chair"), by=by)
        meeting = services.save_record(
            record=CommitteeMeeting(
                agreement=agreement,
                date=datetime.date(2025, 1, 5),
                place="Tehran",
                decisions="Twin schools",
                minutes=agreement.documents.first(),
            ),
            by=by,
        )
        plan = services.save_record(
            record=ActionPlan(agreement=agreement, calendar="jalali", year=1405), by=by
        )
        services.item_from_decision(meeting=meeting, plan=plan, decision=1, by=by)

    # What must not change -----------------------------------------------------------------

    def snapshot(self) -> dict:
        state: dict = {}
        for agreement in Agreement.objects.order_by("pk"):
            state[("agreement", agreement.pk)] = {f: getattr(agreement, f) for f in WORKFLOW_FIELDS}
        # The memoranda frozen when the world was made (freezing a new draft is allowed).
        frozen = Memorandum.objects.filter(pk__in=self.frozen_ids)
        signed = Document.objects.filter(memorandum__in=frozen)
        state["frozen memoranda"] = _rows(frozen)
        state["frozen PDFs"] = [_file_bytes(m.pdf) for m in frozen.order_by("pk")]
        frozen_articles = MemorandumArticle.objects.filter(memorandum__in=frozen)
        state["frozen articles"] = _rows(frozen_articles)
        state["signed copies"] = _rows(signed)
        # One signed copy per frozen memorandum: none added beside it, linked or not.
        state["signed copies per agreement"] = sorted(
            Document.objects.filter(kind="signed_mou", agreement__memoranda__in=frozen)
            .values_list("agreement_id", "pk")
            .distinct()
        )
        # Compared for the documents that still exist (deleting a letter is allowed).
        state["documents' files"] = {
            d.pk: (d.file.name, d.sha256, _file_bytes(d.file)) for d in Document.objects.all()
        }
        state["terminated agreement"] = _rows(Agreement.objects.filter(pk=self.terminated.pk))
        protected_history = {
            Memorandum: {"id__in": list(frozen.values_list("pk", flat=True))},
            MemorandumArticle: {"id__in": list(frozen_articles.values_list("pk", flat=True))},
            Document: {"id__in": list(signed.values_list("pk", flat=True))},
            Agreement: {"id": self.terminated.pk},
        }
        for model in RECORD_MODELS:
            rows = model.objects.filter(**_scope(model, self.terminated))
            state[f"terminated {model.__name__}"] = _rows(rows)
            ids = list(rows.values_list("pk", flat=True))
            history = model.history.filter(id__in=ids)
            if model in protected_history:
                history = history | model.history.filter(**protected_history[model])
            state[f"history of protected {model.__name__}"] = history.count()
        state["history of the terminated agreement"] = Agreement.history.filter(
            id=self.terminated.pk
        ).count()
        state["stage requests"] = _rows(StageRequest.objects.all())
        return state


def _scope(model, agreement) -> dict:
    """The filter of `model`'s rows that belong to `agreement`."""
    if model is MemorandumArticle:
        return {"memorandum__agreement": agreement}
    if model in DELEGATION_PARTS:
        return {"delegation__agreement": agreement}
    return {"agreement": agreement}


RECORD_MODELS = [
    *DELEGATION_PARTS,
    CommitteeMember,
    CommitteeMeeting,
    ActionPlan,
    ActionPlanItem,
    Contact,
    Goal,
    Commonality,
    DepartmentSupport,
    LegalApproval,
    Delegation,
    Activity,
    Document,
    Memorandum,
    MemorandumArticle,
]


@pytest.fixture
def world(personas, settings):
    settings.LANGUAGE_CODE = "en"
    return World(personas)


def _differences(before: dict, after: dict) -> list[str]:
    files = "documents' files"
    before = {**before, files: {k: v for k, v in before[files].items() if k in after[files]}}
    return [
        key if isinstance(key, str) else repr(key)
        for key in before
        if before[key] != after.get(key)
    ]


# --- Mutated values ---------------------------------------------------------------------------


def _other_value(field: models.Field, current, world: World):
    """A value of `field` different from `current` that a form or serializer would take."""
    if field.choices:
        for value, _label in field.flatchoices:
            if value not in ("", None) and value != current:
                return value
    if isinstance(field, models.ForeignKey):
        model = field.related_model
        other = model._default_manager.exclude(pk=current).order_by("pk").first()
        return other.pk if other else None
    if isinstance(field, models.FileField):
        return SimpleUploadedFile("new.pdf", NEW_PDF, content_type="application/pdf")
    if isinstance(field, models.BooleanField):
        return not current
    if isinstance(field, models.DateTimeField):
        return "2020-02-03 04:05:06"
    if isinstance(field, models.DateField):
        return "2020-02-03" if str(current) != "2020-02-03" else "2021-03-04"
    if isinstance(field, models.IntegerField):
        return 7 if current != 7 else 8
    if isinstance(field, models.JSONField):
        return json.dumps(["other"])
    if isinstance(field, models.CharField | models.TextField):
        return f"{current or ''} changed"[: field.max_length or 1000]
    return None


# --- The admin ----------------------------------------------------------------------------------


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _put(data: dict, name: str, field: forms.Field, value) -> None:
    widget = field.widget
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for index, part in enumerate(parts):
            data[f"{name}_{index}"] = "" if part is None else str(part)
        return
    if isinstance(field, forms.FileField) or value is None:
        return
    if isinstance(field, forms.BooleanField):
        if value:
            data[name] = "on"
        return
    if isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
        return
    data[name] = str(value)


def _admin_form_data(response) -> dict:
    """The change form as a browser would post it back unchanged."""
    data: dict = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        _put(data, form.add_prefix(name), field, form[name].value())
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name, field in inline_form.fields.items():
                _put(data, inline_form.add_prefix(name), field, inline_form[name].value())
    for name in ("reason", "change_reason"):
        if name in form.fields:
            data[name] = REASON
    return data


def _protected_objects(world: World) -> list[models.Model]:
    objects: list[models.Model] = [
        world.live,
        world.terminated,
        world.frozen,
        world.signed_copy,
        world.letter,
        world.pending,
        *world.frozen.articles.all(),
    ]
    for model in RECORD_MODELS:
        objects.extend(model.objects.filter(**_scope(model, world.terminated)))
    return objects


def _registered(model) -> bool:
    return admin.site.is_registered(model)


def test_every_admin_change_form_keeps_what_is_protected(client, world):
    client.force_login(world.p.admin)
    client.cookies["django_language"] = "en"
    walked = 0
    doors: list[str] = []
    for obj in _protected_objects(world):
        model = type(obj)
        if not _registered(model):
            continue
        url = _admin_url(model, "change", obj.pk)
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        if response.status_code != 200 or "adminform" not in (response.context or {}):
            continue
        base = _admin_form_data(response)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        for field in fields:
            before = world.snapshot()
            data = dict(base)
            current = getattr(obj, field.attname)
            value = _other_value(field, current, world)
            if value is None:
                continue
            key = field.name
            if isinstance(value, SimpleUploadedFile):
                value.seek(0)
            data[key] = value
            response = client.post(url, data)
            assert response.status_code < 500, (url, key, response.status_code)
            walked += 1
            changed = _differences(before, world.snapshot())
            if changed:
                doors.append(f"admin {model.__name__}#{obj.pk}.{key} changed {changed}")
    assert walked > 50
    assert not doors, "\n".join(doors)


def test_admin_control_write_reaches_the_server(client, world):
    """The harness's post does save an unprotected field: the walk above is real."""
    client.force_login(world.p.admin)
    client.cookies["django_language"] = "en"
    url = _admin_url(Agreement, "change", world.live.pk)
    data = _admin_form_data(client.get(url))
    data["title"] = "A new title"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world.live.refresh_from_db()
    assert world.live.title == "A new title"


def test_admin_deletes_keep_what_is_protected(client, world):
    client.force_login(world.p.admin)
    client.cookies["django_language"] = "en"
    for obj in _protected_objects(world):
        model = type(obj)
        if not _registered(model):
            continue
        before = world.snapshot()
        response = client.post(_admin_url(model, "delete", obj.pk), {"post": "yes"})
        assert response.status_code < 500
        response = client.post(
            _admin_url(model, "changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )
        assert response.status_code < 500
        assert model.objects.filter(pk=obj.pk).exists() or obj in (world.letter,), obj
        changed = _differences(before, world.snapshot())
        assert not changed, f"admin delete of {model.__name__} changed {changed}"


def test_admin_cannot_add_to_what_is_frozen_or_terminated(client, world):
    client.force_login(world.p.admin)
    client.cookies["django_language"] = "en"
    attempts = {
        Document: [
            {
                "agreement": world.live.pk,
                "memorandum": world.frozen.pk,
                "kind": "signed_mou",
                "title": "Second signed copy",
            },
            {"agreement": world.terminated.pk, "kind": "letter", "title": "Late"},
        ],
        Contact: [{"agreement": world.terminated.pk, "date": "2024-01-01", "participants": "X"}],
        Goal: [{"agreement": world.terminated.pk, "sector": "culture", "description": "X"}],
        Activity: [
            {
                "agreement": world.terminated.pk,
                "sector": "culture",
                "title": "X",
                "start_date": "2024-01-01",
            }
        ],
    }
    for model, rows in attempts.items():
        for row in rows:
            before = world.snapshot()
            count = model.objects.count()
            data = {**row, "reason": REASON, "change_reason": REASON}
            if model is Document:
                data["file"] = SimpleUploadedFile("x.pdf", NEW_PDF, content_type="application/pdf")
            response = client.post(_admin_url(model, "add"), data)
            assert response.status_code < 500
            assert model.objects.count() == count, (model.__name__, row)
            assert not _differences(before, world.snapshot())


# --- The API ------------------------------------------------------------------------------------

_WRITE_METHODS = ("post", "put", "patch", "delete")


def _schema(client: APIClient) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def _api_value(field: models.Field, current, world: World):
    """A changed value as JSON would carry it (a nullable link also tried as null)."""
    value = _other_value(field, current, world)
    if isinstance(value, SimpleUploadedFile):
        return None
    if isinstance(field, models.DateTimeField) and value:
        return "2020-02-03T04:05:06Z"
    if isinstance(field, models.JSONField) and isinstance(value, str):
        return json.loads(value)
    return value


def _manager_model(kind: str):
    return getattr(Agreement, kind.replace("-", "_")).rel.related_model


def _record_attempts(client, path: str, method: str, world: World):
    """(url, body, format) for a record kind: each field changed alone, on each record of
    the live and the terminated agreement; a new record shaped like an existing one."""
    if "{delegation_pk}" in path:
        yield from _delegation_part_attempts(client, path, method, world)
        return
    kind = path.split("/")[5]
    model = _manager_model(kind)
    for agreement in (world.live, world.terminated):
        base = path.replace("{agreement_pk}", str(agreement.pk))
        records = model.objects.filter(agreement=agreement).order_by("pk")
        if agreement == world.live:
            # Of the live agreement, what is protected (and a letter, whose file is).
            records = records.filter(pk__in=world.live_protected.get(model, []))
        if "{record_id}" not in path:
            for record in records[:1] or model.objects.filter(agreement=world.terminated)[:1]:
                shown = client.get(f"{base}{record.pk}/").json()
                body = {k: v for k, v in shown.items() if k != "id"}
                if model is Document:
                    for target in (world.frozen.pk, None):
                        body.update(memorandum=target, kind="signed_mou")
                        yield base, body, "document"
                else:
                    yield base, body, "json"
            continue
        for record in records:
            url = base.replace("{record_id}", str(record.pk))
            if method == "delete":
                yield url, None, "json"
                continue
            shown = client.get(url)
            if shown.status_code != 200:
                continue
            representation = shown.json()
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                values = [_api_value(field, getattr(record, field.attname), world)]
                if field.null and isinstance(field, models.ForeignKey):
                    values.append(None)
                for value in values:
                    if value is None and not field.null:
                        continue
                    name = field.name
                    body = {name: value} if method == "patch" else {**representation, name: value}
                    yield url, body, "document" if model is Document else "json"
            if model is Document:
                yield url, {"file": "replace"}, "document"


def _delegation_part_attempts(client, path: str, method: str, world: World):
    """Under the terminated agreement's delegation (nothing under a live agreement's
    delegation is protected): a new record like the stored one, each field changed
    alone, each record deleted."""
    model = {
        "participants": DelegationParticipant,
        "programme": ProgrammeItem,
        "budget-lines": BudgetLine,
        "gifts": Gift,
        "ceremonies": Ceremony,
    }[path.split("/")[7]]
    for delegation in Delegation.objects.filter(agreement=world.terminated):
        base = path.replace("{agreement_pk}", str(world.terminated.pk)).replace(
            "{delegation_pk}", str(delegation.pk)
        )
        records = model.objects.filter(delegation=delegation).order_by("pk")
        if "{record_id}" not in path:
            for record in records[:1]:
                shown = client.get(f"{base}{record.pk}/").json()
                yield base, {k: v for k, v in shown.items() if k != "id"}, "json"
            continue
        for record in records:
            url = base.replace("{record_id}", str(record.pk))
            if method == "delete":
                yield url, None, "json"
                continue
            representation = client.get(url).json()
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                value = _api_value(field, getattr(record, field.attname), world)
                if value is None:
                    continue
                body = (
                    {field.name: value}
                    if method == "patch"
                    else {**representation, field.name: value}
                )
                yield url, body, "json"


def _agreement_attempts(path: str, method: str, world: World):
    for agreement in (world.live, world.terminated):
        url = path.replace("{id}", str(agreement.pk))
        if path.endswith("{id}/"):
            for name in ("home_city", "partner_city", *WORKFLOW_FIELDS):
                field = Agreement._meta.get_field(name.removesuffix("_id"))
                value = _api_value(field, getattr(agreement, field.attname), world)
                yield url, {name.removesuffix("_id"): value}, "json"
        else:
            yield url, _action_body(), "json"


def _action_body() -> dict:
    return {"note": REASON, "reason": REASON, "action": "terminate", "to_stage": "contact"}


def _attempts(client, path: str, method: str, world: World):
    if path.startswith("/api/v1/agreements/{agreement_pk}/"):
        yield from _record_attempts(client, path, method, world)
    elif path.startswith("/api/v1/agreements/{id}"):
        yield from _agreement_attempts(path, method, world)
    elif "{id}" in path and path.startswith("/api/v1/stage-requests/"):
        yield path.replace("{id}", str(world.pending.pk)), _action_body(), "json"
    elif "{id}" in path and path.startswith("/api/v1/memoranda/"):
        for memorandum in Memorandum.objects.filter(agreement__in=[world.live, world.terminated]):
            url = path.replace("{id}", str(memorandum.pk))
            if method == "delete":
                yield url, None, "json"
            else:
                for name in ("kind", "signed_on", "place", "partner_language"):
                    yield url, {name: "sister" if name == "kind" else "2020-02-03"}, "json"
                yield url, _action_body(), "json"
    elif path.startswith("/api/v1/action-plans/{plan_pk}/items/"):
        yield from _plan_item_attempts(client, path, method, world)
    # Cities, tokens and creating agreements touch nothing protected here.


def _plan_item_attempts(client, path: str, method: str, world: World):
    """The items of the terminated agreement's plan: a new one shaped like its item,
    each field of the item changed alone, and its deletion."""
    for item in ActionPlanItem.objects.filter(agreement=world.terminated):
        base = path.replace("{plan_pk}", str(item.plan_id))
        if "{record_id}" not in path:
            shown = client.get(f"{base}{item.pk}/").json()
            yield base, {k: v for k, v in shown.items() if k != "id"}, "json"
            continue
        url = base.replace("{record_id}", str(item.pk))
        if method == "delete":
            yield url, None, "json"
            continue
        for field in ActionPlanItem._meta.concrete_fields:
            if not field.primary_key:
                value = _api_value(field, getattr(item, field.attname), world)
                yield url, {field.name: value}, "json"


def _send(client, method: str, url: str, body, how: str):
    if method == "delete":
        return client.delete(url)
    if how == "document":
        data = {k: ("" if v is None else v) for k, v in body.items() if not isinstance(v, dict)}
        data["file"] = SimpleUploadedFile("new.pdf", NEW_PDF, "application/pdf")
        return getattr(client, method)(url, data, format="multipart")
    return getattr(client, method)(url, body, format="json")


def _api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("persona", ["officer", "approver", "admin"])
def test_every_api_write_keeps_what_is_protected(world, persona):
    user = getattr(world.p, persona)
    client = _api_client(user)
    reader = _api_client(world.p.admin)
    schema = _schema(client)
    walked = 0
    doors: list[str] = []
    for path, operations in schema["paths"].items():
        for method in _WRITE_METHODS:
            if method not in operations:
                continue
            if persona == "admin" and path.endswith("/approve/"):
                # The administrator is a second person: approving is the legitimate way.
                continue
            if user == world.pending.requested_by and path.endswith("/withdraw/"):
                continue  # the requester withdrawing their own request is allowed
            for url, body, how in list(_attempts(reader, path, method, world)):
                before = world.snapshot()
                response = _send(client, method, url, body, how)
                walked += 1
                assert response.status_code < 500, (method, url, body, response.status_code)
                changed = _differences(before, world.snapshot())
                if changed:
                    doors.append(f"{persona} {method.upper()} {url} {body} changed {changed}")
    assert walked > 100
    assert not doors, "\n".join(doors)


def test_the_requester_cannot_approve_and_a_second_approver_can(world):
    requester = _api_client(world.p.approver)
    url = f"/api/v1/stage-requests/{world.pending.pk}/approve/"
    assert requester.post(url, {"note": "mine"}, format="json").status_code == 403
    world.live.refresh_from_db()
    assert world.live.stage == Stage.SIGNING
    second = _api_client(world.p.approver2)
    response = second.post(url, {"note": "Checked"}, format="json")
    assert response.status_code == 200, response.content
    world.live.refresh_from_db()
    assert world.live.stage == Stage.DELEGATIONS
    assert StageRequest.objects.get(pk=world.pending.pk).state == RequestState.APPROVED
    assert world.live.signed_on == world.frozen.signed_on


def test_the_world_is_what_it_says(world):
    assert world.frozen.is_frozen and world.frozen.pdf
    assert world.signed_copy.memorandum_id == world.frozen.pk
    assert world.terminated.status == "terminated"
    assert world.pending.state == RequestState.PENDING
    assert timezone.now() - world.frozen.frozen_at < datetime.timedelta(minutes=5)
    try:
        _admin_url(Agreement, "change", world.live.pk)
    except NoReverseMatch:  # pragma: no cover
        pytest.fail("admin URLs")
