"""Top-level URLs: pages without a language prefix, the admin and authentication."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agreements.views import verify
from agreements.views.language import set_language

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's set_language, also saved on the user's profile.
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # Anonymous: anyone holding a signed memorandum checks its integrity code (issue 20).
    path("verify/", verify.verify_form, name="verify-form"),
    path("verify/<str:code>/", verify.verify_memorandum, name="verify-memorandum"),
    # REST API /api/v1/, OpenAPI schema /api/schema/, Swagger UI /api/docs/.
    path("api/", include("agreements.api.urls")),
    # The partner city's review page, by token, without an account.
    path("partner/", include("agreements.partner_urls")),
    # Staff pages: dashboard at /, /agreements/, /cities/.
    path("cities/", include("agreements.city_urls")),
    # Public pages for anyone, signed in or not (issue 23): /public/, /public/<slug>/.
    path("public/", include("agreements.public_urls")),
    path("", include("agreements.urls")),
]

# Error pages with an error id and no traceback (agreements/errors.py).
handler400 = "agreements.errors.bad_request"
handler403 = "agreements.errors.permission_denied"
handler404 = "agreements.errors.page_not_found"
handler500 = "agreements.errors.server_error"
