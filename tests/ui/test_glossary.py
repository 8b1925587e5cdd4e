"""Plain words: every help text names a glossary entry that exists, and terms are found."""

from __future__ import annotations

import re

from ui.glossary import MENTIONS, TERMS, TERMS_BY_KEY, anchor, help_for, terms_in


def test_every_mention_points_at_a_glossary_entry():
    assert {key for _, key in MENTIONS} <= set(TERMS_BY_KEY)


def test_help_texts_link_to_the_entries_anchor():
    text = help_for("wilson", "kappa")
    assert re.findall(r"\]\(glossary#([\w-]+)\)", text) == [anchor("wilson"), anchor("kappa")]
    assert text.startswith(TERMS_BY_KEY["wilson"].short)


def test_each_entry_is_one_short_line_and_has_more():
    for term in TERMS:
        assert len(term.short) <= 140 and "\n" not in term.short, term.key
        assert term.more, term.key


def test_terms_are_found_in_the_pages_words():
    caption = "Rates by decision cohort, 95% Wilson intervals; outside the 99.8% limits"
    assert terms_in(caption) == ["decision_cohort", "wilson", "limits"]
    assert terms_in("Cohen's kappa of 0.71") == ["kappa"]
    assert terms_in("Totals for the chosen dates") == []
