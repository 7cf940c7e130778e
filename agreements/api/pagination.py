"""Page-number pagination that stays fast on large tables (as agreements/pagination.py).

Every list answers {"count", "next", "previous", "results"}. The page's rows are
read as page_size + 1 rows (the extra one only says whether a next page exists)
and `count` is counted over at most COUNT_CAP + 1 rows, so a list of 100,000
agreements costs two small queries. When more rows match than COUNT_CAP,
`count` is COUNT_CAP and the response carries the header
`X-Total-Count-Capped: true`; follow `next` until it is null to read everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..pagination import COUNT_CAP, MAX_PAGE

CAPPED_HEADER = "X-Total-Count-Capped"


class CappedPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    count_cap = COUNT_CAP

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise NotFound(self.invalid_page_message.format(page_number=raw, message=""))
        if not 1 <= number <= MAX_PAGE:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message=""))
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

    def get_paginated_response(self, data: Any) -> Response:
        headers = {CAPPED_HEADER: "true"} if self.capped else {}
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
