"""How a job looks on the Jobs and Video screens: its card (status, times, progress, note, error, files,
actions) and the fragment that follows active jobs every second until they finish.

Every call goes through the studio with the signed-in user's name, so another user's job reads as
missing; files are read only when a download is clicked (no static URLs).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from voxweave.errors import VoxweaveError
from voxweave.jobs import Job, JobError
from voxweave.jobs.models import CANCELLABLE, RESUMABLE, RETRYABLE
from voxweave.service import Studio
from voxweave.service.documents import format_duration

#: Seconds between two reads of the active jobs while any is running or queued.
POLL_SECONDS = 1.0
#: The newest finished jobs show their players at once; older ones behind a toggle (each player holds
#: its whole file in the server's memory while the page is open).
PLAYERS_SHOWN = 3

#: status -> (label, badge colour, icon)
STATUS_BADGES = {
    "queued": ("Queued", "gray", ":material/schedule:"),
    "running": ("Running", "blue", ":material/autorenew:"),
    "done": ("Done", "green", ":material/check_circle:"),
    "failed": ("Failed", "red", ":material/error:"),
    "cancelled": ("Cancelled", "orange", ":material/cancel:"),
    "interrupted": ("Interrupted", "violet", ":material/pause_circle:"),
}
KIND_LABELS = {"narration": ":material/headphones: Narration", "video": ":material/movie: Video", "preview": ":material/volume_up: Preview"}
STAGE_LABELS = {
    "read": "Reading the document",
    "load engine": "Loading the voice",
    "synthesise": "Speaking",
    "encode": "Encoding",
    "subtitles": "Writing subtitles",
}
ROLE_LABELS = {"audio": "Audio", "video": "Video", "warnings": "Warnings"}

_ERRORS_KEY = "job_errors"  # {job id: message} of actions that failed, shown on the job's card
_CONFIRM_KEY = "job_confirm_delete"  # the job whose deletion waits for a second click
#: The narration the Video screen starts from, set by a card's "Make a video" (read once there).
VIDEO_SOURCE_KEY = "video_source_job"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~:$])")


# words -------------------------------------------------------------------------------------------

def plain(text: str) -> str:
    """`text` shown as typed inside Markdown (file names are full of underscores)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def ago(timestamp: float | None, now: float | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '4 days ago', then the date."""
    if not timestamp:
        return "at an unknown time"
    seconds = max(0.0, (now if now is not None else time.time()) - timestamp)
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} days ago"
    return time.strftime("on %d %b %Y", time.localtime(timestamp))


def stage_label(job: Job) -> str:
    if job.status == "queued":
        return "Waiting for a free worker"
    if job.cancel_requested:
        return "Stopping after the current step"
    stage = STAGE_LABELS.get(job.stage, job.stage or "Starting")
    return stage[:1].upper() + stage[1:]


def progress_text(job: Job, now: float | None = None) -> str:
    """'Speaking · 42% · 1 min 05 s so far · about 30 s left'."""
    now = now if now is not None else time.time()
    parts = [stage_label(job), f"{round(job.progress * 100)}%"]
    if job.status == "running" and job.started:
        parts.append(f"{format_duration(now - job.started)} so far")
    if job.status == "running" and job.eta_seconds is not None and not job.cancel_requested:
        parts.append(f"about {format_duration(job.eta_seconds)} left")
    return " · ".join(parts)


def badge(job: Job) -> str:
    label, colour, icon = STATUS_BADGES.get(job.status, (job.status, "gray", ":material/help:"))
    return f":{colour}-badge[{icon} {label}]"


def details(job: Job, now: float | None = None) -> str:
    """What the job was asked to make and when: 'tone:a4 · mp3 · created 2 min ago · took 12 s'."""
    p = job.params
    if job.kind == "narration":
        what = [str(p.get("voice", "")), str(p.get("audio_format", ""))]
    elif job.kind == "video":
        what = [str(p.get("provider", "")), str(p.get("resolution", "")), str(p.get("container", ""))]
    else:
        what = []
    parts = [w for w in what if w] + [f"created {ago(job.created, now)}"]
    if job.status == "done" and job.started and job.finished:
        parts.append(f"took {format_duration(max(1.0, job.finished - job.started))}")
    elif not job.active and job.finished:
        parts.append(f"ended {ago(job.finished, now)}")
    return " · ".join(parts)


def role_label(role: str, path: Path) -> str:
    kind, _, fmt = role.partition(".")
    name = ROLE_LABELS.get(kind) or (f"{kind.capitalize()} ({fmt.upper()})" if fmt else kind.capitalize())
    return f"{name} · {path.name}"


# the card ----------------------------------------------------------------------------------------

def job_card(service: Studio, user: str, job: Job, *, players: bool = True) -> None:
    """One job in a bordered box: what, status, when, progress or result, and what can be done."""
    with st.container(border=True, key=f"job_{job.id}"):
        head, buttons = st.columns([3, 2], vertical_alignment="top")
        head.markdown(f"**{plain(job.title)}** {badge(job)} :gray-badge[{KIND_LABELS.get(job.kind, job.kind)}]")
        head.caption(details(job))
        with buttons:
            actions(service, user, job)
        if error := st.session_state.get(_ERRORS_KEY, {}).pop(job.id, None):
            st.error(error)
        if job.active:
            st.progress(min(max(job.progress, 0.0), 1.0), text=progress_text(job))
        if job.status == "failed":
            st.error(f"It failed: {job.error or 'no reason was recorded'}", icon=":material/error:")
        if note := getattr(job, "note", None):
            st.warning(note, icon=":material/info:")
        if job.status == "done":
            show_outputs(service, user, job, players=players)


def show_outputs(service: Studio, user: str, job: Job, *, players: bool = True) -> None:
    """Players for the audio and the video, the subtitle files, and a download per file."""
    try:
        outputs = service.outputs(user, job.id)
    except JobError as e:
        st.error(str(e))
        return
    if not outputs:
        st.info("This job's files are gone (deleted from the server).")
        return
    if not players:
        players = st.toggle("Show the player", key=f"player_{job.id}")
    if players and "audio" in outputs:
        st.audio(outputs["audio"])
    if players and "video" in outputs:
        track = next((outputs[r] for r in ("subtitles.vtt", "subtitles.srt") if r in outputs), None)
        soft = track is not None and not job.params.get("burn_subtitles", True)
        st.video(outputs["video"], subtitles={"Subtitles": track} if soft else None)
    subtitles = [path.name for role, path in outputs.items() if role.startswith("subtitles")]
    if subtitles:
        st.caption("Subtitles: " + ", ".join(f"`{name}`" for name in subtitles))
    with st.container(horizontal=True):
        for role, path in outputs.items():
            st.download_button(role_label(role, path), data=reader(service, user, job.id, role),
                               file_name=path.name, key=f"download_{job.id}_{role}", on_click="ignore",
                               icon=":material/download:")


def reader(service: Studio, user: str, job_id: str, role: str) -> Callable[[], bytes]:
    """The bytes of one file, read when the download is clicked (the studio checks the owner)."""
    return lambda: service.read_output(user, job_id, role)


# actions -----------------------------------------------------------------------------------------

def actions(service: Studio, user: str, job: Job) -> None:
    """The buttons this job's status allows; Delete asks once more before it removes anything."""
    if st.session_state.get(_CONFIRM_KEY) == job.id and not job.active:
        st.markdown("Delete this job and its files? :gray[It cannot be undone.]")
        with st.container(horizontal=True, horizontal_alignment="right"):
            st.button("Delete for good", key=f"delete_confirm_{job.id}", type="primary",
                      on_click=_act, args=(service.delete, user, job, "deleted"))
            st.button("Keep it", key=f"delete_keep_{job.id}", on_click=_ask_delete, args=(None,))
        return
    with st.container(horizontal=True, horizontal_alignment="right"):
        if job.status in CANCELLABLE:
            st.button("Stopping…" if job.cancel_requested else "Cancel", key=f"cancel_{job.id}",
                      icon=":material/stop:", disabled=job.cancel_requested,
                      on_click=_act, args=(service.cancel, user, job, "cancelled"))
        if job.status in RESUMABLE:
            st.button("Resume", key=f"resume_{job.id}", icon=":material/play_arrow:",
                      help="Carry on from where it stopped", on_click=_act, args=(service.resume, user, job, "resumed"))
        if job.status in RETRYABLE:
            st.button("Retry", key=f"retry_{job.id}", icon=":material/refresh:", help="Start again from the beginning",
                      on_click=_act, args=(service.retry, user, job, "queued again"))
        if job.kind == "narration" and job.status == "done":
            if st.button("Make a video", key=f"make_video_{job.id}", icon=":material/movie:"):
                st.session_state[VIDEO_SOURCE_KEY] = job.id
                st.switch_page("pages/video.py")
        if not job.active:
            st.button("Delete", key=f"delete_{job.id}", icon=":material/delete:", on_click=_ask_delete, args=(job.id,))


def _ask_delete(job_id: str | None) -> None:
    st.session_state[_CONFIRM_KEY] = job_id


def _act(action: Callable[[str, str], object], user: str, job: Job, done: str) -> None:
    st.session_state.pop(_CONFIRM_KEY, None)
    try:
        action(user, job.id)
    except (JobError, VoxweaveError, OSError) as e:
        st.session_state.setdefault(_ERRORS_KEY, {})[job.id] = f"Could not do that: {e}"
        return
    st.toast(f"{job.title}: {done}")


def orphan_errors(shown: set[str]) -> None:
    """Errors of actions on jobs that are no longer listed (deleted meanwhile): shown once, here."""
    errors = st.session_state.get(_ERRORS_KEY, {})
    for job_id in [i for i in errors if i not in shown]:
        st.error(errors.pop(job_id))


# following active jobs ---------------------------------------------------------------------------

def follow(active_ids: set[str], draw: Callable[[], set[str]]) -> None:
    """Run `draw` (which shows jobs and returns the ids still active) in a fragment that reruns every
    second while `active_ids` is not empty, and reruns the whole page once one of them has finished,
    so that its finished card (players, downloads) replaces the progress bar."""

    @st.fragment(run_every=POLL_SECONDS if active_ids else None)
    def live() -> None:
        still_active = draw()
        if active_ids - still_active:
            st.rerun(scope="app")

    live()


# video choices -----------------------------------------------------------------------------------

def video_models(provider: str) -> list[str]:
    """The models of a cloud provider that draw a clip from text alone (a scene's prompt), default first."""
    if provider == "zai":
        from voxweave.video import zai

        return [name for name, spec in zai.CATALOGUE.items() if spec.images[0] == 0]
    if provider == "wan":
        from voxweave.video import wan

        return [wan.DEFAULT_MODEL, *(name for name in wan.CATALOGUE if name != wan.DEFAULT_MODEL)]
    return []
