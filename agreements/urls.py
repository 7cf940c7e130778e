"""Staff pages about agreements (no language prefix)."""

from __future__ import annotations

from django.urls import path

from .views import dashboard, detail, lists

app_name = "agreements"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("agreements/", lists.agreement_list, name="list"),
    path("agreements/<int:pk>/", detail.agreement_detail, name="detail"),
]
