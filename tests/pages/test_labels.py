"""The Labels page as a QA lead uses it: a label by link or by table row, its decisions."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pytest
import streamlit as st
from streamlit.proto.WidgetStates_pb2 import WidgetState

from data_access.demo import LABELS
from data_access.filters import Filters
from tests.data_access import reference
from tests.pages.conftest import texts

PAGE = "pages/labels.py"
DEFAULT_RANGE = {"start": "2026-08-31", "end": "2026-11-22"}
BUSY_LABEL = "listing_wrong_category"
PLANTED_LABEL = "listing_keyword_stuffing"
# People read label names; codes stay in links and CSV files.
NAMES = {code: name for labels in LABELS.values() for code, name, *_ in labels}


def url(app, key: str) -> list[str]:
    """Return the values of a query parameter in the app's URL, as a list."""
    value = app.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def table_element(app):
    """Return the label table element (the one with a Rank column)."""
    return next(frame for frame in app.dataframe if "Rank" in frame.value.columns)


def drill_rows(app):
    """Return the drill-through rows shown, or None when no list is drawn."""
    return next((frame.value for frame in app.dataframe if "Decision" in frame.value.columns), None)


def select_row(app, row: int):
    """Select a row of the label table the way the browser does, and return the rerun app.

    AppTest has no table clicks, so this sends the table's selection as the frontend's
    widget state, which runs the table's on_select callback like a real click.
    """
    states = app._tree.get_widget_states()
    selection = {"selection": {"rows": [row], "columns": [], "cells": []}}
    states.widgets.append(
        WidgetState(id=table_element(app).proto.id, string_value=json.dumps(selection))
    )
    return app._run(states)


def test_a_label_chosen_by_url_shows_its_detail_and_its_decisions(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, **DEFAULT_RANGE, label_detail=BUSY_LABEL)
    assert not app.exception and not app.warning
    busy = NAMES[BUSY_LABEL]
    assert f"Label detail: {busy}" in texts(app.subheader)
    assert any("inspected decisions for" in text for text in texts(app.caption))
    rows = drill_rows(app)
    assert len(rows) > 0
    involved = (rows["Moderator label"] == busy) | (rows["QA label"] == busy)
    assert involved.all(), "every decision listed had the label on one side"
    assert url(app, "label_detail") == [BUSY_LABEL]
    assert any(text.startswith("**Appeal overturn rate") for text in texts(app.markdown))


def test_selecting_a_table_row_chooses_that_label_and_puts_it_in_the_url(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, **DEFAULT_RANGE, drill_page="2")
    assert not any(text.startswith("Label detail") for text in texts(app.subheader))
    chosen = table_element(app).value["Label"].iloc[2]
    code = {name: code for code, name in NAMES.items()}[chosen]

    app = select_row(app, 2)

    assert not app.exception
    assert f"Label detail: {chosen}" in texts(app.subheader)
    assert url(app, "label_detail") == [code]
    assert url(app, "drill_page") == [], "a new label starts its list on page 1"
    assert set(drill_rows(app)["Moderator label"]) | set(drill_rows(app)["QA label"]) >= {chosen}
    app.run()
    assert f"Label detail: {chosen}" in texts(app.subheader), "the choice survives a rerun"


def test_a_label_without_inspections_in_the_period_gets_a_plain_message(app_on_warehouse, raw):
    filters = Filters(dt.date(2026, 8, 31), dt.date(2026, 11, 22), markets=("SG",))
    decisions = reference.cohort(raw, filters)
    inspected = raw["qa_inspections"].merge(decisions, on="decision_id")
    used = set(inspected["rejection_label"].dropna()) | set(inspected["qa_label"].dropna())
    label = sorted(set(decisions["rejection_label"].dropna()) - used)[0]

    app = app_on_warehouse(page=PAGE, **DEFAULT_RANGE, market="SG", label_detail=label)

    assert not app.exception
    assert f"Label detail: {NAMES[label]}" in texts(app.subheader)
    assert any(
        text.startswith(f"{NAMES[label]} has no QA inspections in") for text in texts(app.info)
    )
    assert drill_rows(app) is None, "no empty list and no empty charts"


@pytest.mark.parametrize("sort", ["precision", "recall", "wrong_label_rate", "overturn_rate"])
def test_labels_below_the_minimum_sample_are_never_ranked_above_others(app_on_warehouse, sort):
    app = app_on_warehouse(page=PAGE, **DEFAULT_RANGE, label_sort=sort)
    assert not app.exception
    ranks = table_element(app).value["Rank"]
    unranked = ranks.isna().to_numpy()
    assert unranked.any(), "the small test warehouse has labels below the minimum sample"
    first_unranked = int(unranked.argmax())
    assert unranked[first_unranked:].all(), "every unranked label is below every ranked one"
    assert list(ranks[:first_unranked]) == list(range(1, first_unranked + 1))


def test_an_unknown_label_in_a_link_warns_and_shows_the_rest(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, **DEFAULT_RANGE, label_detail="no_such_label")
    assert not app.exception
    assert any("is not a rejection label this page knows" in text for text in texts(app.warning))
    assert not any(text.startswith("Label detail") for text in texts(app.subheader))
    assert len(table_element(app).value) > 0


