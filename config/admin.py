"""The admin site: for administrators only (the global role), never a back door."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SisterCitiesAdminSite(AdminSite):
    site_header = _("Sister Cities administration")
    site_title = _("Sister Cities")
    index_title = _("Administration")

    def has_permission(self, request) -> bool:
        from agreements.permissions import is_administrator

        return bool(request.user.is_active and is_administrator(request.user))

    def login(self, request, extra_context=None):
        # One login page for the whole product (throttled, translated).
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", self.index_url()))

    def index_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:index", current_app=self.name)


class SisterCitiesAdminConfig(AdminConfig):
    default_site = "config.admin.SisterCitiesAdminSite"
