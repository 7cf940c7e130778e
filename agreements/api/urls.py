"""/api/: the versioned API, its OpenAPI schema and the browsable docs (served
from local static files through drf-spectacular-sidecar; no external host)."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from . import views
from .calendar import CalendarFeedRenewView, CalendarFeedView
from .committees import COMMITTEE_VIEWSETS, ActionPlanItemViewSet
from .delegations import DELEGATION_VIEWSETS
from .exports import ExportJobViewSet
from .imports import ImportView
from .partners import CounterpartViewSet, PartnerLinkViewSet
from .records import RECORD_VIEWSETS, OfficialViewSet
from .verify import VerifyView

router = SimpleRouter()
router.register("cities", views.CityViewSet, basename="city")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("stage-requests", views.StageRequestViewSet, basename="stage-request")
router.register("memoranda", views.MemorandumViewSet, basename="memorandum")
router.register("exports", ExportJobViewSet, basename="export")
for kind, viewset in {**RECORD_VIEWSETS, **COMMITTEE_VIEWSETS}.items():
    router.register(
        rf"agreements/(?P<agreement_pk>{views.ID_PATTERN})/{kind}",
        viewset,
        basename=f"agreement-{kind}",
    )
router.register(
    rf"agreements/(?P<agreement_pk>{views.ID_PATTERN})"
    rf"/memoranda/(?P<memorandum_pk>{views.ID_PATTERN})/officials",
    OfficialViewSet,
    basename="agreement-memorandum-officials",
)
router.register(
    rf"agreements/(?P<agreement_pk>{views.ID_PATTERN})/counterparts",
    CounterpartViewSet,
    basename="agreement-counterparts",
)
router.register(
    rf"memoranda/(?P<memorandum_pk>{views.ID_PATTERN})/partner-links",
    PartnerLinkViewSet,
    basename="memorandum-partner-links",
)
for kind, viewset in DELEGATION_VIEWSETS.items():
    # Records under a delegation (api/delegations.py): participants, programme, ...
    router.register(
        rf"agreements/(?P<agreement_pk>{views.ID_PATTERN})"
        rf"/delegations/(?P<delegation_pk>{views.ID_PATTERN})/{kind}",
        viewset,
        basename=f"agreement-delegation-{kind}",
    )
router.register(
    rf"action-plans/(?P<plan_pk>{views.ID_PATTERN})/items",
    ActionPlanItemViewSet,
    basename="action-plan-items",
)

app_name = "api"

# File answers: their paths end in the file's extension, without a trailing slash.
# A `format` none of their renderers has is 406, not 404 (views.FileNegotiation).
_files = {"pagination_class": None, "content_negotiation_class": views.FileNegotiation}
_pdf = [JSONRenderer, views.PDFRenderer]
_zip = [JSONRenderer, views.ZIPRenderer]


def _agreement_file(method: str, renderers: list, *, detail: bool = True):
    # A file of one agreement takes no list filters; the list's own files do.
    extra = {"filter_backends": []} if detail else {}
    return views.AgreementViewSet.as_view(
        {"get": method}, renderer_classes=renderers, detail=detail, **extra, **_files
    )


memorandum_pdf = _agreement_file("memorandum_pdf", _pdf)
dossier_pdf = _agreement_file("dossier_pdf", _pdf)
signed_mou_zip = _agreement_file("signed_mou_zip", _zip)
signed_memoranda_zip = _agreement_file("signed_memoranda_zip", _zip, detail=False)
export_csv = _agreement_file("export_csv", [JSONRenderer, views.CSVRenderer], detail=False)
export_xlsx = _agreement_file("export_xlsx", [JSONRenderer, views.XLSXRenderer], detail=False)
memorandum_version_pdf = views.MemorandumViewSet.as_view(
    {"get": "pdf"}, renderer_classes=_pdf, detail=True, **_files
)

urlpatterns = [
    path("v1/auth/token/", views.AuthTokenView.as_view(), name="token"),
    path("v1/agreements/<int:pk>/memorandum.pdf", memorandum_pdf, name="agreement-memorandum-pdf"),
    path("v1/agreements/<int:pk>/dossier.pdf", dossier_pdf, name="agreement-dossier-pdf"),
    path("v1/agreements/<int:pk>/signed-mou.zip", signed_mou_zip, name="agreement-signed-mou-zip"),
    path(
        "v1/agreements/signed-memoranda.zip",
        signed_memoranda_zip,
        name="agreement-signed-memoranda-zip",
    ),
    path("v1/memoranda/<int:pk>/pdf", memorandum_version_pdf, name="memorandum-pdf"),
    path("v1/agreements/export.csv", export_csv, name="agreement-export-csv"),
    path("v1/agreements/export.xlsx", export_xlsx, name="agreement-export-xlsx"),
    path("v1/imports/", ImportView.as_view(), name="import"),
    path("v1/verify/<str:code>/", VerifyView.as_view(), name="verify"),
    path("v1/calendar-feed/", CalendarFeedView.as_view(), name="calendar-feed"),
    path("v1/calendar-feed/renew/", CalendarFeedRenewView.as_view(), name="calendar-feed-renew"),
    path("v1/", include(router.urls)),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file and our template has no
    # inline style: the Content-Security-Policy ('self' only) allows the page.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="agreements/api_docs.html"
        ),
        name="docs",
    ),
]
