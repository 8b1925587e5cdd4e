"""Pages that fit: at 1280x800 and 1024x768 no table, tile, caption or chart label is cut, and
nothing scrolls sideways."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/labels",
    "/appeals",
    "/penalties",
    "/vendors",
    "/weekly_review",
    "/actions",
    "/coverage",
    "/glossary",
    # Sections a link opens (ui.sections) whose tables the default views do not show.
    "/labels?section=mix",
    "/appeals?section=market",
    "/penalties?section=overturn",
    "/vendors?section=markets",
    "/weekly_review?section=moved",
    "/weekly_review?section=standing",
    "/weekly_review?section=pooled",
)
SIZES = ((1280, 800), (1024, 768))
# Every table, tile and caption in the main area: each must show all of its content.
CUT_ELEMENTS = """
() => {
  const cut = [];
  const main = document.querySelector('[data-testid=stMain]');
  const kinds = ['stDataFrame', 'stTable', 'stMetric', 'stCaptionContainer']
    .map((kind) => `[data-testid=${kind}]`).join(', ');
  for (const element of main.querySelectorAll(kinds)) {
    const kind = element.getAttribute('data-testid');
    // A grid held at Streamlit's 52 px minimum inside a wider container has not laid out
    // (see below); its width says nothing about the table's columns.
    if (kind === 'stDataFrame' && element.clientWidth < 60
        && element.parentElement.clientWidth > 120) {
      continue;
    }
    // A grid not drawn yet has no scroller and would pass as the box's own width: report it,
    // so the wait below lasts until the columns are laid out (an early pass hid a table
    // 1,829 px wide in 818).
    // A table inside a closed expander is not drawn and not seen.
    if (!element.checkVisibility()) {
      continue;
    }
    if (kind === 'stDataFrame' && !element.querySelector('.dvn-scroller')) {
      cut.push('stDataFrame not drawn yet');
      continue;
    }
    // An interactive table scrolls in its canvas scroller, a static one in the table's box.
    const scroller = element.querySelector('.dvn-scroller')
      || element.querySelector('table')?.parentElement || element;
    if (scroller.scrollWidth > scroller.clientWidth + 1) {
      cut.push(`${kind} scrolls sideways (${scroller.scrollWidth} > ${scroller.clientWidth}): `
               + element.innerText.slice(0, 60));
    }
    for (const part of element.querySelectorAll('*')) {
      const style = getComputedStyle(part);
      if (style.textOverflow === 'ellipsis' && part.scrollWidth > part.clientWidth + 1) {
        cut.push(`${kind} text cut: ${part.innerText.slice(0, 60)}`);
      }
    }
  }
  // A chart's tick labels and axis titles lie inside its drawing: fixed margins (where a
  // chart turns Plotly's automargin off, charts.trend) must leave them room.
  for (const chart of main.querySelectorAll('.js-plotly-plot')) {
    const drawing = chart.querySelector('.main-svg');
    if (!drawing || !chart.checkVisibility()) {
      continue;
    }
    const box = drawing.getBoundingClientRect();
    const labels = chart.querySelectorAll(
      '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text');
    for (const label of labels) {
      const r = label.getBoundingClientRect();
      if (!label.textContent.trim() || r.width === 0) {
        continue;
      }
      if (r.left < box.left - 1 || r.right > box.right + 1
          || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        cut.push(`chart label cut: ${label.textContent.slice(0, 40)}`);
      }
    }
  }
  return cut;
}
"""

# A data grid collapsed to its minimum width inside a wider container.
COLLAPSED_GRID = """
() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stDataFrame]')]
  .some((grid) => grid.clientWidth < 60 && grid.parentElement.clientWidth > 120)
"""


# Every visible grid in the main area has mounted its canvas and taken its width.
LAID_OUT = """
() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stDataFrame]')]
  .filter((grid) => grid.checkVisibility())
  .every((grid) => grid.querySelector('.dvn-scroller') && grid.clientWidth >= 60)
"""


def wait_until_drawn(page) -> None:
    """Wait for the page's title, the end of the app's run, and every element it drew."""
    page.wait_for_selector("[data-testid=stMain] h1", timeout=120_000)
    # The script has finished its run (the title is drawn early in it, and this app shows no
    # "Running" widget, so neither says the page is complete), and the frontend has mounted
    # what it sent: elements whose code is still loading stand as skeletons after the run
    # ends (about a second on Labels), and a test that judged then judged no table at all.
    page.wait_for_function(
        "document.querySelector('[data-testid=stApp]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=stSpinner]')"
        " && !document.querySelector('[data-testid=stMain] [data-testid=stSkeleton]')"
        " && document.querySelectorAll('[data-testid=stMain] [data-stale=true]').length === 0",
        timeout=120_000,
    )


def laid_out(page) -> bool:
    """Return whether every visible grid has laid out, waiting up to 20 s for it."""
    try:
        page.wait_for_function(LAID_OUT, timeout=20_000)
    except PlaywrightTimeoutError:
        return False
    return True


def settle_collapsed_grid(page, width: int, height: int) -> None:
    """Resize the window a pixel narrower and back, as a collapsed grid waits for."""
    page.set_viewport_size({"width": width - 1, "height": height})
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(f"!({COLLAPSED_GRID})()", timeout=10_000)
    page.set_viewport_size({"width": width, "height": height})
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"!({COLLAPSED_GRID})() && ({CUT_ELEMENTS})().length === 0", timeout=20_000
        )


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1280x800", "1024x768"])
def test_no_table_tile_or_caption_is_cut(browser, app_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems = {}
    collapsed = []  # pages whose grid mounted collapsed, for the log
    never_laid_out = []  # and those where it stayed so through a resize and three loads
    try:
        for path in PAGES:
            page.goto(app_url + path, timeout=120_000)
            wait_until_drawn(page)
            # Streamlit's grid sometimes mounts before its container has a width (on a busy
            # machine, about once in two passes) and stays at its 52 px minimum, usually
            # until the window next resizes, sometimes until the page is loaded again; that
            # is the grid's race, not this page's layout. Give it the resize, then up to
            # three fresh loads, and judge the layout it settles to. A grid still collapsed
            # after that is reported and left out of the judgement (it has no layout to
            # judge); under a busy-loop process this happened on Vendors at 1024 px.
            for _attempt in range(3):
                if laid_out(page):
                    break
                collapsed.append(path)
                settle_collapsed_grid(page, width, height)
                if laid_out(page):
                    break
                page.reload(timeout=120_000)
                wait_until_drawn(page)
            # Tables size their columns after they mount; give the layout time to settle,
            # then judge what is still cut (a truly cut element stays cut).
            with contextlib.suppress(PlaywrightTimeoutError):
                page.wait_for_function(f"({CUT_ELEMENTS})().length === 0", timeout=20_000)
            cut = page.evaluate(CUT_ELEMENTS)
            if cut:
                problems[path] = cut
            if page.evaluate(COLLAPSED_GRID):
                never_laid_out.append(path)
    finally:
        context.close()
    if collapsed:
        print(f"grids mounted collapsed and were resized on: {collapsed}")
    if never_laid_out:
        # Streamlit's race, not this layout: reported, and the other elements still judged.
        print(f"grids still at their minimum width on: {never_laid_out}")
    assert problems == {}
