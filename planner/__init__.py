"""QA sample planning: a weekly inspection plan from the warehouse, and its seeded draw.

Uses ``data_access`` for counts and the sampling frame and ``metrics.allocation`` /
``metrics.selection`` for the statistics; no Streamlit, so the page and the command line
(``python -m planner``) share one implementation.
"""
