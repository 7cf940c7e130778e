"""The public pages (no sign-in): /public/, /public/<slug>/, /public/<slug>.geojson."""

from __future__ import annotations

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("", public.public_index, name="index"),
    path("<slug:slug>.geojson", public.public_geojson, name="geojson"),
    path("<slug:slug>/", public.public_municipality, name="municipality"),
]
