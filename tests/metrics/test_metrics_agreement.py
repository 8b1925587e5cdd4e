"""Confusion matrix, per-label precision/recall and Cohen's kappa against printed figures."""

import numpy as np
import pandas as pd
import pytest

from metrics.agreement import KappaResult, cohens_kappa, confusion_matrix, label_precision_recall

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.fixture
def confusion_counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "moderator_label": ["approve", "approve", "spam", "spam", "fraud", "ipr", "ipr"],
            "qa_label": ["approve", "spam", "spam", "approve", "spam", "ipr", "fraud"],
            "inspections": [50, 5, 30, 4, 2, 1, 3],
        }
    )


def test_confusion_matrix_puts_approve_first_then_labels_by_volume(confusion_counts):
    matrix = confusion_matrix(confusion_counts)
    # Volume as moderator + as QA label: spam 34 + 37, ipr 4 + 1, fraud 2 + 3 (tie: by name).
    assert list(matrix.index) == ["approve", "spam", "fraud", "ipr"]
    assert list(matrix.columns) == list(matrix.index)
    assert matrix.index.name == "moderator_label" and matrix.columns.name == "qa_label"
    assert matrix.loc["approve", "spam"] == 5
    assert matrix.loc["spam", "approve"] == 4
    assert matrix.loc["ipr", "fraud"] == 3
    assert matrix.to_numpy().sum() == confusion_counts["inspections"].sum()


def test_confusion_matrix_groups_labels_beyond_top_into_other(confusion_counts):
    matrix = confusion_matrix(confusion_counts, top=1)
    assert list(matrix.index) == ["approve", "spam", "other"]
    # fraud -> spam (2) lands in other -> spam; ipr -> ipr (1) and ipr -> fraud (3) in other/other.
    assert matrix.loc["other", "spam"] == 2
    assert matrix.loc["other", "other"] == 4
    assert matrix.to_numpy().sum() == 95


def test_confusion_matrix_honours_an_explicit_label_order(confusion_counts):
    matrix = confusion_matrix(confusion_counts, labels=["ipr", "spam", "hate"])
    assert list(matrix.index) == ["approve", "ipr", "spam", "hate", "other"]
    assert (matrix.loc["hate"] == 0).all()
    assert matrix.loc["other", "spam"] == 2  # fraud was not listed, so it is grouped


def test_row_normalisation_gives_row_proportions_by_hand(confusion_counts):
    matrix = confusion_matrix(confusion_counts, labels=["spam", "hate"], normalize="row")
    # approve row: 50 and 5 of 55; spam row: 4 and 30 of 34; hate row: empty -> NaN.
    assert matrix.loc["approve", "approve"] == pytest.approx(50 / 55)
    assert matrix.loc["spam", "spam"] == pytest.approx(30 / 34)
    assert matrix.loc["hate"].isna().all()
    assert matrix.loc["other"].sum() == pytest.approx(1.0)


def test_column_and_total_normalisation(confusion_counts):
    by_column = confusion_matrix(confusion_counts, normalize="column")
    assert by_column.loc["approve", "approve"] == pytest.approx(50 / 54)
    overall = confusion_matrix(confusion_counts, normalize="all")
    assert overall.to_numpy().sum() == pytest.approx(1.0)


def test_empty_counts_give_an_approve_only_zero_matrix():
    empty = pd.DataFrame({"moderator_label": [], "qa_label": [], "inspections": []})
    matrix = confusion_matrix(empty)
    assert matrix.shape == (1, 1) and matrix.iloc[0, 0] == 0


def test_precision_and_recall_with_wilson_bounds():
    # precision 81/263 and 15/148: Newcombe (1998) Stat Med 17:857, Table I, method 3.
    # recall 81/81 (n of n): lower = 81/(81 + 1.959964²) = 0.954718; recall 15/0: empty.
    labels = pd.DataFrame(
        {
            "label_code": ["spam", "fraud"],
            "predicted": [263, 148],
            "actual": [81, 0],
            "agreed": [81, 15],
        }
    )
    result = label_precision_recall(labels)
    assert result["precision_lower"].tolist() == pytest.approx([0.2553, 0.0624], abs=5e-5)
    assert result["precision_upper"].tolist() == pytest.approx([0.3662, 0.1605], abs=5e-5)
    assert result["recall"].iloc[0] == 1.0
    assert result["recall_lower"].iloc[0] == pytest.approx(81 / (81 + 1.959964**2), abs=1e-6)
    assert np.isnan(result["recall"].iloc[1]) and not result["recall_enough_data"].iloc[1]
    assert result["precision_enough_data"].all()
    for column in ("precision", "precision_lower", "precision_upper", "precision_enough_data"):
        assert column in result and column.replace("precision", "recall") in result


def test_kappa_matches_sas_proc_freq_skin_condition_example():
    # SAS/STAT User's Guide, The FREQ Procedure, Getting Started: Agreement Study
    # (SkinCondition, two dermatologists, 88 patients). Printed: simple kappa 0.3449,
    # ASE 0.0724, 95% confidence limits 0.2030 and 0.4868.
    table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
    result = cohens_kappa(np.array(table))
    assert isinstance(result, KappaResult)
    assert result.kappa == pytest.approx(0.3449, abs=5e-5)
    assert result.std_error == pytest.approx(0.0724, abs=5e-5)
    assert result.lower == pytest.approx(0.2030, abs=5e-5)
    assert result.upper == pytest.approx(0.4868, abs=5e-5)
    assert result.n == 88


def test_kappa_two_by_two_worked_by_hand():
    # Wikipedia, "Cohen's kappa", simple worked example: 50 proposals, yes/yes 20, yes/no 5,
    # no/yes 10, no/no 15. p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    matrix = pd.DataFrame([[20, 5], [10, 15]], index=["yes", "no"], columns=["yes", "no"])
    assert cohens_kappa(matrix).kappa == pytest.approx(0.4)


def test_kappa_from_a_confusion_matrix_frame(confusion_counts):
    matrix = confusion_matrix(confusion_counts, labels=["spam"])
    # approve/spam/other: [[50, 5, 0], [4, 30, 0], [0, 2, 4]], n = 95.
    # p_o = 84/95; row totals 55, 34, 6; column totals 54, 37, 4;
    # p_e = (55*54 + 34*37 + 6*4) / 95² = 4252/9025; kappa = (84*95 - 4252)/(9025 - 4252).
    expected = (84 * 95 - 4252) / (9025 - 4252)
    assert cohens_kappa(matrix).kappa == pytest.approx(expected)


def test_perfect_agreement_is_kappa_one():
    result = cohens_kappa(np.array([[5, 0], [0, 5]]))
    assert result.kappa == 1.0 and result.std_error == 0.0


def test_empty_table_and_single_category_give_nan_without_warnings():
    for table in (np.zeros((2, 2)), np.array([[10, 0], [0, 0]])):
        result = cohens_kappa(table)
        assert np.isnan(result.kappa) and np.isnan(result.std_error)
        assert np.isnan(result.lower) and np.isnan(result.upper)
    assert cohens_kappa(np.zeros((2, 2))).n == 0


def test_non_square_table_is_refused():
    with pytest.raises(ValueError, match="square"):
        cohens_kappa(np.ones((2, 3)))
