"""Jobs: every narration and video of the signed-in user, newest first; live progress while they run,
players and downloads once done, and Cancel / Resume / Retry / Delete."""

import streamlit as st

from webui import job_widgets as jw
from webui.services import studio
from webui.session import current_user

user = current_user()
service = studio()

st.header("Jobs")
st.caption("Your narrations and videos. They run on the server: close the tab and come back, they carry on.")

jobs = service.jobs_of(user.username)  # newest first
jw.orphan_errors({job.id for job in jobs})
if not jobs:
    st.info("No jobs yet. Narrate a document and it will show up here, with its progress and its files.",
            icon=":material/inbox:")
    st.page_link("pages/narrate.py", label="Narrate a document", icon="📖")
    st.stop()


def draw_active() -> set[str]:
    active = [job for job in service.jobs_of(user.username) if job.active]
    if active:
        st.subheader(f"In progress ({len(active)})")
    for job in active:
        jw.job_card(service, user.username, job)
    return {job.id for job in active}


jw.follow({job.id for job in jobs if job.active}, draw_active)

finished = [job for job in jobs if not job.active]
if finished:
    st.subheader("Finished")
for number, job in enumerate(finished):
    jw.job_card(service, user.username, job, players=number < jw.PLAYERS_SHOWN)
