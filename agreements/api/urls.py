"""/api/: the versioned API, its OpenAPI schema and the browsable docs (served
from local static files through drf-spectacular-sidecar; no external host)."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from . import views
from .exports import ExportJobViewSet
from .records import RECORD_VIEWSETS

router = SimpleRouter()
router.register("cities", views.CityViewSet, basename="city")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("stage-requests", views.StageRequestViewSet, basename="stage-request")
router.register("memoranda", views.MemorandumViewSet, basename="memorandum")
router.register("exports", ExportJobViewSet, basename="export")
for kind, viewset in RECORD_VIEWSETS.items():
    router.register(
        rf"agreements/(?P<agreement_pk>{views.ID_PATTERN})/{kind}",
        viewset,
        basename=f"agreement-{kind}",
    )

app_name = "api"

# File answers: their paths end in the file's extension, without a trailing slash.
_files = {"pagination_class": None}
memorandum_pdf = views.AgreementViewSet.as_view(
    {"get": "memorandum_pdf"},
    renderer_classes=[JSONRenderer, views.PDFRenderer],
    filter_backends=[],
    detail=True,
    **_files,
)
export_csv = views.AgreementViewSet.as_view(
    {"get": "export_csv"},
    renderer_classes=[JSONRenderer, views.CSVRenderer],
    detail=False,
    **_files,
)
export_xlsx = views.AgreementViewSet.as_view(
    {"get": "export_xlsx"},
    renderer_classes=[JSONRenderer, views.XLSXRenderer],
    detail=False,
    **_files,
)

urlpatterns = [
    path("v1/auth/token/", views.AuthTokenView.as_view(), name="token"),
    path("v1/agreements/<int:pk>/memorandum.pdf", memorandum_pdf, name="agreement-memorandum-pdf"),
    path("v1/agreements/export.csv", export_csv, name="agreement-export-csv"),
    path("v1/agreements/export.xlsx", export_xlsx, name="agreement-export-xlsx"),
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
