"""Content negotiation: DRF's, with an empty `?format=` refused like any unknown
format (404), rather than read as no format at all. The schema lists the formats
of an operation as an enum; an empty value is not one of them."""

from __future__ import annotations

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(api_settings.URL_FORMAT_OVERRIDE, None) == "":
            raise Http404
        return super().select_renderer(request, renderers, format_suffix)
