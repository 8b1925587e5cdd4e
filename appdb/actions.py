"""Recorded actions: what a team changed, where, and the impact test it committed to.

Two tables. ``actions`` holds what never changes after creation: the id, when it was
created, and the *frozen impact model* (metric, expected direction, evaluation window in
weeks, control markets), so the impact test is pre-registered and cannot be tuned after
the data are in. ``action_versions`` holds everything a user may edit (dates, scope, kind,
title, description, owner, link); an edit inserts a new version and never updates or
deletes one, so nothing is lost.

Scope lists are stored as JSON text rather than child rows: an action has a handful of
values per dimension, the store is read whole (tens to hundreds of actions), and plain
text compares the same on SQLite, PostgreSQL and MariaDB. Filtering by scope happens here,
in Python, through :func:`overlaps` and the ``visible_markets`` hook, which the access
issue's entitlement can pass without the store knowing about users.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from urllib.parse import urlsplit

import sqlalchemy as sa

from appdb.migrations import register
from metrics.impact import window_end
from metrics.registry import METRICS_BY_NAME

# kind code -> the name people read.
KINDS: dict[str, str] = {
    "guideline_change": "Guideline change",
    "label_change": "Label change",
    "training": "Training",
    "vendor_action": "Vendor action",
    "penalty_rule": "Penalty rule",
    "tooling": "Tooling",
    "other": "Other",
}
DIRECTIONS: dict[str, str] = {"up": "should rise", "down": "should fall"}
SCOPE_FIELDS = ("markets", "policy_areas", "labels", "vendors")
EDITABLE_FIELDS = (
    "title",
    "kind",
    "description",
    "owner",
    "link",
    "start",
    "end",
    *SCOPE_FIELDS,
)
MAX_WINDOW_WEEKS = 52
TITLE_LENGTH = 200

_metadata = sa.MetaData()

actions_table = sa.Table(
    "actions",
    _metadata,
    sa.Column("action_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("metric", sa.String(60), nullable=False),
    sa.Column("expected_direction", sa.String(10), nullable=False),
    sa.Column("window_weeks", sa.Integer, nullable=False),
    sa.Column("control_markets", sa.Text, nullable=False),
)

action_versions = sa.Table(
    "action_versions",
    _metadata,
    sa.Column(
        "action_id",
        sa.Integer,
        sa.ForeignKey("actions.action_id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("title", sa.String(TITLE_LENGTH), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("link", sa.String(1000), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=True),
    sa.Column("markets", sa.Text, nullable=False),
    sa.Column("policy_areas", sa.Text, nullable=False),
    sa.Column("labels", sa.Text, nullable=False),
    sa.Column("vendors", sa.Text, nullable=False),
)


@register("actions_0001_tables")
def _create_tables(connection: sa.Connection) -> None:
    _metadata.create_all(connection, tables=[actions_table, action_versions])


class InvalidAction(ValueError):
    """An action that cannot be recorded as given; the message says what to change."""


class UnknownAction(LookupError):
    """An action id that is not in the app database (or not visible in this scope)."""


@dataclass(frozen=True)
class ImpactModel:
    """The pre-registered impact test, frozen when the action is created."""

    metric: str = "accuracy"
    direction: str = "up"
    window_weeks: int = 4
    control_markets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """One version of a recorded action, with its frozen impact model.

    An empty scope tuple means "every value" of that dimension, as in ``Filters``.
    """

    title: str
    kind: str
    start: dt.date
    end: dt.date | None = None
    description: str = ""
    owner: str = ""
    link: str = ""
    markets: tuple[str, ...] = ()
    policy_areas: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    impact: ImpactModel = field(default_factory=ImpactModel)
    action_id: int | None = None
    version: int | None = None
    recorded_at: dt.datetime | None = None
    recorded_by: str = ""
    created_at: dt.datetime | None = None

    @property
    def kind_name(self) -> str:
        """Return the kind as people read it."""
        return KINDS.get(self.kind, self.kind)

    @property
    def evaluation_end(self) -> dt.date:
        """Return the last day of the evaluation window (``window_weeks`` full weeks)."""
        return window_end(self.start, self.impact.window_weeks)

    def scope(self) -> dict[str, tuple[str, ...]]:
        """Return the scope as a mapping of dimension to its values (empty = all)."""
        return {name: getattr(self, name) for name in SCOPE_FIELDS}


def _now() -> dt.datetime:
    # Naive UTC: DateTime without time zone stores the same on all three engines.
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _values(values: Iterable[str]) -> tuple[str, ...]:
    """Return distinct, stripped, non-empty values in their given order."""
    return tuple(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))


def validate(action: Action) -> Action:
    """Return the action with tidied text and scope, or raise ``InvalidAction`` saying why."""
    title = action.title.strip()
    if not title:
        raise InvalidAction("An action needs a title.")
    if len(title) > TITLE_LENGTH:
        raise InvalidAction(f"The title is longer than {TITLE_LENGTH} characters.")
    if action.kind not in KINDS:
        raise InvalidAction(f"The kind must be one of: {', '.join(KINDS.values())}.")
    if not isinstance(action.start, dt.date):
        raise InvalidAction("An action needs a start date.")
    if action.end is not None and action.end < action.start:
        raise InvalidAction(
            f"The end date ({action.end}) is before the start date ({action.start})."
        )
    link = action.link.strip()
    # Only web links: a javascript: or file: link would run or open something on a click.
    if link and (urlsplit(link).scheme not in ("http", "https") or not urlsplit(link).netloc):
        raise InvalidAction("The link must be a web address starting with http:// or https://.")
    impact = action.impact
    if impact.metric not in METRICS_BY_NAME:
        raise InvalidAction(f"{impact.metric!r} is not one of the dashboard's metrics.")
    if impact.direction not in DIRECTIONS:
        raise InvalidAction("The expected direction must be up or down.")
    if not 1 <= int(impact.window_weeks) <= MAX_WINDOW_WEEKS:
        raise InvalidAction(f"The evaluation window must be 1 to {MAX_WINDOW_WEEKS} weeks.")
    scope = {name: _values(getattr(action, name)) for name in SCOPE_FIELDS}
    controls = _values(impact.control_markets)
    if scope["markets"] and set(controls) & set(scope["markets"]):
        raise InvalidAction("A control market cannot also be in the action's scope.")
    return replace(
        action,
        title=title,
        link=link,
        description=action.description.strip(),
        owner=action.owner.strip(),
        impact=replace(impact, window_weeks=int(impact.window_weeks), control_markets=controls),
        **scope,
    )


def _version_row(action: Action, action_id: int, version: int, by: str) -> dict:
    return {
        "action_id": action_id,
        "version": version,
        "recorded_at": _now(),
        "recorded_by": by,
        "title": action.title,
        "kind": action.kind,
        "description": action.description,
        "owner": action.owner,
        "link": action.link,
        "start_date": action.start,
        "end_date": action.end,
        **{name: json.dumps(list(getattr(action, name))) for name in SCOPE_FIELDS},
    }


def create_action(engine: sa.Engine, action: Action, *, by: str = "") -> Action:
    """Record a new action (version 1) with its frozen impact model; return it as stored."""
    action = validate(action)
    with engine.begin() as connection:
        result = connection.execute(
            actions_table.insert().values(
                created_at=_now(),
                created_by=by,
                metric=action.impact.metric,
                expected_direction=action.impact.direction,
                window_weeks=action.impact.window_weeks,
                control_markets=json.dumps(list(action.impact.control_markets)),
            )
        )
        action_id = int(result.inserted_primary_key[0])
        connection.execute(action_versions.insert().values(_version_row(action, action_id, 1, by)))
    return get_action(engine, action_id)


def edit_action(
    engine: sa.Engine, action_id: int, changes: Mapping[str, object], *, by: str = ""
) -> Action:
    """Record an edit as a new version of the action; return the new version.

    ``changes`` may name only editable fields; the impact model is frozen at creation.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        frozen = unknown & {f.name for f in fields(ImpactModel)} | unknown & {"impact"}
        reason = "is frozen at creation" if frozen else "cannot be edited"
        raise InvalidAction(f"{', '.join(sorted(unknown))} {reason}.")
    with engine.begin() as connection:
        current = _load(connection, [action_id])
        if not current:
            raise UnknownAction(f"There is no action {action_id}.")
        latest = current[-1]
        edited = validate(replace(latest, **changes))
        connection.execute(
            action_versions.insert().values(_version_row(edited, action_id, latest.version + 1, by))
        )
    return get_action(engine, action_id)


