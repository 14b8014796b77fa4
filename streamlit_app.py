"""VoxWeave in the browser: navigation, login guard, menu. Everything else lives in pages/ and voxweave/."""
import streamlit as st

st.set_page_config(page_title="VoxWeave", page_icon="🎙️", layout="wide")
st.title("VoxWeave")
