"""Streamlit glue shared by pages: warehouse access, filters <-> URL, tiles, links, downloads."""
