"""VoxWeave in the browser: navigation, login guard and menu. The screens are in pages/."""

import streamlit as st

from webui import auth
from webui.services import studio
from webui.session import set_current_user

st.set_page_config(page_title="VoxWeave", page_icon="🎙️", layout="wide")

PAGES = [
    st.Page("pages/narrate.py", title="Narrate", icon=":material/menu_book:", default=True),
    st.Page("pages/voices.py", title="Voices", icon=":material/record_voice_over:"),
    st.Page("pages/video.py", title="Video", icon=":material/movie:"),
    st.Page("pages/jobs.py", title="Jobs", icon=":material/list_alt:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
]

# Navigation first, hidden, so that a reload on a sub-page returns to it once the login cookie is
# read (streamlit-authenticator issue 179); the menu is drawn below, only for a signed-in user.
navigation = st.navigation(PAGES, position="hidden")
service = studio()
user = auth.require_login(service.accounts, service.settings)
set_current_user(user)

with st.sidebar:
    st.markdown("### :material/graphic_eq: VoxWeave")
    for page in PAGES:
        st.page_link(page)
    st.divider()
    st.caption(f"Signed in as **{user.name}** ({user.role})")
    auth.logout_button()

navigation.run()
