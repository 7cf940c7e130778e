"""The city directory (no language prefix): the URL names stay `cities:...`."""

from __future__ import annotations

from django.urls import path

from .views import cities as views

app_name = "cities"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.city_create, name="create"),
    path("<int:pk>/", views.city_detail, name="detail"),
    path("<int:pk>/edit/", views.city_edit, name="edit"),
]
