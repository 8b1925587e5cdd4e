"""Every view a page draws: its default, and each section a link opens (ui.sections).

Each view is ``(page, link parameters, shows markets)``; tests that check every page for
something (names not codes, hostile names kept as text) run on each.
"""

from __future__ import annotations

import pytest

VIEWS = [
    pytest.param("pages/overview.py", {}, True, id="overview"),
    pytest.param("pages/labels.py", {}, False, id="labels"),
    pytest.param("pages/labels.py", {"section": ["matrix"]}, False, id="labels-matrix"),
    pytest.param("pages/labels.py", {"section": ["mix"]}, True, id="labels-mix"),
    pytest.param(
        "pages/labels.py",
        {"label_detail": ["ipr_counterfeit"], "breakdown": ["vendor_code"]},
        False,
        id="labels-detail-vendors",
    ),
    pytest.param("pages/appeals.py", {}, False, id="appeals"),
    pytest.param("pages/appeals.py", {"section": ["market"]}, True, id="appeals-market"),
    pytest.param("pages/appeals.py", {"section": ["label"]}, False, id="appeals-label"),
    pytest.param("pages/appeals.py", {"section": ["time"]}, True, id="appeals-time"),
    pytest.param(
        "pages/appeals.py", {"view": ["flow"], "section": ["market"]}, True, id="appeals-flow"
    ),
    pytest.param("pages/penalties.py", {}, True, id="penalties"),
    pytest.param("pages/penalties.py", {"section": ["mix"]}, True, id="penalties-mix"),
    pytest.param("pages/penalties.py", {"section": ["overturn"]}, True, id="penalties-overturn"),
    pytest.param("pages/vendors.py", {}, False, id="vendors"),
    pytest.param("pages/vendors.py", {"section": ["markets"]}, True, id="vendors-markets"),
    pytest.param("pages/weekly_review.py", {}, False, id="weekly_review"),
    pytest.param("pages/weekly_review.py", {"section": ["moved"]}, True, id="weekly-moved"),
    pytest.param(
        "pages/weekly_review.py",
        {"section": ["control"], "charts": ["all"], "control": ["overturn_rate"]},
        True,
        id="weekly-control",
    ),
    pytest.param("pages/weekly_review.py", {"section": ["standing"]}, False, id="weekly-standing"),
    pytest.param("pages/weekly_review.py", {"section": ["pooled"]}, False, id="weekly-pooled"),
]
