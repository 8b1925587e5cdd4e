"""Who may see what: access settings, the role map and the resolution of an identity's scope.

Pure Python (no Streamlit, no SQL), so the command line resolves ``--as-user`` exactly as the
dashboard resolves a login; the Streamlit glue is ``ui.auth``.
"""
