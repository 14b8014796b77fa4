import streamlit as st

from webui.session import current_user

user = current_user()
st.header("Settings")
