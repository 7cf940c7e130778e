"""Page-number pagination that stays fast on large tables (as agreements/pagination.py).

Every list answers {"count", "next", "previous", "results"}, and the same links in
an RFC 8288 `Link` header (rel "next", "prev", "first"). `page` is 1 or more and
`page_size` 1 to 500 (50 when not given): anything else is 400
`invalid_parameter`; a page past the last is 404. The page's rows are
read as page_size + 1 rows (the extra one only says whether a next page exists)
and `count` is counted over at most COUNT_CAP + 1 rows, so a list of 100,000
agreements costs two small queries. When more rows match than COUNT_CAP,
`count` is COUNT_CAP and the response carries the header
`X-Total-Count-Capped: true`; follow `next` until it is null to read everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..dates import format_number
from ..pagination import COUNT_CAP, MAX_PAGE
from .filters import InvalidParameters

CAPPED_HEADER = "X-Total-Count-Capped"
MAX_PAGE_SIZE = 500
BAD_PAGE = _("A page number from 1 to %(max)s.")
BAD_PAGE_SIZE = _("A page size from 1 to %(max)s.")


def _bounded(request, name: str, default: int, maximum: int, message) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        raise InvalidParameters(
            {
                name: [
                    ErrorDetail(str(message) % {"max": format_number(maximum)}, code="out_of_range")
                ]
            }
        )
    return value


class CappedPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    count_cap = COUNT_CAP

    def get_page_size(self, request) -> int:
        return _bounded(request, "page_size", self.page_size, self.max_page_size, BAD_PAGE_SIZE)

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        size = self.get_page_size(request)
        number = _bounded(request, self.page_query_param, 1, MAX_PAGE, BAD_PAGE)
        raw = str(number)
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        if number > 1 and not rows:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message=""))
        self.number = number
        self.has_next = len(rows) > size
        total = queryset.order_by()[: self.count_cap + 1].count()
        self.capped = total > self.count_cap
        self.count = min(total, self.count_cap)
        return rows[:size]

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_first_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.page_query_param)

    def get_paginated_response(self, data: Any) -> Response:
        headers = {CAPPED_HEADER: "true"} if self.capped else {}
        links = [(self.get_next_link(), "next"), (self.get_previous_link(), "prev")]
        links.append((self.get_first_link(), "first"))
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url)
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            },
            headers=headers,
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count"]["description"] = (
            f"Number of matching rows, counted up to {self.count_cap}. When more match, "
            f"this is {self.count_cap} and the header {CAPPED_HEADER}: true is set; "
            "follow `next` until it is null."
        )
        return result

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": MAX_PAGE}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size, "default": 50}
                parameter["description"] = (
                    f"Rows per page: 1 to {self.max_page_size}, 50 by default."
                )
        return parameters
