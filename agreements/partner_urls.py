"""/partner/<token>/: the partner city's review page and its two forms, without an
account (agreements/views/partner.py). URL names `partner:…`."""

from __future__ import annotations

from django.urls import path

from .views import partner

app_name = "partner"

urlpatterns = [
    path("<str:token>/", partner.partner_page, name="page"),
    path("<str:token>/comment/", partner.partner_comment, name="comment"),
    path("<str:token>/confirm/", partner.partner_confirm, name="confirm"),
]
