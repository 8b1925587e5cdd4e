"""Plain words for every statistical term on the pages: one line each, and a glossary page.

Each help text is the term's one-line meaning plus a link to its entry on the Glossary page,
so a reader who wants more gets it in one click, and every page explains a term the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Term:
    """A glossary entry: the words shown, a one-line meaning and a longer explanation."""

    key: str
    name: str
    short: str
    more: str


TERMS: tuple[Term, ...] = (
    Term(
        "decision_cohort",
        "Decision cohort",
        "Rates belong to the period of the original decision, not of the QA check or appeal.",
        "A decision made on Monday and appealed three weeks later counts in Monday's week. "
        "This keeps a week's rates comparable with other weeks once its appeals are in.",
    ),
    Term(
        "complete_period",
        "Complete period",
        "Only weeks (or months) the data and the chosen dates cover fully are drawn or judged.",
        "A week holding one day of data would look like a plunge or a jump; such partial "
        "weeks are left out and named under the date picker.",
    ),
    Term(
        "wilson",
        "95% interval (Wilson)",
        "The range the true rate lies in with 95% confidence, given how many cases were seen.",
        "Computed with Wilson's score method, which stays sensible for small samples and rates "
        "near 0% or 100%. Narrow with many cases, wide with few.",
    ),
    Term(
        "points",
        "Percentage points (pts)",
        "The difference between two rates: 95% to 92% is -3 pts (not -3%).",
        "The change's 95% interval is Newcombe's interval for a difference of two rates.",
    ),
    Term(
        "significant",
        "Significant",
        "The change is larger than chance would explain, after allowing for every comparison "
        "on the page (Benjamini-Hochberg, 5%).",
        "Each change is tested with a two-proportion test. Testing many segments at once "
        "produces some false alarms by chance, so the p-values are adjusted together "
        "(Benjamini-Hochberg false-discovery control): at most about 5% of changes called "
        "significant are expected to be noise.",
    ),
    Term(
        "bh",
        "Benjamini-Hochberg (BH)",
        "A correction for testing many segments at once, keeping false alarms near 5%.",
        "All comparisons on a page form one family; their p-values are adjusted together.",
    ),
    Term(
        "min_sample",
        "Too few to judge",
        "Fewer cases than the minimum sample (default 30): shown greyed, never ranked or flagged.",
        "With very few cases a rate swings widely by chance alone.",
    ),
    Term(
        "immature",
        "Immature cohort",
        "Decisions younger than the appeal window: their appeals are still being resolved.",
        "Appeal and overturn rates of recent weeks will still change, so they are faded and "
        "not judged.",
    ),
    Term(
        "over_enforcement",
        "Over-enforcement",
        "A rejection that QA would have approved: the seller was wrongly blocked.",
        "Over-enforcement rate = rejections QA approved / inspected rejections. "
        "Under-enforcement is the reverse: approvals QA would have rejected.",
    ),
    Term(
        "p_chart",
        "Control chart (p-chart)",
        "A rate over time with limits of ordinary week-to-week variation; a point outside is "
        "unusual.",
        "The centre line is the baseline rate; the limits are 3 standard errors either side "
        "(about 99.8% of ordinary weeks fall inside), wider for small weeks.",
    ),
    Term(
        "limits",
        "99.8% limits",
        "The band that about 99.8% of ordinary periods fall inside (3 standard errors).",
        "Used on control charts and funnel plots: a point outside is worth a look.",
    ),
    Term(
        "funnel",
        "Funnel plot",
        "Each vendor or moderator's rate against their volume, with limits that narrow as "
        "volume grows.",
        "A fair comparison for small and large units: small ones are not flagged for noise.",
    ),
    Term(
        "kappa",
        "Cohen's kappa",
        "Agreement between moderators and QA beyond what chance would give: 1 perfect, 0 chance.",
        "Above 0.8 is usually read as strong agreement, below 0.6 as weak.",
    ),
    Term(
        "precision_recall",
        "Precision and recall",
        "Precision: of the label's uses, how many QA agreed with. Recall: of the cases QA gave "
        "that label, how many the moderator caught.",
        "Low precision means the label is over-used; low recall that it is missed.",
    ),
    Term(
        "weighted",
        "Weighted accuracy",
        "Accuracy with each inspection weighted by how rarely its kind is sampled.",
        "Corrects for QA sampling some markets or policy areas more than others; its interval "
        "uses the effective sample size.",
    ),
    Term(
        "flow_view",
        "Flow view",
        "Appeals counted in the period they were resolved, not the period of the decision.",
        "Shows the appeal team's workload; the decision-cohort view shows decision quality.",
    ),
)
TERMS_BY_KEY = {term.key: term for term in TERMS}
GLOSSARY_PATH = "glossary"


def anchor(key: str) -> str:
    """Return the HTML anchor of a term on the Glossary page."""
    return key.replace("_", "-")


def help_for(*keys: str) -> str:
    """Return the one-line help for terms, each linking to its Glossary entry."""
    return " ".join(
        f"{TERMS_BY_KEY[key].short} [More]({GLOSSARY_PATH}#{anchor(key)})" for key in keys
    )


# Words on the pages that name a glossary term (case-insensitive), most specific first.
MENTIONS = (
    ("decision cohort", "decision_cohort"),
    ("wilson", "wilson"),
    ("99.8%", "limits"),
    ("p-chart", "p_chart"),
    ("control chart", "p_chart"),
    ("kappa", "kappa"),
    ("immature", "immature"),
    ("over-enforcement", "over_enforcement"),
    ("benjamini", "bh"),
    ("false-discovery", "bh"),
    ("funnel", "funnel"),
    ("flow view", "flow_view"),
    ("significan", "significant"),
    ("pts", "points"),
    ("minimum sample", "min_sample"),
    ("too few", "min_sample"),
    ("precision", "precision_recall"),
    ("recall", "precision_recall"),
    ("weighted", "weighted"),
    ("partial", "complete_period"),
)


def terms_in(text: str) -> list[str]:
    """Return the glossary keys of the terms a text mentions, each once, in glossary order."""
    lowered = str(text).lower()
    found = {key for word, key in MENTIONS if word in lowered}
    return [term.key for term in TERMS if term.key in found]


def caption(body: str, *, where=None, help: str | None = None, **kwargs) -> None:  # noqa: A002
    """Draw ``st.caption`` (or ``where.caption``) with the one-line help of the terms it uses."""
    terms = terms_in(body)
    target = where if where is not None else st
    target.caption(body, help=help or (help_for(*terms) if terms else None), **kwargs)
