"""Settings: what this server can do (engines, GPU, cloud keys), your password, and, for admins, users."""

import streamlit as st

from voxweave.accounts import ROLES, AccountError
from webui.services import studio
from webui.session import current_user

user = current_user()
service = studio()

st.header("Settings")

st.subheader("Speech engines")
statuses = service.engine_statuses()
ready = [s for s in statuses if s.available]
if not ready:
    st.error("No speech engine can be used on this server. The reasons are below; an admin can install what is missing.")
st.dataframe(
    [{"Engine": s.name, "Available": "yes" if s.available else "no", "Details": s.reason} for s in statuses],
    hide_index=True, width="stretch",
)
st.caption(f"Default voice: `{service.default_voice}`. Engines that are missing say how to install them.")

st.subheader("GPU")
gpu = service.gpu()
(st.success if gpu.available else st.info)(gpu.summary)
st.caption("ONNX runtime providers: " + ", ".join(gpu.onnx_providers))

st.subheader("Cloud video")
for key in service.cloud_keys():
    state = "set" if key.is_set else "not set"
    st.markdown(f"- **{key.label}**: key {state} (`{key.variable}`)")
st.caption("Keys are read from the server's environment or `.streamlit/secrets.toml`; they are never shown. "
           "Without a key, videos are made locally with ffmpeg.")

st.subheader("Your password")
with st.form("settings_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password")
    new = st.text_input("New password", type="password")
    repeated = st.text_input("New password again", type="password")
    if st.form_submit_button("Change password"):
        try:
            service.users.change_own_password(user.username, current, new, repeated)
            st.success("Password changed.")
        except AccountError as e:
            st.error(f"Password not changed: {e}")

if not service.users.is_admin(user.username):
    st.info("Managing users is for admins.")
    st.stop()

st.subheader("Users")
shown = st.session_state.pop("settings_new_password", None)
if shown:
    who, password = shown
    st.success(f"Password for **{who}** (shown once, hand it over now):")
    st.code(password, language=None)


def _act(action, *args, message: str) -> None:
    try:
        action(user.username, *args)
        st.toast(message)
    except AccountError as e:
        st.session_state["settings_user_error"] = str(e)


def _reset(username: str) -> None:
    try:
        st.session_state["settings_new_password"] = (username, service.users.reset_password(user.username, username))
    except AccountError as e:
        st.session_state["settings_user_error"] = str(e)


def _change_role(username: str, previous: str) -> None:
    role = st.session_state[f"role_{username}"]
    try:
        service.users.set_role(user.username, username, role)
        st.toast(f"{username} is now {role}")
    except AccountError as e:
        st.session_state[f"role_{username}"] = previous  # the widget shows the role the account still has
        st.session_state["settings_user_error"] = str(e)


if error := st.session_state.pop("settings_user_error", None):
    st.error(error)

for account in service.users.users(user.username):
    with st.container(border=True):
        name_column, role_column, actions = st.columns([3, 2, 3])
        status = " · disabled" if account.disabled else ""
        name_column.markdown(f"**{account.name}** `{account.username}`{status}")
        st.session_state.setdefault(f"role_{account.username}", account.role)
        role_column.selectbox("Role", ROLES, key=f"role_{account.username}", label_visibility="collapsed",
                              on_change=_change_role, args=(account.username, account.role))
        reset_column, disable_column = actions.columns(2)
        reset_column.button("Reset password", key=f"reset_{account.username}", on_click=_reset, args=(account.username,))
        disable_column.button(
            "Enable" if account.disabled else "Disable", key=f"disable_{account.username}",
            on_click=_act, args=(service.users.set_disabled, account.username, not account.disabled),
            kwargs={"message": f"{account.username} {'enabled' if account.disabled else 'disabled'}"},
        )

with st.form("settings_add_user", clear_on_submit=True):
    st.markdown("**Add a user**")
    username = st.text_input("Username", help="2-32 characters: lower-case letters, digits, '.', '_' or '-'")
    name = st.text_input("Full name")
    role = st.selectbox("Role", ROLES, index=ROLES.index("member"))
    if st.form_submit_button("Add user"):
        try:
            password = service.users.add(user.username, username, name, role)
            st.session_state["settings_new_password"] = (username.strip().lower(), password)
            st.rerun()
        except AccountError as e:
            st.error(f"User not added: {e}")
