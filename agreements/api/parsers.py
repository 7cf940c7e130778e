"""The API's JSON parser: DRF's, with a bound on nesting.

Python's json module parses recursively: a body of 100,000 "[" raised
RecursionError, which DRF's parser does not catch (a 500). No request of this API
nests deeper than a list inside an object, so anything deeper than MAX_DEPTH is
refused with 400 before a serializer sees it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
TOO_DEEP = _("JSON parse error - the body is nested more than %(limit)s levels deep.")


def depth_exceeds(data: Any, limit: int) -> bool:
    """Whether lists and objects in `data` nest more than `limit` levels (iterative:
    no recursion on hostile input)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP % {"limit": self.max_depth})
        if depth_exceeds(data, self.max_depth):
            raise ParseError(TOO_DEEP % {"limit": self.max_depth})
        return data
