"""Narrate: a book or pasted text becomes an audiobook job, with chapters, voice, speed, formats and an estimate."""

import streamlit as st

from voxweave.audio import AUDIO_FORMATS
from voxweave.errors import IngestError, VoxweaveError
from voxweave.jobs import NarrationRequest
from voxweave.narrate import WORD_SUBTITLE_FORMATS
from voxweave.service.documents import format_duration
from voxweave.subtitles import SUBTITLE_FORMATS
from voxweave.text.selection import parse_chapter_selection
from webui import voice_widgets as vw
from webui.services import studio
from webui.session import current_user, remembered

user = current_user()
service = studio()

FORMAT_LABELS = {"m4b": "M4B audiobook (chapters, cover)", "mp3": "MP3", "opus": "Opus (small)",
                 "flac": "FLAC (lossless)", "wav": "WAV (uncompressed)"}
SUBTITLE_LABELS = {"srt": "SRT, by sentence", "vtt": "WebVTT, by sentence", "ass": "ASS, by sentence",
                   "words.srt": "SRT, word by word", "words.vtt": "WebVTT, word by word",
                   "karaoke.ass": "Karaoke ASS (words light up)"}
ROLE_LABELS = {"body": "narrated", "front": "front matter (skipped)", "back": "back matter (skipped)"}
PASTED = "pasted.txt"

st.header("Narrate")
st.caption("Turn a book, an article or your own text into audio with subtitles. "
           "The work runs on the server: you can close this tab and follow it on Jobs.")
if not vw.engines_ready(service):
    st.stop()


def forget_document() -> None:
    for key in (vw.DOC_NAME, vw.DOC_BYTES, vw.DOC_SUMMARY):
        st.session_state.pop(key, None)


def load_document(name: str, data: bytes) -> None:
    """Read an upload once (kept for every screen); a file that cannot be read says why."""
    if st.session_state.get(vw.DOC_NAME) == name and st.session_state.get(vw.DOC_BYTES) == data:
        return
    try:
        summary = service.inspect(name, data)
    except IngestError as e:
        forget_document()
        st.error(f"This file cannot be narrated. {e}")
        return
    st.session_state.update({vw.DOC_NAME: name, vw.DOC_BYTES: data, vw.DOC_SUMMARY: summary})
    st.session_state.pop("narrate_started", None)
    st.session_state["narrate_chapters"] = [c.number for c in summary.chapters if c.narrated_by_default]


# 1. The text ---------------------------------------------------------------------------------
st.subheader("1. Your text")
source = st.radio("Source", ["Upload a file", "Paste text"], key="narrate_source", horizontal=True,
                  label_visibility="collapsed", persist_state="session")
if source == "Upload a file":
    upload = st.file_uploader("Book or document", type=["txt", "md", "html", "epub", "pdf"], key="narrate_upload",
                              help="EPUB keeps chapters and cover; Markdown and HTML headings become chapters.")
    given = upload is not None
    if given:
        load_document(upload.name, upload.getvalue())
else:
    pasted = st.text_area("Text to narrate", key="narrate_paste", height=200, persist_state="session",
                          placeholder="Paste an article, a chapter, a script… "
                                      "A line like 'Chapter 2' starts a new chapter.")
    given = bool(pasted.strip())
    if given:
        load_document(PASTED, pasted.encode("utf-8"))

summary = st.session_state.get(vw.DOC_SUMMARY)
if summary is None:
    st.info("Upload a file or paste some text to see its chapters, its length and how long it will take.")
    st.stop()

# The document ---------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown(f"#### {summary.title}")
    count = len(summary.chapters)
    details = [f"by {summary.author}" if summary.author else "author unknown", f"language `{summary.language}`",
               f"{count} chapter{'s' if count != 1 else ''}", f"file {summary.filename}"]
    st.caption(" · ".join(details))
    st.dataframe(
        [{"#": c.number, "Chapter": c.title, "Characters": c.chars, "By default": ROLE_LABELS.get(c.role, c.role)}
         for c in summary.chapters],
        hide_index=True, width="stretch", height=min(38 + 35 * len(summary.chapters), 320),
    )
    if not given:  # kept from an earlier visit: the uploader is empty again
        st.caption("Kept from earlier in this session. Upload or paste another text to replace it.")
        st.button("Forget this document", key="narrate_forget", on_click=forget_document)

