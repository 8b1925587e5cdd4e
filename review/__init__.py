"""The weekly review: what moved, what breached control limits, and a shareable report.

Streamlit-free, like ``metrics`` and ``charts``: it gathers counts through ``data_access``,
judges them with ``metrics``, draws with ``charts`` and writes the narrative and the HTML
report, so the page, the command line and the tests all run the same code.
"""
