"""Who is signed in, and the choices a user made that follow them from screen to screen."""

from __future__ import annotations

from typing import Any

import streamlit as st

from webui.auth import CurrentUser

USER_KEY = "voxweave_user"


def set_current_user(user: CurrentUser) -> None:
    st.session_state[USER_KEY] = user


def current_user() -> CurrentUser:
    """The signed-in user; the entry file stops every run before a page when nobody is."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        st.stop()
    return user


def remembered(key: str, default: Any) -> Any:
    """A choice kept in the session under `key` (widgets bound to the same key keep it across screens)."""
    return st.session_state.setdefault(key, default)
