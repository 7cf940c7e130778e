"""Django's makemessages, also extracting `_g("...")`.

The codebase imports `gettext as _g` next to `gettext_lazy as _` (the eager and
the lazy form in one module); xgettext knows only the standard names, so without
this the `_g` strings would never reach the catalogues and stay in English.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]
