"""Hostile shared links in Chromium: no request goes to a host the link named (only to
127.0.0.1 and the theme's font host), and no image, link, heading or script the link named
appears on the page."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

pytestmark = pytest.mark.browser

LINKS = (
    "/?" + urlencode({"market": "![](http://evil.example/px.png)"}),
    "/labels?" + urlencode({"grain": "\n\n# Dashboard moved to evil.example"}),
    "/vendors?" + urlencode({"vendor": "[text](https://evil.example)", "drill_page": "²"}),
    "/appeals?" + urlencode({"policy": "<img src=http://evil.example/x onerror=alert(1)>"}),
    "/weekly_review?" + urlencode({"week": "٢٠٢٦-W٤٤", "start": "9999-12-31"}),
)
INJECTED = (
    "img[src*='evil.example'], a[href*='evil.example'], script:not([src])[data-x],"
    " [data-testid=stMain] h1:has-text('evil'), [data-testid=stMain] h2:has-text('evil')"
)


@pytest.mark.parametrize("link", LINKS)
def test_a_hostile_link_fetches_nothing_and_injects_nothing(app_url, page, link):
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url + link)
    page.wait_for_selector("[data-testid=stAlertContentWarning]", timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=90_000)
    # The app's own theme font comes from Google Fonts; nothing else leaves the machine, and
    # never a host the link named.
    assert hosts <= {"127.0.0.1", "fonts.gstatic.com"}, hosts
    found = [e.evaluate("e => e.outerHTML")[:300] for e in page.locator(INJECTED).all()]
    assert found == []
    assert dialogs == []
    warning = page.locator("[data-testid=stAlertContentWarning]").first.inner_text()
    assert "evil.example" in warning or "²" in warning or "W" in warning
