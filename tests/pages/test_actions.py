"""The Actions page as a QA lead uses it: record an action, see it on the charts, edit it."""

from __future__ import annotations

import datetime as dt

from tests.pages.elements import action_titles, figure, table, traces, url

TITLE = "Retrained Northwind's Indonesian listing team"


def _record(app, title: str = TITLE):
    app.text_input(key="new_title").input(title)
    app.selectbox(key="new_kind").select("training")
    app.date_input(key="new_start").set_value(dt.date(2026, 10, 12))
    app.multiselect(key="new_markets").select("ID")
    app.multiselect(key="new_vendors").select("northwind")
    app.number_input(key="new_window").set_value(4)
    next(b for b in app.button if b.label == "Record action").click()
    return app.run()


def test_record_an_action_see_it_on_the_overview_in_scope_then_edit_it(app_on_warehouse):
    app = app_on_warehouse(page="pages/actions.py")
    assert not app.exception
    app = _record(app)
    assert not app.exception
    assert "Recorded action 1." in [s.value for s in app.success]
    assert url(app, "action") == ["1"]
    listed = table(app, "Action")
    assert listed["Action"].tolist() == [TITLE]
    # Names, not codes, in the scope.
    assert listed["Scope"].tolist() == ["Indonesia · Northwind BPO"]
    assert "Impact on accuracy" in [s.value for s in app.subheader]

    overview = app_on_warehouse(page="pages/overview.py")
    marks = traces(figure(overview, "overview-trend"), "action")
    assert len(marks) == 1
    assert action_titles(figure(overview, "overview-trend")) == ["Retrained Northwind&#x27;s I…"]
    assert marks[0]["customdata"] == [["action", 1]]
    in_scope = app_on_warehouse(page="pages/overview.py", market=["ID", "US"])
    assert len(traces(figure(in_scope, "overview-trend"), "action")) == 1
    out_of_scope = app_on_warehouse(page="pages/overview.py", market=["US"])
    assert traces(figure(out_of_scope, "overview-trend"), "action") == []
    other_area = app_on_warehouse(page="pages/overview.py", policy=["ipr"])
    assert len(traces(figure(other_area, "overview-trend"), "action")) == 1  # all areas

    app.text_input(key="edit1v1_title").input("Retrained Northwind (Indonesia)")
    app.text_input(key="edit1v1_owner").input("Ayu")
    next(b for b in app.button if b.label == "Save as a new version").click()
    app = app.run()
    assert not app.exception
    assert "Saved version 2." in [s.value for s in app.success]
    history = table(app, "Version")
    assert history["Version"].tolist() == ["1", "2"]
    assert history["Title"].tolist() == [TITLE, "Retrained Northwind (Indonesia)"]
    assert history["Changed"].tolist() == ["created", "title, owner"]
    # Recorded without an owner: a dash, as for every missing value, not a blank cell.
    assert history["Owner"].tolist() == ["–", "Ayu"]


def test_an_invalid_action_is_refused_with_a_message(app_on_warehouse):
    app = app_on_warehouse(page="pages/actions.py")
    app = _record(app, title="   ")
    assert not app.exception
    assert [e.value for e in app.error] == ["An action needs a title."]
    assert url(app, "action") == []


def test_a_link_to_an_unknown_action_says_so(app_on_warehouse):
    app = app_on_warehouse(page="pages/actions.py", action="999")
    assert not app.exception
    assert "There is no action number 999; choose one from the list." in [
        w.value for w in app.warning
    ]


def test_the_weekly_review_lists_actions_due_that_week_measured_or_without_data(
    app_on_warehouse,
):
    import os

    from appdb import actions
    from appdb.store import open_app_db

    engine = open_app_db(os.environ["MODQA_APP_DB_URL"])
    due = dt.date(2026, 10, 26)  # a 4-week window ending Sunday 22 Nov, in 2026-W47
    for title, vendors in (("Retrained Northwind", ("northwind",)), ("Ghost team", ("ghost",))):
        actions.create_action(
            engine, actions.Action(title=title, kind="training", start=due, vendors=vendors)
        )
    actions.create_action(
        engine, actions.Action(title="Not due", kind="tooling", start=dt.date(2026, 9, 7))
    )
    engine.dispose()
    app = app_on_warehouse(page="pages/weekly_review.py", week="2026-W47")
    assert not app.exception
    measured = table(app, "Result")
    assert measured["Action"].tolist() == ["Retrained Northwind"]
    assert measured["Open"].str.endswith("/actions?action=1").all()
    missing = table(app, "Why")
    assert missing["Action"].tolist() == ["Ghost team"]


def test_an_appeal_metric_waits_for_the_appeal_window_before_it_is_measured(app_on_warehouse):
    import os

    from appdb import actions
    from appdb.store import open_app_db

    engine = open_app_db(os.environ["MODQA_APP_DB_URL"])
    actions.create_action(
        engine,
        actions.Action(
            title="Clearer appeal form",
            kind="tooling",
            start=dt.date(2026, 10, 12),
            impact=actions.ImpactModel(metric="overturn_rate", direction="down", window_weeks=4),
        ),
    )
    engine.dispose()
    # The window ends on 8 Nov; the data on 22 Nov, so its last 30 days of appeals are young.
    app = app_on_warehouse(page="pages/actions.py", action="1")
    assert not app.exception
    assert [i.value for i in app.info] == [
        "The evaluation window ended on 08 Nov 2026, but its appeals are still resolving; "
        "the effect is measured from 08 Dec 2026."
    ]


def test_hostile_titles_and_descriptions_stay_text_on_the_page_and_the_trend(app_on_warehouse):
    import os

    from appdb import actions
    from appdb.store import open_app_db
    from tests.hostile import HOSTILE_TEXTS, page_markup

    engine = open_app_db(os.environ["MODQA_APP_DB_URL"])
    for text in HOSTILE_TEXTS:
        actions.create_action(
            engine,
            actions.Action(
                title=f"Action {text}".strip() or "Action",
                kind="other",
                start=dt.date(2026, 10, 12),
                description=text,
                owner=text.strip(),
            ),
        )
    engine.dispose()
    for action_id in range(1, len(HOSTILE_TEXTS) + 1):
        app = app_on_warehouse(page="pages/actions.py", action=str(action_id))
        assert not app.exception
        assert page_markup(app) == []
    overview = app_on_warehouse(page="pages/overview.py")
    assert page_markup(overview) == []


def test_an_action_is_marked_on_the_label_and_vendor_trends_it_reaches(app_on_warehouse):
    app = _record(app_on_warehouse(page="pages/actions.py"))
    assert not app.exception
    # Scoped to Northwind in Indonesia: it reaches every label, and Northwind, not Lumen.
    label = app_on_warehouse(page="pages/labels.py", label_detail="listing_duplicate")
    assert not label.exception
    for key in ("label-trend-precision", "label-trend-overturn"):
        (mark,) = traces(figure(label, key), "action")
        assert mark["customdata"] == [["action", 1]]
    northwind = app_on_warehouse(page="pages/vendors.py", trend_vendor="northwind")
    assert len(traces(figure(northwind, "vendors-trend"), "action")) == 1
    lumen = app_on_warehouse(page="pages/vendors.py", trend_vendor="lumen")
    assert url(lumen, "trend_vendor") == ["lumen"]
    assert traces(figure(lumen, "vendors-trend"), "action") == []
