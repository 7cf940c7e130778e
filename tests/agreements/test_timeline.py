"""The one timeline (agreements/selectors/timeline.py): which events, their dates
and order, and that the agreement page and the dossier PDF show the same ones."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agreements import services
from agreements.models import Agreement
from agreements.pdf import dossier
from agreements.pdf import dossier_data as dossier_module
from agreements.pdf.common import reader_date
from agreements.pdf.dossier_data import dossier_data
from agreements.selectors.timeline import RECORDS, timeline
from tests.factories import (
    ActivityFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    DocumentFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumFactory,
)
from tests.querycount import captured
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _records(agreement: Agreement) -> dict:
    """Every record of the agreement, as the selector wants them."""
    records = {name: list(getattr(agreement, name).all()) for name in RECORDS}
    records["memoranda"] = list(agreement.memoranda.select_related("frozen_by"))
    records["stage_requests"] = list(
        agreement.stage_requests.select_related("requested_by", "decided_by")
    )
    return records


@pytest.fixture
def busy(personas):
    """An agreement with every kind of event: a first contact, contacts, a goal, a
    commonality, two supports, approvals (asked, decided, undated), a signed and
    frozen memorandum, a delegation, an activity, a document, and an approved
    request that moved the stage."""
    personas.approver.first_name, personas.approver.last_name = "Reza", "Karimi"
    personas.approver.save()
    agreement = agreement_at("contact", home_city=personas.tehran)
    agreement.first_contact_on = datetime.date(2024, 3, 1)
    agreement.save()
    ContactFactory(agreement=agreement, participants="Both mayors in Rome")
    ContactFactory(
        agreement=agreement, date=datetime.date(2024, 6, 2), participants="Deputy mayors"
    )
    GoalFactory(agreement=agreement, description="A cultural week every year")
    CommonalityFactory(agreement=agreement, description="Silk Road cities")
    DepartmentSupportFactory(
        agreement=agreement, supported_on=datetime.date(2024, 7, 1), notes="Council in favour"
    )
    DepartmentSupportFactory(agreement=agreement, department="university")  # no date
    LegalApprovalFactory(
        agreement=agreement,
        status="granted",
        reference="C-12",
        requested_on=datetime.date(2024, 8, 1),
        decided_on=datetime.date(2024, 9, 1),
    )
    LegalApprovalFactory(agreement=agreement, authority="home_ministry", status="pending")
    MemorandumFactory(
        agreement=agreement,
        number=1,
        signed_on=datetime.date(2025, 3, 1),
        place="Tehran",
        frozen_at=timezone.now() - datetime.timedelta(days=3),
        frozen_by=personas.officer,
    )
    DelegationFactory(agreement=agreement, head="Deputy mayor")
    ActivityFactory(agreement=agreement, title="Joint exhibition")
    DocumentFactory(agreement=agreement, title="Letter of intent")
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    services.approve_stage_request(stage_request=stage_request, by=personas.approver, note="Agreed")
    return Agreement.objects.get(pk=agreement.pk)


def test_timeline_has_every_kind_of_event_newest_first(busy):
    with translation.override("en"):
        events = timeline(busy, _records(busy))
    kinds = [event.kind for event in events]
    for kind in [
        "first-contact",
        "contact",
        "goal",
        "commonality",
        "support",
        "approval-requested",
        "approval-decided",
        "memorandum-signed",
        "memorandum-frozen",
        "delegation",
        "activity",
        "document",
        "request",
        "decision-approved",
        "stage",
    ]:
        assert kind in kinds, kind
    assert kinds.count("contact") == 2
    assert kinds.count("support") == 2  # the undated one too, when it was recorded
    # Asked for and decided (two dates), and the undated pending one asked for.
    assert kinds.count("approval-requested") == 2
    assert kinds.count("approval-decided") == 1
    moments = [event.moment for event in events]
    assert moments == sorted(moments, reverse=True)
    assert events[-1].kind == "first-contact"


def test_events_say_what_when_and_who(busy, personas):
    with translation.override("en"):
        events = timeline(busy, _records(busy))
        by_kind = {event.kind: event for event in events}
        frozen = by_kind["memorandum-frozen"]
        assert frozen.title() == "Memorandum v1 frozen"
        assert frozen.who == personas.officer
        assert frozen.has_time
        assert by_kind["memorandum-signed"].when == datetime.date(2025, 3, 1)
        assert by_kind["memorandum-signed"].detail == "Tehran"
        assert by_kind["stage"].title() == "Stage: Mayoral contact → Goal definition"
        # Outside a request the history row has no user; its reason says who decided.
        assert by_kind["stage"].who is None
        assert by_kind["stage"].detail.endswith("approved by Reza Karimi")
        assert by_kind["request"].title() == (
            "Advance to the next stage requested: Mayoral contact → Goal definition"
        )
        assert by_kind["request"].detail == "Ready for the next stage"
        assert by_kind["decision-approved"].title() == "Request approved"
        assert by_kind["decision-approved"].who == personas.approver
        decided = by_kind["approval-decided"]
        assert decided.when == datetime.date(2024, 9, 1)
        assert decided.detail == "Home city council: Granted · C-12"
        assert by_kind["first-contact"].when == datetime.date(2024, 3, 1)
        # Numbers are left to the output: the dossier writes Persian digits.
        assert frozen.title(lambda value: f"<{value}>") == "Memorandum v<1> frozen"


def test_order_does_not_depend_on_the_order_records_were_read_in(busy):
    records = _records(busy)
    backwards = {name: list(reversed(rows)) for name, rows in records.items()}
    with translation.override("en"):
        assert [(e.kind, e.record.pk, e.when) for e in timeline(busy, records)] == [
            (e.kind, e.record.pk, e.when) for e in timeline(busy, backwards)
        ]


def test_a_save_that_changes_stage_and_status_gives_two_events(personas):
    agreement = agreement_at("contact", home_city=personas.tehran)
    agreement.stage, agreement.status = "goals", "suspended"
    agreement.save()
    with translation.override("en"):
        events = timeline(agreement, {})
        titles = {event.kind: event.title() for event in events}
    assert titles == {
        "stage": "Stage: Mayoral contact → Goal definition",
        "status": "Status: In progress → Suspended",
    }


def test_timeline_reads_one_query_whatever_the_records(busy):
    records = _records(busy)
    assert len(captured(lambda: timeline(busy, records))) == 1


# --- The page and the dossier show the same events ----------------------------------------------


def _page_rows(client, agreement) -> list[tuple[str, str, str]]:
    """The page's timeline as the dossier writes an English row: day, what (and
    who), detail."""
    client.cookies["django_language"] = "en"
    entries = client.get(reverse("agreements:detail", args=[agreement.pk])).context["timeline"]
    return [
        (
            reader_date(entry.event.day, "en"),
            f"{entry.title}\n{entry.who}" if entry.who else entry.title,
            entry.detail,
        )
        for entry in entries
    ]


ISOLATES = dict.fromkeys([0x2068, 0x2069])  # around what people typed (pdf.dossier.isolate)
MOVES = {"stage", "status", "request"}  # the dossier writes these "from … to …", no arrow


def _dossier_rows(agreement, language: str) -> list[tuple[str, ...]]:
    with translation.override(language):
        context = dossier.dossier_context(agreement, language)
    return [tuple(cell["text"].translate(ISOLATES) for cell in row) for row in context["timeline"]]


def _dossier_kinds(agreement, language: str) -> list[str]:
    with translation.override(language):
        return [event["kind"] for event in dossier_data(agreement, language)["timeline"]]


def test_page_and_dossier_show_the_same_events_in_the_same_order(client, personas, busy):
    client.force_login(personas.viewer)
    page = _page_rows(client, busy)
    assert len(page) == len(timeline(busy, _records(busy))) > 15
    rows = _dossier_rows(busy, "en")
    kinds = _dossier_kinds(busy, "en")
    assert len(rows) == len(page) == len(kinds)
    assert MOVES & set(kinds)
    for shown, written, kind in zip(page, rows, kinds, strict=True):
        assert (written[0], written[2]) == (shown[0], shown[2])
        if kind in MOVES:
            assert "→" not in written[1] and " from " in f" {written[1]}".lower()
            # the same person under it
            assert shown[1].split("\n")[1:] == written[1].split("\n")[1:]
        else:
            assert written[1] == shown[1]
    # The page links each event to where its record is shown.
    client.cookies["django_language"] = "en"
    html = client.get(reverse("agreements:detail", args=[busy.pk])).content.decode()
    for anchor in ["section-contacts", "section-memoranda", "requests", "history"]:
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    assert 'href="#facts-heading"' in html and 'id="facts-heading"' in html


def test_dossier_timeline_in_persian_has_persian_digits_and_names(personas, busy):
    rows = _dossier_rows(busy, "fa")
    frozen = next(row for row in rows if row[1].startswith("نسخهٔ ۱ تفاهم‌نامه نهایی شد"))
    assert frozen[1].endswith("officer")
    assert any(row[1] == "مرحله از دیدار شهرداران به تعریف اهداف تغییر کرد" for row in rows)
    assert any(row[1] == "درخواست تأیید شد\nReza Karimi" for row in rows)
    assert not any("←" in row[1] or "→" in row[1] for row in rows)
    assert len(rows) == len(_dossier_rows(busy, "en"))


def test_page_timeline_in_persian_has_persian_digits(client, personas, busy):
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "fa"
    html = client.get(reverse("agreements:detail", args=[busy.pk])).content.decode()
    assert "نسخهٔ ۱ تفاهم‌نامه نهایی شد" in html
    assert "نسخهٔ 1 " not in html


def test_dossier_keeps_the_latest_events_and_says_how_many_are_left_out(busy, monkeypatch):
    monkeypatch.setattr(dossier_module, "TIMELINE_LIMIT", 3)
    with translation.override("en"):
        context = dossier.dossier_context(busy, "en")
        newest = timeline(busy, _records(busy))
    assert len(context["timeline"]) == 3
    assert context["timeline_left_out"] == len(newest) - 3
    assert _dossier_kinds(busy, "en") == [event.kind for event in newest[:3]]
