"""Pagination that stays fast on large tables.

Django's Paginator counts every matching row on every page view; at 100,000
agreements that COUNT(*) (with the list's joins and filters) dominates the page.
Here instead:

- the page's rows are fetched as `per_page + 1` rows (OFFSET/LIMIT): the extra
  row only tells whether there is a next page;
- the total is counted over at most `count_cap + 1` rows
  (SELECT COUNT(*) FROM (... LIMIT count_cap + 1)), so the count stops early and
  the page says "more than 10,000" instead of an exact figure nobody needs.

- deep pages skip rows by id only (`page_rows`: a deferred join), so page 2,000
  costs about what page 1 does when the order has an index;
- past the cap, the count is exact (one COUNT(*) in place of the capped one), and
  a page nearer the end than the start is read backwards from the end: the last
  page of 100,000 skips nothing instead of 99,950 index entries.

Three queries per page whatever the table size. (Keyset pagination would not
need the OFFSET at all but cannot follow the list's user-chosen sort columns.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

PER_PAGE = 50
COUNT_CAP = 10_000
# Beyond it the OFFSET overflows the databases' 64-bit integers (SQLite raises
# OverflowError, PostgreSQL "bigint out of range"); nobody pages that far.
MAX_PAGE = 1_000_000
INVALID_PAGE = _("There is no page %(number)s.")


@dataclass
class Page:
    object_list: list
    number: int
    per_page: int
    has_next: bool
    total: int
    total_capped: bool  # True: there are more than `total` rows

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """min(count, cap) and whether there are more: the database stops after cap + 1 rows."""
    total = queryset.order_by()[: cap + 1].count()
    return min(total, cap), total > cap


def page_rows(queryset: QuerySet, offset: int, limit: int, total: int | None = None) -> list:
    """queryset[offset:offset + limit], found by id first (a "deferred join").

    An OFFSET makes the database produce every skipped row: with the list's
    joins (home and partner city) page 2,000 of 100,000 agreements joined 100,000
    rows to throw them away. Here the skipping happens on ids alone, which the
    order's index answers without touching the rows (SELECT id ... ORDER BY
    created_at DESC, id DESC OFFSET n: an index-only scan), and only the page's
    rows are then read with their joins. One query more, whatever the page.

    With `total` (the exact number of rows) a page in the second half is read in
    the reverse order (every ORDER BY term flipped, the id included, so it is the
    exact mirror) from the end, skipping `total - offset - limit` rows instead of
    `offset`.
    """
    ids_in_order = queryset.values_list("pk", flat=True)
    end = offset + limit
    if total is not None and total - end < offset:
        start_from_end = max(total - end, 0)
        stop_from_end = max(total - offset, 0)
        ids = list(ids_in_order.reverse()[start_from_end:stop_from_end])[::-1]
    else:
        ids = list(ids_in_order[offset:end])
    # [0] matches nothing (ids start at 1) but still runs the query: an empty page
    # costs the same queries as a full one.
    found = {row.pk: row for row in queryset.filter(pk__in=ids or [0])}
    return [found[pk] for pk in ids if pk in found]


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page asked for: 1 when absent or not a number, 404 past MAX_PAGE (as
    Django's paginator answers for a page that does not exist)."""
    raw = request.GET.get(name, "1")
    try:
        number = int(raw)
    except ValueError:
        return 1
    if number > MAX_PAGE:
        raise Http404(INVALID_PAGE % {"number": raw[:30]})
    return max(number, 1)


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    per_page: int = PER_PAGE,
    count_cap: int = COUNT_CAP,
    count: bool = True,
) -> Page:
    """One page of `queryset`. With count=False (a page that shows no total) the
    count query is skipped: `total` is then the rows up to this page and
    `total_capped` says whether more follow."""
    number = page_number(request)
    offset = (number - 1) * per_page
    exact = None
    if count and offset >= count_cap:
        # Deep in a long list: the exact count (it costs about what skipping
        # `offset` index entries would) lets page_rows read the end backwards.
        exact = queryset.order_by().count()
    rows = page_rows(queryset, offset, per_page + 1, total=exact)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if not count:
        total, capped = offset + len(rows), has_next
    elif exact is not None:
        total, capped = exact, False
    else:
        # Counted even when everything fits on one page: the same queries for
        # every list, whatever its size.
        total, capped = capped_count(queryset, count_cap)
    return Page(
        object_list=rows,
        number=number,
        per_page=per_page,
        has_next=has_next,
        total=total,
        total_capped=capped,
    )
