"""Page lists without counting every row: at national scale an exact count costs
more than the page itself, and nobody pages through thousands of people."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap` + 1; `is_capped` says the real count is higher."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        # Neither the order nor the annotations change how many rows there are.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