def test_the_planted_high_overturn_label_tops_the_overturn_column_and_is_explained(
    app_on_planted,
):
    app = app_on_planted(
        page=PAGE, **DEFAULT_RANGE, label_sort="overturn_rate", label_detail=PLANTED_LABEL
    )
    assert not app.exception and not app.warning
    table = table_element(app).value
    # The demo's two high-overturn labels take the top two ranks: the persistent one (60%
    # since the first week, so it never moves) and the one planted in 2026-W38, which moved.
    top = table.head(2).set_index("Label")
    assert set(top.index) == {NAMES[PLANTED_LABEL], NAMES["content_harassment"]}
    assert set(top["Rank"]) == {1, 2}
    assert top.loc[NAMES[PLANTED_LABEL], "Moved"] == "● significant"
    assert top.loc[NAMES[PLANTED_LABEL], "Change"].endswith(" pts ●")
    reading = " ".join(texts(app.markdown))
    assert "Appeals overturn this label significantly more often than others" in reading


def test_the_csv_holds_every_row_of_the_list_up_to_the_cap(app_on_planted, monkeypatch):
    monkeypatch.setenv("MODQA_DRILL_THROUGH_CAP", "60")
    # The download is generated when clicked, which AppTest cannot do: keep the generator
    # the page hands to the button and run it, as the click would.
    generators: dict[str, object] = {}
    original = st.download_button

    def record(label, data=None, *args, **kwargs):
        generators[kwargs.get("file_name") or ""] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    app = app_on_planted(page=PAGE, **DEFAULT_RANGE, label_detail=PLANTED_LABEL, drill_page="2")

    assert not app.exception
    assert any(text.startswith("60 (the list stops at 60)") for text in texts(app.caption))
    assert "Page **2** of **2**" in texts(app.markdown)
    shown = drill_rows(app)
    assert len(shown) == 10, "the cap leaves 10 rows for the second page of 50"
    (generate,) = [
        data for name, data in generators.items() if name.startswith(f"{PLANTED_LABEL}_")
    ]
    # Every row up to the cap, not only the page shown; the CSV keeps codes where the
    # table shows names.
    rows = pd.read_csv(io.BytesIO(generate()))
    assert len(rows) == 60
    assert list(rows.columns) == list(shown.columns)
    assert set(shown["Decision"].astype(str)) <= set(rows["Decision"].astype(str))
    assert PLANTED_LABEL in set(rows["Moderator label"]) | set(rows["QA label"])


def test_an_overturn_link_lists_the_appealed_decisions(app_on_planted):
    # The weekly review links an overturn finding with drill_list=appeals.
    app = app_on_planted(
        page=PAGE, **DEFAULT_RANGE, label_detail=PLANTED_LABEL, drill_list="appeals"
    )
    assert not app.exception
    assert f"**Appealed decisions behind {NAMES[PLANTED_LABEL]}**" in texts(app.markdown)
    assert any("appealed decisions for" in text for text in texts(app.caption))
    rows = drill_rows(app)
    assert len(rows) == 50
    assert rows["Appeal"].isin(["pending", "upheld", "overturned"]).all()
    assert rows["Appealed (UTC)"].notna().all()
    assert (rows["Moderator label"] == NAMES[PLANTED_LABEL]).all()


def test_next_moves_the_list_a_page_and_the_url_with_it(app_on_planted):
    app = app_on_planted(page=PAGE, **DEFAULT_RANGE, label_detail=PLANTED_LABEL)
    first = drill_rows(app)["Decision"].tolist()
    next(button for button in app.button if button.label == "Next").click().run()
    assert url(app, "drill_page") == ["2"]
    assert any(re.fullmatch(r"Page \*\*2\*\* of \*\*\d+\*\*", text) for text in texts(app.markdown))
    assert not set(drill_rows(app)["Decision"]) & set(first)


def test_the_label_detail_names_vendors_and_shows_every_measure(app_on_warehouse):
    app = app_on_warehouse(
        page=PAGE, start="2026-08-24", end="2026-11-22", label_detail=PLANTED_LABEL
    )
    assert not app.exception
    reading = " ".join(texts(app.markdown))
    # The overturn spread lists the vendors above the other labels by name.
    assert "1 of 1 vendors (In-house team)" in reading
    assert "in_house" not in reading and "in\\_house" not in reading
    # The ranking shows the sorted rate; the detail lists the counts and every rate.
    measures = next(table.value for table in app.table if "Measure" in table.value.columns)
    assert list(measures["Measure"]) == [
        "Decisions in area",
        "Rejections",
        "Inspections",
        "Precision",
        "Recall",
        "Wrong label",
        "Appeal rate",
        "Overturn rate",
    ]
    row = table_element(app).value.set_index("Label").loc[NAMES[PLANTED_LABEL]]
    assert measures.set_index("Measure").loc["Rejections", "Value"] == f"{int(row['Rejections']):,}"
