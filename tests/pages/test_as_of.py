"""As of: the data's latest decision time on the page and in links, and newer data noticed."""

from __future__ import annotations

from tests.pages.elements import url

LATEST = "22 Nov 2026, 23:58 UTC"  # the test warehouse's newest decision, 23:58:07


def test_the_page_says_how_far_the_data_reaches_and_the_link_keeps_it(app_on_warehouse):
    app = app_on_warehouse()
    assert f"Data through {LATEST}" in [caption.value for caption in app.sidebar.caption]
    assert url(app, "asof") == ["2026-11-22T23:58:07Z"]
    assert not app.info


def test_a_link_shared_before_newer_data_says_newer_data_has_arrived(app_on_warehouse):
    app = app_on_warehouse(asof="2026-11-15T23:59:00Z")
    assert not app.exception and not app.warning
    (note,) = [info.value for info in app.info]
    assert "shared when the data ran through 15 Nov 2026, 23:59 UTC" in note
    assert f"Newer data has arrived since (now through {LATEST})" in note
    # The note stays while the user works with the view; the address bar holds the new as-of.
    assert url(app, "asof") == ["2026-11-22T23:58:07Z"]


def test_a_link_shared_with_the_current_data_says_nothing_newer(app_on_warehouse):
    app = app_on_warehouse(asof="2026-11-22T23:58:07Z")
    assert not app.info
    assert any("no newer data since" in caption.value for caption in app.caption)


def test_a_malformed_as_of_is_dropped_with_a_warning(app_on_warehouse):
    app = app_on_warehouse(asof="yesterday'; DROP TABLE x")
    assert not app.exception
    # Warnings are Markdown-escaped (ui.text.md), so the backslashes are dropped to read them.
    warnings = [w.value.replace("\\", "") for w in app.warning]
    assert any("is not a time like 2026-11-30T23:59:58Z" in w for w in warnings)
