"""A seeded generator of hostile shared links, one class per failure the issue found.

``hostile_links(n, seed)`` returns ``n`` (page path, query parameters) pairs spread over
every page and every class: calendar-end and out-of-window dates, Unicode digits in dates,
page numbers and weeks, Markdown and HTML injection in every parameter, repeated and huge
lists, overlong values, SQL text and unknown keys.
"""

from __future__ import annotations

import random

from tests.hostile import HOSTILE_TEXTS

PAGES = ("", "labels", "appeals", "penalties", "vendors", "weekly_review")
PAGE_FILES = {
    "": "pages/overview.py",
    "labels": "pages/labels.py",
    "appeals": "pages/appeals.py",
    "penalties": "pages/penalties.py",
    "vendors": "pages/vendors.py",
    "weekly_review": "pages/weekly_review.py",
}
KEYS = (
    "start", "end", "grain", "market", "policy", "label", "vendor", "queue", "metric",
    "label_detail", "drill_page", "week", "moderator", "trend_vendor", "funnel_metric",
    "view", "breakdown", "charts", "label_sort",
)  # fmt: skip
BAD_DATES = (
    "9999-12-31", "0001-01-01", "1000-01-01", "1999-12-31", "2101-01-01", "20261001",
    "2026-W40-1", "2026-02-30", "\u0662\u0660\u0662\u0666-09-28", "２０２６-09-28", "-1",
    "2026-09-28T00:00", " 2026-09-28", "2026-09-28\n# heading",
)  # fmt: skip
UNICODE_NUMBERS = ("\u00b2", "\u0663", "３", "0" * 5000 + "1", "99999999999", "-1", "1e3")
UNICODE_WEEKS = ("\u0662\u0660\u0662\u0666-W\u0664\u0664", "9999-W52", "0001-W01", "2026-W99")
EXTRA = (
    "US' OR '1'='1", "'; DROP TABLE decisions; --", "x" * 5000, "%00", "\x00", "\u202e",
    "javascript:alert(1)", ":red[alarm]", "$x^2$", "www.evil.example",
)  # fmt: skip
CLASSES = ("dates", "numbers", "weeks", "markup", "repeated", "sql", "keys", "mixed")


def _value(rng: random.Random) -> str:
    return rng.choice(HOSTILE_TEXTS + EXTRA)


def _link(rng: random.Random, kind: str) -> dict[str, list[str]]:
    if kind == "dates":
        return {"start": [rng.choice(BAD_DATES)], "end": [rng.choice(BAD_DATES)]}
    if kind == "numbers":
        return {"drill_page": [rng.choice(UNICODE_NUMBERS)], "label_detail": ["listing_duplicate"]}
    if kind == "weeks":
        return {"week": [rng.choice(UNICODE_WEEKS)]}
    if kind == "markup":
        return {rng.choice(KEYS): [_value(rng)]}
    if kind == "repeated":
        return {rng.choice(KEYS[3:8]): [_value(rng) for _ in range(rng.choice((2, 50, 400)))]}
    if kind == "sql":
        return {key: [rng.choice(EXTRA[:2])] for key in rng.sample(KEYS, 3)}
    if kind == "keys":
        return {_value(rng)[:60]: [_value(rng)] for _ in range(rng.choice((1, 5, 30)))}
    return {key: [_value(rng)] for key in rng.sample(KEYS, rng.randint(2, 8))}


def hostile_links(count: int = 1200, seed: int = 16) -> list[tuple[str, dict[str, list[str]]]]:
    """Return ``count`` hostile (page, params) links, every page and class in turn."""
    rng = random.Random(seed)
    return [
        (PAGES[index % len(PAGES)], _link(rng, CLASSES[index % len(CLASSES)]))
        for index in range(count)
    ]
