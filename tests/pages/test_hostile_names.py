"""Hostile names in the warehouse (vendor, label, market names, moderator ids) stay text on
every page, in charts and in the HTML report."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import duckdb
import pytest
import sqlalchemy as sa

from data_access.engine import duckdb_read_only_args
from review.report import render_html
from review.weekly import build_review
from tests.hostile import HOSTILE_TEXTS, page_markup
from tests.pages.views import VIEWS

PAGES = (
    "pages/overview.py",
    "pages/labels.py",
    "pages/appeals.py",
    "pages/penalties.py",
    "pages/vendors.py",
    "pages/weekly_review.py",
    "pages/coverage.py",
)
MODERATOR = "<img src=x onerror=alert(1)>mod"


@pytest.fixture(scope="module")
def hostile_url(duckdb_url, tmp_path_factory) -> str:
    """Return a copy of the test warehouse whose names each carry one hostile text."""
    path = tmp_path_factory.mktemp("hostile") / "names.duckdb"
    shutil.copy(sa.make_url(duckdb_url).database, path)
    connection = duckdb.connect(str(path))
    try:
        for table, key, column in (
            ("vendors", "vendor_code", "vendor_name"),
            ("policy_labels", "label_code", "label_name"),
            ("markets", "market_code", "market_name"),
        ):
            codes = [
                row[0]
                for row in connection.execute(f"SELECT {key} FROM {table} ORDER BY 1").fetchall()
            ]
            for index, code in enumerate(codes):
                hostile = HOSTILE_TEXTS[index % len(HOSTILE_TEXTS)]
                connection.execute(
                    f"UPDATE {table} SET {column} = {column} || ? WHERE {key} = ?", [hostile, code]
                )
        busiest = connection.execute(
            "SELECT moderator_id FROM decisions WHERE NOT is_automated "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        connection.execute(
            "UPDATE decisions SET moderator_id = ? WHERE moderator_id = ?", [MODERATOR, busiest]
        )
    finally:
        connection.close()
    return f"duckdb:///{path}"


@pytest.fixture
def open_hostile(hostile_url, monkeypatch):
    from tests.pages.conftest import _app_factory

    yield _app_factory(hostile_url, monkeypatch)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_hostile_warehouse_names_as_text(open_hostile, page):
    app = open_hostile(page=page)
    assert not app.exception, app.exception
    assert page_markup(app) == []


@pytest.mark.parametrize(("page", "link", "_"), [view for view in VIEWS if view.values[1]])
def test_every_section_shows_hostile_warehouse_names_as_text(open_hostile, page, link, _):
    app = open_hostile(page=page, **link)
    assert not app.exception, app.exception
    assert page_markup(app) == []


def test_label_detail_and_moderator_detail_keep_hostile_names_as_text(open_hostile):
    app = open_hostile(page="pages/labels.py", label_detail="listing_duplicate")
    assert not app.exception
    assert any("Label detail" in element.value for element in app.subheader)
    assert page_markup(app) == []
    app = open_hostile(page="pages/vendors.py", moderator=MODERATOR)
    assert not app.exception
    assert any("\\<img" in element.value for element in app.markdown), "the moderator is shown"
    assert page_markup(app) == []


class Tags(HTMLParser):
    """Lists the elements a browser would build from an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_html_report_escapes_hostile_names(hostile_url):
    engine = sa.create_engine(hostile_url, connect_args=duckdb_read_only_args())
    try:
        review = build_review(engine, "2026-W46")
    finally:
        engine.dispose()
    document = render_html(review)
    parser = Tags()
    parser.feed(document)
    names = [tag for tag, _ in parser.tags]
    figures = [a for tag, a in parser.tags if "plotly-graph-div" in (a.get("class") or "")]
    assert figures
    # One script for plotly.js and one per figure: no name opened another.
    assert names.count("script") == 1 + len(figures)
    assert names.count("h1") == 1
    assert not {"img", "iframe", "object", "embed"} & set(names)
    assert all("evil.example" not in (a.get("href") or "") for _, a in parser.tags)
    # The names are there, as text.
    assert "&lt;img src=x onerror=alert(1)&gt;" in document or "\\u003cimg" in document
