"""The filter value every query takes: a date range, a grain and dimension selections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Grant:
    """One entitlement: these markets (None: every market) and these vendors (None: every
    vendor), as granted together to one group or user."""

    markets: tuple[str, ...] | None = None
    vendors: tuple[str, ...] | None = None

    def intersect(self, other: Grant) -> Grant:
        """Return the grant covering only rows both grants allow."""
        return Grant(_meet(self.markets, other.markets), _meet(self.vendors, other.vendors))

    @property
    def is_empty(self) -> bool:
        """Return True when the grant allows no row at all."""
        return self.markets == () or self.vendors == ()


def _meet(ours: tuple[str, ...] | None, theirs: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if ours is None:
        return theirs
    if theirs is None:
        return ours
    return tuple(value for value in ours if value in theirs)


@dataclass(frozen=True)
class Scope:
    """The rows a user may see: the union of their grants (markets x vendors each).

    A union of grants rather than one market set and one vendor set, because a user in two
    groups (markets DE with every vendor; US with one vendor) must see exactly both and no
    cross product. ``Scope()`` is everything (no login, an admin, the command line); a scope
    with no grants is nothing (default deny). Frozen and hashable, so cached query results
    are keyed on it as part of ``Filters``.
    """

    grants: tuple[Grant, ...] = (Grant(),)

    @classmethod
    def nothing(cls) -> Scope:
        """Return the scope that allows no row (a user with no entitlement)."""
        return cls(grants=())

    @classmethod
    def of(cls, grants: Sequence[Grant]) -> Scope:
        """Return the union of grants, dropping empty ones and collapsing to everything."""
        kept = tuple(dict.fromkeys(grant for grant in grants if not grant.is_empty))
        if Grant() in kept:
            return cls()
        return cls(grants=kept)

    @property
    def is_everything(self) -> bool:
        """Return True when the scope restricts nothing."""
        return Grant() in self.grants

    @property
    def is_nothing(self) -> bool:
        """Return True when the scope allows no row."""
        return not self.grants

    def intersect(self, other: Scope) -> Scope:
        """Return the scope of rows both scopes allow (a union of pairwise intersections)."""
        return Scope.of([ours.intersect(theirs) for ours in self.grants for theirs in other.grants])

    def markets(self) -> tuple[str, ...] | None:
        """Return the markets some grant allows, or None when a grant allows every market."""
        return _union(grant.markets for grant in self.grants)

    def vendors(self) -> tuple[str, ...] | None:
        """Return the vendors some grant allows, or None when a grant allows every vendor."""
        return _union(grant.vendors for grant in self.grants)

    def allows(self, market_code: str, vendor_code: str) -> bool:
        """Return True when a row of this market and vendor belongs to the scope."""
        return any(
            (grant.markets is None or market_code in grant.markets)
            and (grant.vendors is None or vendor_code in grant.vendors)
            for grant in self.grants
        )

    def describe(self) -> str:
        """Return the scope in words: "every market", or its markets and vendors."""
        if self.is_everything:
            return "every market"
        if self.is_nothing:
            return "no market"
        parts = []
        for grant in self.grants:
            markets = ", ".join(grant.markets) if grant.markets is not None else "every market"
            vendors = f" (vendors {', '.join(grant.vendors)})" if grant.vendors is not None else ""
            parts.append(markets + vendors)
        return "; ".join(parts)


# The scope of a viewer who may see everything: no login configured, an admin, the CLI.
EVERYTHING = Scope()


def _union(values: Iterable[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    merged: dict[str, None] = {}
    for group in values:
        if group is None:
            return None
        merged.update(dict.fromkeys(group))
    return tuple(sorted(merged))


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
    # Never from a link: the viewer's entitlement, applied by data_access to every query on
    # top of the selections above (effective filter = selections AND scope).
    scope: Scope = field(default_factory=Scope)

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

    def within(self, scope: Scope) -> Filters:
        """Return these filters narrowed to rows that ``scope`` also allows."""
        return replace(self, scope=self.scope.intersect(scope))

    def with_range(self, start: dt.date, end: dt.date) -> Filters:
        """Return a copy of these filters over another date range."""
        return replace(self, start=start, end=end)
