from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cities.models import City

        from .models import refresh_sort_keys

        # A renamed city's agreements sort under the new name (Agreement.*_sort_key).
        post_save.connect(refresh_sort_keys, sender=City, dispatch_uid="sistercities_sort_keys")

        # The joint committee's and the action plans' admin (it builds on admin.py's
        # RecordAdmin, so admin.py cannot import it without a cycle).
        from . import admin_plans  # noqa: F401
        from .audit import connect_signals

        # Failed logins, logins and lockouts go to the audit log (agreements/audit.py).
        connect_signals()

        from .api import tokens

        # A password change or deactivation revokes the user's API tokens.
        tokens.connect_signals()
