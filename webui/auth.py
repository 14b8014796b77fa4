"""The login guard of the web app (streamlit-authenticator over voxweave.accounts).

Called by streamlit_app.py after st.navigation(position="hidden") and before any page runs, so a
reload on a sub-page lands back on that page once the cookie is read (upstream issue 179).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from voxweave.accounts import AccountStore, cookie_key
from voxweave.config import Settings

COOKIE_NAME = "voxweave_login"
COOKIE_DAYS = 7.0
MAX_LOGIN_ATTEMPTS = 10


@dataclass(frozen=True)
class CurrentUser:
    username: str
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _authenticator(accounts: AccountStore, settings: Settings) -> stauth.Authenticate:
    # Built on every run from the database, so added or disabled users take effect at once.
    return stauth.Authenticate(
        accounts.credentials(),
        COOKIE_NAME,
        cookie_key(settings.data_dir),
        COOKIE_DAYS,
        auto_hash=False,
    )


def require_login(accounts: AccountStore, settings: Settings) -> CurrentUser:
    """Draw the login form and stop the script until someone has logged in; return who."""
    authenticator = _authenticator(accounts, settings)
    st.session_state["_authenticator"] = authenticator
    if not st.session_state.get("authentication_status"):
        st.title(":material/graphic_eq: VoxWeave")
        st.caption("Narration and video studio: sign in to narrate, compare voices and make videos.")
    try:
        authenticator.login(location="main", max_login_attempts=MAX_LOGIN_ATTEMPTS, key="voxweave-login")
    except LoginError as e:
        st.error(f"Login refused: {e}")
    status = st.session_state.get("authentication_status")
    username = st.session_state.get("username")
    account = accounts.get(username) if status and username else None
    if account is None or account.disabled:
        if status is False:
            st.error("Wrong username or password.")
        elif status and account is None:
            st.error("This account no longer exists. Ask an admin.")
        else:
            st.caption("Log in with the account an admin gave you.")
        st.stop()
    return CurrentUser(account.username, account.name, account.role)


def logout_button() -> None:
    authenticator = st.session_state.get("_authenticator")
    if authenticator is not None:
        authenticator.logout("Log out", location="sidebar", key="voxweave-logout")