titles = {c.number: c.title for c in summary.chapters}
body = [c.number for c in summary.chapters if c.narrated_by_default]
remembered("narrate_chapters", body)
chosen = st.multiselect("Chapters to narrate", list(titles), key="narrate_chapters", persist_state="session",
                        format_func=lambda n: f"{n}. {titles[n]}",
                        help="Front and back matter (contents, copyright, index…) are left out unless you add them.")
typed = st.text_input("…or type chapter numbers", key="narrate_chapter_numbers", placeholder="e.g. 5-12, 20",
                      help="Quicker than the list for a long book; when filled in, it is used instead of the list.")
if typed.strip():
    try:
        chosen = parse_chapter_selection(typed, len(summary.chapters))
    except ValueError as e:
        chosen = []
        st.error(f"Chapters: {e}")
selection = None if sorted(chosen) == body else vw.chapter_selection(chosen)

# 2. Voice and output ----------------------------------------------------------------------------
st.subheader("2. Voice and output")
names = vw.voice_names(service)
voice_ids = list(names)
if st.session_state.get(vw.NARRATE_VOICE) not in voice_ids:
    st.session_state[vw.NARRATE_VOICE] = service.default_voice if service.default_voice in voice_ids else voice_ids[0]
remembered(vw.NARRATE_VOICE_CUSTOM, "")
remembered("narrate_speed", 1.0)
remembered("narrate_format", "m4b")
remembered("narrate_subtitles", ["srt"])

left, right = st.columns(2)
with left:
    picked = st.selectbox("Voice", voice_ids, key=vw.NARRATE_VOICE, persist_state="session",
                          format_func=lambda v: vw.voice_label(v, names))
    custom = st.text_input("Or a blend / another voice id", key=vw.NARRATE_VOICE_CUSTOM, persist_state="session",
                           placeholder=vw.blend_example(voice_ids),
                           help="Overrides the list when filled in. Make blends on the Voices screen.")
    speed = st.slider("Speed", 0.5, 2.0, step=0.05, key="narrate_speed", persist_state="session")
with right:
    audio_format = st.selectbox("Audio format", AUDIO_FORMATS, key="narrate_format", persist_state="session",
                                format_func=lambda f: FORMAT_LABELS.get(f, f))
    subtitles = st.multiselect("Subtitles", [*SUBTITLE_FORMATS, *WORD_SUBTITLE_FORMATS], key="narrate_subtitles",
                               persist_state="session", format_func=lambda f: SUBTITLE_LABELS.get(f, f),
                               help="Timed from the synthesis itself. Leave empty for audio only.")
    name = st.text_input("Name of the result", key="narrate_name", persist_state="session",
                         placeholder=summary.filename.rsplit(".", 1)[0],
                         help="Used for the job and its file names.")

voice = picked
if custom.strip():
    try:
        voice = vw.check_voice(custom, service)
    except VoxweaveError as e:
        voice = None
        st.error(f"That voice cannot be used: {e}")

# Length and estimate -----------------------------------------------------------------------------
chars = summary.chars_of(chosen)
if not chosen:
    st.warning("Choose at least one chapter to narrate.")
elif voice:
    estimate = service.estimate(chars, voice, speed)
    length, making, size = st.columns(3)
    size.metric("Characters", f"{chars:,}")
    length.metric("Audio, about", format_duration(estimate.audio_seconds))
    making.metric("Time to make it, about", format_duration(estimate.work_seconds))
    engine = voice.partition(":")[0]
    if estimate.measured:
        st.caption(f"Measured on this server from the last preview made with {engine}.")
    else:
        st.caption(f"A typical figure for {engine}, not yet measured here: "
                   "a preview on the Voices screen measures this server.")

# 3. Start ----------------------------------------------------------------------------------------
if st.button("Start narration", type="primary", key="narrate_start", disabled=not (chosen and voice)):
    request = NarrationRequest(voice=voice, speed=float(speed), audio_format=audio_format,
                               subtitle_formats=tuple(subtitles), chapters=selection, name=name.strip() or None,
                               title=summary.title)
    try:
        job_id = service.submit_narration(user.username, st.session_state[vw.DOC_NAME],
                                          st.session_state[vw.DOC_BYTES], request)
    except (VoxweaveError, ValueError) as e:
        st.error(f"The narration was not started: {e}")
    else:
        st.session_state["narrate_started"] = (job_id, name.strip() or summary.title)

if started := st.session_state.get("narrate_started"):
    job_id, title = started
    st.success(f"**{title}** is queued (job `{job_id}`). It runs on the server, even if you close this tab.")
    st.page_link("pages/jobs.py", label="Follow it on Jobs", icon=":material/list_alt:")
