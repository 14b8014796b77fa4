"""The web app's shared pieces: the login guard, the cached studio, and widgets the pages reuse.

Only the app (streamlit_app.py and pages/) imports this package; the library (voxweave/) never
imports Streamlit.
"""
