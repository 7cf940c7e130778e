"""Errors of the domain as HTTP answers, the same for every API view.

- WorkflowError (GateNotMet, Conflict): 409 {"detail", "missing"}
- agreements.files.StoredFileMismatch (a stored file missing or changed):
  409 {"detail", "code": "file_mismatch"}; the audit line is already written
- agreements.permissions.Forbidden: 403 {"detail"}
- Http404: 404 (DRF's own handling)
- django.core.exceptions.ValidationError (a service's full_clean): 400 with
  field errors, as a serializer's errors look
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ..files import StoredFileMismatch
from ..permissions import Forbidden
from ..services import WorkflowError


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
            for name, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, WorkflowError):
        return Response(
            {"detail": exc.message, "missing": [str(item) for item in exc.missing]},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, StoredFileMismatch):
        return Response(
            {"detail": exc.message, "code": "file_mismatch"}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, Forbidden):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    return drf_exception_handler(exc, context)