def _load(connection: sa.Connection, action_ids: Sequence[int] | None) -> list[Action]:
    """Return every version of the given actions (all when None), by action then version."""
    statement = (
        sa.select(
            actions_table,
            *[column for column in action_versions.c if column.name != "action_id"],
        )
        .join(action_versions, action_versions.c.action_id == actions_table.c.action_id)
        .order_by(actions_table.c.action_id, action_versions.c.version)
    )
    if action_ids is not None:
        statement = statement.where(actions_table.c.action_id.in_(list(action_ids)))
    found = []
    for row in connection.execute(statement).mappings():
        found.append(
            Action(
                title=row["title"],
                kind=row["kind"],
                start=_date(row["start_date"]),
                end=_date(row["end_date"]) if row["end_date"] is not None else None,
                description=row["description"],
                owner=row["owner"],
                link=row["link"],
                **{name: tuple(json.loads(row[name])) for name in SCOPE_FIELDS},
                impact=ImpactModel(
                    metric=row["metric"],
                    direction=row["expected_direction"],
                    window_weeks=int(row["window_weeks"]),
                    control_markets=tuple(json.loads(row["control_markets"])),
                ),
                action_id=int(row["action_id"]),
                version=int(row["version"]),
                recorded_at=row["recorded_at"],
                recorded_by=row["recorded_by"],
                created_at=row["created_at"],
            )
        )
    return found


