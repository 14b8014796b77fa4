"""Jobs: every narration and video of the signed-in user, newest first; live progress while they run,
players and downloads once done, and Cancel / Resume / Retry / Delete."""

import streamlit as st

from webui import job_widgets as jw
from webui.services import studio
from webui.session import current_user

FINISHED_PAGE = 20

user = current_user()
service = studio()

st.header("Jobs")
st.caption("Your narrations and videos. They run on the server: close the tab and come back, they carry on.")

jobs = service.jobs_of(user.username)  # newest first
jw.orphan_errors({job.id for job in jobs})
if not jobs:
    st.info("No jobs yet. Narrate a document and it will show up here, with its progress and its files.",
            icon=":material/inbox:")
    st.page_link("pages/narrate.py", label="Narrate a document", icon=":material/menu_book:")
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
    st.subheader(f"Finished ({len(finished)})")
# A page of cards at a time: with hundreds of jobs, drawing them all would slow every rerun.
shown = st.session_state.setdefault("jobs_shown", FINISHED_PAGE)
for number, job in enumerate(finished[:shown]):
    jw.job_card(service, user.username, job, players=number < jw.PLAYERS_SHOWN)
if len(finished) > shown:
    st.button(f"Show older jobs ({len(finished) - shown} more)", key="jobs_show_more",
              on_click=lambda: st.session_state.update(jobs_shown=shown + FINISHED_PAGE))
