"""Staff pages about agreements (no language prefix)."""

from __future__ import annotations

from django.urls import path

from .models import RequestAction
from .views import (
    actions,
    approvals,
    bulk,
    calendar,
    dashboard,
    delegations,
    detail,
    export_jobs,
    exports,
    files,
    history,
    imports,
    lists,
    partners,
    plans,
    records,
)

app_name = "agreements"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("agreements/", lists.agreement_list, name="list"),
    # Export of the filtered list and import for administrators (helper api).
    path("agreements/export.csv", exports.export_csv, name="export-csv"),
    path("agreements/export.xlsx", exports.export_xlsx, name="export-xlsx"),
    # Exports too long for one answer, written in the background (views/export_jobs.py).
    path("agreements/exports/", export_jobs.export_list, name="exports"),
    path("agreements/exports/new/", export_jobs.export_start, name="export-start"),
    path("agreements/exports/<uuid:job_id>/", export_jobs.export_detail, name="export-detail"),
    path(
        "agreements/exports/<uuid:job_id>/download/",
        export_jobs.export_download,
        name="export-download",
    ),
    path("agreements/import/", imports.import_agreements, name="import"),
    path("agreements/<int:pk>/", detail.agreement_detail, name="detail"),
    # The agreement page's parts (ui2): forms, actions, history, files, approvals queue.
    path("agreements/new/", records.agreement_create, name="create"),
    path("agreements/<int:pk>/edit/", records.agreement_edit, name="edit"),
    path("agreements/<int:pk>/history/", history.agreement_history, name="history"),
    # Every consequential move is a request (request-advance, request-upgrade,
    # request-reopen, request-suspend, request-resume, request-terminate) that an
    # approver other than the requester approves or rejects.
    *(
        path(
            f"agreements/<int:pk>/request-{action}/",
            actions.make_request,
            {"action": action},
            name=f"request-{action}",
        )
        for action in RequestAction.values
    ),
    path("agreements/<int:pk>/requests/<int:request_id>/approve/", actions.approve, name="approve"),
    path("agreements/<int:pk>/requests/<int:request_id>/reject/", actions.reject, name="reject"),
    path(
        "agreements/<int:pk>/requests/<int:request_id>/withdraw/",
        actions.withdraw,
        name="withdraw",
    ),
    path(
        "agreements/<int:pk>/memoranda/<int:memorandum_id>/freeze/",
        actions.freeze_memorandum,
        name="memorandum-freeze",
    ),
    path(
        "agreements/<int:pk>/memoranda/<int:memorandum_id>/pdf/",
        files.memorandum_pdf,
        name="memorandum-pdf",
    ),
    # The partner's review of a memorandum draft (views/partners.py).
    path(
        "agreements/<int:pk>/memoranda/<int:memorandum_id>/partner-links/new/",
        partners.partner_link_create,
        name="partner-link-create",
    ),
    path(
        "agreements/<int:pk>/memoranda/<int:memorandum_id>/partner-links/<int:link_id>/revoke/",
        partners.partner_link_revoke,
        name="partner-link-revoke",
    ),
    path(
        "agreements/<int:pk>/memoranda/<int:memorandum_id>/partner-comments/<int:comment_id>/reply/",
        partners.partner_comment_reply,
        name="partner-comment-reply",
    ),
    path(
        "agreements/<int:pk>/committee-meetings/<int:meeting_id>/make-item/",
        plans.meeting_make_item,
        name="meeting-make-item",
    ),
    path("agreements/<int:pk>/dossier.pdf", files.dossier_pdf, name="dossier-pdf"),
    path("agreements/<int:pk>/signed-mou.zip", files.signed_mou_export, name="signed-mou-export"),
    path(
        "agreements/<int:pk>/documents/<int:document_id>/download/",
        files.document_download,
        name="document-download",
    ),
    # A delegation's page and what is recorded under it (views/delegations.py).
    path(
        "agreements/<int:pk>/delegations/<int:delegation_id>/",
        delegations.delegation_detail,
        name="delegation",
    ),
    path(
        "agreements/<int:pk>/delegations/<int:delegation_id>/programme.pdf",
        delegations.programme_pdf,
        name="delegation-programme-pdf",
    ),
    path(
        "agreements/<int:pk>/delegations/<int:delegation_id>/<slug:kind>/new/",
        delegations.part_create,
        name="delegation-part-create",
    ),
    path(
        "agreements/<int:pk>/delegations/<int:delegation_id>/<slug:kind>/<int:record_id>/edit/",
        delegations.part_edit,
        name="delegation-part-edit",
    ),
    path(
        "agreements/<int:pk>/delegations/<int:delegation_id>/<slug:kind>/<int:record_id>/delete/",
        delegations.part_delete,
        name="delegation-part-delete",
    ),
    path("gifts/", delegations.gift_register, name="gift-register"),
    path("gifts/export.csv", delegations.gift_register_csv, name="gift-register-csv"),
    path("gifts/export.xlsx", delegations.gift_register_xlsx, name="gift-register-xlsx"),
    # Records of every kind (views.sections.KINDS: contacts, goals, ..., documents).
    path("agreements/<int:pk>/<slug:kind>/new/", records.record_create, name="record-create"),
    path(
        "agreements/<int:pk>/<slug:kind>/<int:record_id>/edit/",
        records.record_edit,
        name="record-edit",
    ),
    path(
        "agreements/<int:pk>/<slug:kind>/<int:record_id>/delete/",
        records.record_delete,
        name="record-delete",
    ),
    path(
        "agreements/signed-memoranda.zip",
        bulk.signed_mou_bulk_export,
        name="signed-mou-bulk-export",
    ),
    path("approvals/", approvals.approvals, name="approvals"),
    # The private calendar feed (no session: the token is the credential) and the
    # page to subscribe from (views/calendar.py).
    path("calendar/", calendar.subscribe, name="calendar"),
    path("calendar/renew/", calendar.renew, name="calendar-renew"),
    path("calendar/revoke/", calendar.revoke, name="calendar-revoke"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