def _date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def visible(action: Action, visible_markets: Sequence[str] | None) -> bool:
    """Return True when an action may be shown to someone who sees ``visible_markets``.

    ``None`` means every market. An action scoped to all markets is shown to everyone; one
    scoped to markets is shown when at least one of them is visible. This is the hook the
    per-market access control plugs into.
    """
    if visible_markets is None or not action.markets:
        return True
    return bool(set(action.markets) & set(visible_markets))


def history(
    engine: sa.Engine, action_id: int, *, visible_markets: Sequence[str] | None = None
) -> list[Action]:
    """Return every version of an action, oldest first; ``UnknownAction`` when none is visible."""
    with engine.connect() as connection:
        versions = _load(connection, [action_id])
    if not versions or not visible(versions[-1], visible_markets):
        raise UnknownAction(f"There is no action {action_id}.")
    return versions


def get_action(
    engine: sa.Engine, action_id: int, *, visible_markets: Sequence[str] | None = None
) -> Action:
    """Return the latest version of an action; ``UnknownAction`` when it is not there."""
    return history(engine, action_id, visible_markets=visible_markets)[-1]


def list_actions(
    engine: sa.Engine, *, visible_markets: Sequence[str] | None = None
) -> list[Action]:
    """Return the latest version of every visible action, newest start first."""
    with engine.connect() as connection:
        versions = _load(connection, None)
    latest = {action.action_id: action for action in versions}
    shown = [action for action in latest.values() if visible(action, visible_markets)]
    return sorted(shown, key=lambda action: (action.start, action.action_id), reverse=True)


def overlaps(action: Action, scope: Mapping[str, Sequence[str]]) -> bool:
    """Return True when an action's scope meets a view's selection in every dimension.

    In each dimension an empty tuple means "all", so a dimension overlaps when either side
    is empty or the two share a value. ``scope`` may also carry ``start`` and ``end`` dates:
    then the action's days (start to end, or to the end of its evaluation window when it
    has no end) must meet that range.
    """
    for name in SCOPE_FIELDS:
        mine, theirs = set(getattr(action, name)), set(scope.get(name, ()))
        if mine and theirs and not mine & theirs:
            return False
    start, end = scope.get("start"), scope.get("end")
    last = action.end or max(action.start, action.evaluation_end)
    if end is not None and action.start > end:
        return False
    return start is None or last >= start


def actions_overlapping(
    engine: sa.Engine,
    scope: Mapping[str, object],
    *,
    visible_markets: Sequence[str] | None = None,
) -> list[Action]:
    """Return the latest version of every visible action whose scope overlaps ``scope``.

    ``scope`` maps ``markets``, ``policy_areas``, ``labels``, ``vendors`` (and optionally
    ``start``/``end`` dates) to a view's selection; a ``Filters`` converts with
    :func:`scope_of`.
    """
    return [
        action
        for action in list_actions(engine, visible_markets=visible_markets)
        if overlaps(action, scope)
    ]


def scope_of(filters: object) -> dict[str, object]:
    """Return the overlap scope of a ``Filters``-like object (its dimensions and dates)."""
    scope = {name: tuple(getattr(filters, name, ())) for name in SCOPE_FIELDS}
    scope["start"] = getattr(filters, "start", None)
    scope["end"] = getattr(filters, "end", None)
    return scope


def as_record(action: Action) -> dict[str, object]:
    """Return a flat dict of an action, for tables and downloads."""
    record = asdict(action)
    record.update(record.pop("impact"))
    return record
