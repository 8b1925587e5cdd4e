"""The filter value every query takes: a date range, a grain and dimension selections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    """A view's selection; an empty tuple means "all values" for that dimension.

    ``start`` and ``end`` are inclusive UTC dates of the decision cohort. The value is
    frozen and hashable so that Streamlit can cache query results per filter set.
    """

    start: dt.date
    end: dt.date
    grain: str = "week"
    markets: tuple[str, ...] = field(default_factory=tuple)
    policy_areas: tuple[str, ...] = field(default_factory=tuple)
    labels: tuple[str, ...] = field(default_factory=tuple)
    vendors: tuple[str, ...] = field(default_factory=tuple)
    queues: tuple[str, ...] = field(default_factory=tuple)
    # Not a sidebar filter: set by a page showing one moderator's detail.
    moderators: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {self.grain!r}")
        if self.end < self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        """Return the number of days the range covers, both ends included."""
        return (self.end - self.start).days + 1

    def previous_period(self) -> Filters:
        """Return the same filters over the period of equal length just before this one."""
        length = dt.timedelta(days=self.days)
        # Near the start of the calendar the earlier period is cut at its first day, where
        # plain subtraction would overflow.
        earliest = dt.date.min
        start = self.start - length if self.start - earliest >= length else earliest
        end = self.start - dt.timedelta(days=1) if self.start > earliest else earliest
        return self.with_range(start, end)

    def with_range(self, start: dt.date, end: dt.date) -> Filters:
        """Return a copy of these filters over another date range."""
        return replace(self, start=start, end=end)
