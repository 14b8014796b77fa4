"""Video: a finished narration, or uploaded audio and subtitles, becomes a video, made on this server
or by a cloud service; then its live progress and, once done, the player and the downloads."""

import streamlit as st

from voxweave.errors import VoxweaveError
from voxweave.jobs import JobError, VideoRequest
from webui import job_widgets as jw
from webui.services import studio
from webui.session import current_user

user = current_user()
service = studio()

JOB_KEY = "video_job_id"  # the video launched from this session, followed below
SOURCES = {"narration": "One of my narrations", "upload": "Audio I upload"}
PROVIDER_HINTS = {
    "local": "On this server with ffmpeg: your background, the narration and its subtitles.",
    "zai": "Clips drawn from each scene by Z.AI (CogVideoX, Vidu), then narrated and subtitled here.",
    "wan": "Clips drawn from each scene by Alibaba Wan, then narrated and subtitled here.",
}
STYLES = ["watercolour illustration", "cinematic", "anime", "documentary photograph", "oil painting",
          "minimal flat illustration"]
RESOLUTIONS = {"720p": "720p (1280×720)", "1080p": "1080p (1920×1080)", "4k": "4K (3840×2160)"}
CONTAINERS = {"mp4": "MP4 (plays everywhere)", "mov": "MOV", "webm": "WebM"}
BACKGROUNDS = {"cover": "Book cover or title card", "color": "Plain colour", "gradient": "Gradient",
               "image": "My picture"}
AUDIO_TYPES = ["mp3", "m4a", "m4b", "aac", "wav", "flac", "ogg", "opus"]

st.header("Video")
st.caption("Put a narration on screen: a picture or drawn clips, the voice, and its subtitles.")

# 1. the source -----------------------------------------------------------------------------------
st.subheader("What to narrate over")
narrations = {job.id: job for job in service.finished_narrations(user.username)}  # newest first
if not narrations:
    st.info("You have no finished narration yet. Narrate a document first, or upload audio below.",
            icon=":material/info:")
    st.page_link("pages/narrate.py", label="Narrate a document", icon=":material/menu_book:")
source = st.radio("Source", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="video_source",
                  disabled=not narrations, label_visibility="collapsed")
if not narrations:
    source = "upload"

from_job = audio = subtitles = None
if source == "narration":
    wanted = st.session_state.pop(jw.VIDEO_SOURCE_KEY, None)  # "Make a video" on the Jobs screen
    if wanted in narrations or st.session_state.get("video_from_job") not in narrations:
        st.session_state["video_from_job"] = wanted if wanted in narrations else next(iter(narrations))
    from_job = st.selectbox(
        "Narration", list(narrations), key="video_from_job",
        format_func=lambda i: f"{narrations[i].title} · finished {jw.ago(narrations[i].finished)}")
else:
    audio = st.file_uploader("Narration audio", type=AUDIO_TYPES, key="video_audio")
    subtitles = st.file_uploader("Subtitles (optional)", type=["srt", "vtt", "ass"], key="video_subtitles",
                                 help="Without them the video has no text on screen.")

# 2. who makes the pictures -----------------------------------------------------------------------
st.subheader("Pictures")
providers = service.video_providers()
usable = [p for p in providers if p.available]
provider = st.radio("Made by", [p.name for p in usable], key="video_provider",
                    format_func={p.name: p.label for p in usable}.get,
                    captions=[PROVIDER_HINTS.get(p.name, "") for p in usable])
for p in providers:
    if not p.available:
        st.caption(f":material/lock: **{p.label}** is not available: {p.reason}.")

style = prompt = ""
model = None
allow_fallback = True
if provider != "local":
    models = jw.video_models(provider)
    model = st.selectbox("Model", models, key=f"video_model_{provider}") if models else None
    style = st.selectbox("Style", STYLES, index=None, accept_new_options=True, key="video_style",
                         placeholder="Pick a style or type your own") or ""
    prompt = st.text_area("What the clips should show (optional)", key="video_prompt", max_chars=2000,
                          help="Added to every scene's own description, which comes from the text.")
    allow_fallback = st.toggle("If the service fails, make the video on this server instead", value=True,
                               key="video_fallback")

# 3. the picture, the sound and the file ----------------------------------------------------------
st.subheader("Look and file")
resolution_column, format_column, subtitles_column = st.columns(3)
resolution = resolution_column.radio("Resolution", list(RESOLUTIONS), format_func=RESOLUTIONS.get,
                                     key="video_resolution")
container = format_column.radio("Format", list(CONTAINERS), format_func=CONTAINERS.get, key="video_container")
burn = subtitles_column.radio("Subtitles", [True, False], key="video_burn",
                              format_func=lambda b: "Burned into the picture" if b else "A track you can switch off")

background = st.radio("Background" if provider == "local" else "Background (when made on this server)",
                      list(BACKGROUNDS), format_func=BACKGROUNDS.get, horizontal=True, key="video_background")
color, gradient_to, image = "#101820", None, None
if background in ("color", "gradient"):
    first, second = st.columns(2)
    color = first.color_picker("Colour" if background == "color" else "From", "#101820", key="video_color")
    if background == "gradient":
        gradient_to = second.color_picker("To", "#3a6073", key="video_gradient_to")
if background == "image":
    image = st.file_uploader("Picture", type=["png", "jpg", "jpeg", "webp"], key="video_image")
name = st.text_input("File name (optional)", key="video_name", placeholder="the narration's name")

# 4. launch ---------------------------------------------------------------------------------------
missing = ("Upload the narration's audio first." if source == "upload" and audio is None
           else "Upload the background picture first." if background == "image" and image is None else "")
if st.button("Make the video", type="primary", icon=":material/movie:", disabled=bool(missing), key="video_launch"):
    request = VideoRequest(provider=provider, style=style.strip(), prompt=prompt.strip(), model=model,
                           resolution=resolution, container=container, burn_subtitles=burn,
                           allow_fallback=allow_fallback, background=background, color=color,
                           gradient_to=gradient_to, name=name.strip() or None)
    files = {"image": (image.name, image.getvalue())} if image is not None else {}
    if from_job is not None:
        files["from_job"] = from_job
    else:
        files["audio"] = (audio.name, audio.getvalue())
        if subtitles is not None:
            files["subtitles"] = (subtitles.name, subtitles.getvalue())
    try:
        st.session_state[JOB_KEY] = service.submit_video(user.username, request, **files)
        st.toast("Video started: it carries on if you close this tab.")
    except (ValueError, JobError, VoxweaveError) as e:
        st.error(f"The video was not started: {e}")
if missing:
    st.caption(missing)

# 5. the launched (or latest active) video --------------------------------------------------------
followed = st.session_state.get(JOB_KEY)
if followed is None:  # a new session: pick up the user's running video, if any
    followed = next((j.id for j in service.jobs_of(user.username) if j.kind == "video" and j.active), None)
try:
    job = service.job(user.username, followed) if followed else None
except JobError:
    st.session_state.pop(JOB_KEY, None)
    job = None

if job is not None:
    st.session_state[JOB_KEY] = job.id
    st.subheader("Your video")

    def draw_video() -> set[str]:
        try:
            current = service.job(user.username, job.id)
        except JobError:
            st.info("This video job was deleted.")
            return set()
        jw.job_card(service, user.username, current)
        return {current.id} if current.active else set()

    jw.follow({job.id} if job.active else set(), draw_video)
    st.page_link("pages/jobs.py", label="All your jobs", icon=":material/list_alt:")
