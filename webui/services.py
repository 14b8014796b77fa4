"""The studio, built once per server process and shared by every session (st.cache_resource)."""

from __future__ import annotations

import atexit

import streamlit as st

from voxweave.config import Settings
from voxweave.service import Studio


@st.cache_resource(show_spinner="Starting the studio…")
def studio() -> Studio:
    # Root-level entries of .streamlit/secrets.toml become environment variables once secrets are
    # read, which is where the cloud clients look for ZAI_API_KEY and DASHSCOPE_API_KEY.
    try:
        st.secrets.load_if_toml_exists()
    except Exception:  # a malformed secrets file must not keep the studio from starting
        pass
    built = Studio(Settings())
    atexit.register(built.close)  # running jobs are left resumable when the server stops
    return built
