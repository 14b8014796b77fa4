"""Voices: hear voices on your own passage side by side, compare them blind, blend two or three into a new one."""

import random

import streamlit as st

from voxweave.errors import VoxweaveError
from voxweave.service.previews import MAX_PREVIEW_CHARS
from webui import voice_widgets as vw
from webui.services import studio
from webui.session import current_user, remembered

user = current_user()
service = studio()

SPEEDS = [0.8, 0.9, 1.0, 1.1, 1.2, 1.5]
MAX_CLIPS = 12
NONE = ""

st.header("Voices")
st.caption("Listen before a long render: compare voices on your own text, vote without knowing who is who, "
           "or blend voices into a new one. Each clip is made once and then served from the cache.")
vw.used_notice()
if not vw.engines_ready(service):
    st.stop()

names = vw.voice_names(service)
voice_ids = list(names)


def label(voice: str) -> str:
    return vw.voice_label(voice, names)


starting = [service.default_voice] if service.default_voice in voice_ids else []
starting += [v for v in voice_ids if v not in starting][: 2 - len(starting)]

# The passage: the uploaded document's sample until the user types their own ------------------------
summary = st.session_state.get(vw.DOC_SUMMARY)
own = summary is not None and summary.sample.strip()
sample, origin = (summary.sample, summary.filename) if own else (vw.BUILTIN_PASSAGE, None)
if st.session_state.get("voices_passage_origin", "?") != origin or "voices_passage" not in st.session_state:
    st.session_state["voices_passage"] = sample
    st.session_state["voices_passage_origin"] = origin
passage = st.text_area("Passage", key="voices_passage", height=110, persist_state="session",
                       help=f"Edit it freely; previews speak the first {MAX_PREVIEW_CHARS} characters.")
st.caption(f"From your document *{origin}*." if origin else
           "A built-in paragraph. Upload a document on Narrate to hear a passage of your own.")
silent = not passage.strip()
if silent:
    st.warning("Type a passage for the voices to read.")


def speak(text: str, voice: str, speed: float = 1.0):
    """A preview, or None after saying in words why it could not be made."""
    try:
        return service.preview(text, voice, speed)
    except (VoxweaveError, ValueError) as e:
        st.error(f"{vw.voice_label(voice)} could not speak: {e}")
        return None


def vote(contest: dict, winner: str) -> None:
    """Record the user's blind choice (a button's callback, so the page redraws with the answer)."""
    try:
        service.record_choice(user.username, contest["a"], contest["b"], winner, contest["passage"])
        contest["winner"] = winner
    except ValueError as e:
        st.session_state["voices_ab_error"] = f"Your choice was not recorded: {e}"


side, blind, blend = st.tabs(["Side by side", "Blind A/B", "Blend"])

with side:
    remembered("voices_compare", starting)
    remembered("voices_speeds", [1.0])
    chosen = st.multiselect("Voices", voice_ids, key="voices_compare", format_func=label, persist_state="session")
    speeds = st.multiselect("Speeds", SPEEDS, key="voices_speeds", format_func=lambda s: f"×{s:g}",
                            persist_state="session")
    pairs = [(v, s) for v in chosen for s in sorted(speeds)]
    if len(pairs) > MAX_CLIPS:
        st.warning(f"That makes {len(pairs)} clips; the first {MAX_CLIPS} are made.")
    if st.button("Preview", type="primary", key="voices_preview", disabled=silent or not pairs):
        progress = st.progress(0.0, text="Making the clips…")
        grid = []
        for done, (voice, speed) in enumerate(pairs[:MAX_CLIPS], start=1):
            clip = speak(passage, voice, speed)
            if clip is not None:
                grid.append(clip)
            progress.progress(done / len(pairs[:MAX_CLIPS]), text=f"{done} of {len(pairs[:MAX_CLIPS])} clips")
        progress.empty()
        st.session_state["voices_grid"] = grid
    grid = st.session_state.get("voices_grid", [])
    if not grid:
        st.info("Pick voices and speeds, then press Preview to hear them one beside the other.")
    for row in range(0, len(grid), 3):
        for column, clip in zip(st.columns(3), grid[row:row + 3]):
            with column:
                vw.preview_card(clip, key=f"voices_use_{clip.voice}_{clip.speed:g}", listed=voice_ids)

with blind:
    st.caption("Two voices read the passage; their names stay hidden until you choose.")
    remembered("voices_ab_candidates", voice_ids[: min(4, len(voice_ids))])
    candidates = st.multiselect("Candidates", voice_ids, key="voices_ab_candidates", format_func=label,
                                persist_state="session")
    if st.button("New round", key="voices_ab_new", disabled=silent or len(candidates) < 2):
        voice_a, voice_b = random.sample(candidates, 2)
        clips = [speak(passage, voice_a), speak(passage, voice_b)]
        st.session_state["voices_ab_round"] = (
            {"a": voice_a, "b": voice_b, "clips": clips, "passage": passage, "winner": None}
            if all(clips) else None)
    if len(candidates) < 2:
        st.info("Choose at least two candidates.")
    contest = st.session_state.get("voices_ab_round")
    if error := st.session_state.pop("voices_ab_error", None):
        st.error(error)
    if contest:
        for column, side_name, clip in zip(st.columns(2), ("A", "B"), contest["clips"]):
            with column.container(border=True):
                st.markdown(f"**Voice {side_name}**")
                st.audio(clip.wav, format="audio/wav")
                st.button(f"{side_name} sounds better", key=f"voices_ab_vote_{side_name}", on_click=vote,
                          args=(contest, contest[side_name.lower()]), disabled=contest["winner"] is not None)
        if contest["winner"]:
            picked = "A" if contest["winner"] == contest["a"] else "B"
            st.success(f"You chose **{picked}**. Voice A was **{label(contest['a'])}**, "
                       f"voice B was **{label(contest['b'])}**. Press New round for another pair.")
    elif len(candidates) >= 2:
        st.info("Press New round to hear two of the candidates.")

    st.markdown("##### Leaderboard")
    mine = st.toggle("Only my choices", key="voices_ab_mine", persist_state="session")
    standings = service.leaderboard(user.username if mine else None)
    if standings:
        st.dataframe([{"Voice": s.voice, "Wins": s.wins, "Comparisons": s.comparisons, "Win rate": s.win_rate}
                      for s in standings], hide_index=True, width="stretch",
                     column_config={"Win rate": st.column_config.ProgressColumn(format="percent", min_value=0,
                                                                                max_value=1)})
    else:
        st.info("No choices yet: " + ("yours will appear here." if mine else "be the first to vote."))

with blend:
    st.caption("Mix two or three voices of one engine. Weights are shares: they are scaled to add up to 1.")
    slots = []
    for slot, (default, weight) in enumerate([(starting[0], 0.6), (starting[-1], 0.4), (NONE, 0.0)], start=1):
        remembered(f"voices_blend_{slot}", default)
        remembered(f"voices_blend_w{slot}", weight)
        voice_column, weight_column = st.columns([3, 2])
        voice = voice_column.selectbox(f"Voice {slot}", [NONE, *voice_ids] if slot == 3 else voice_ids,
                                       key=f"voices_blend_{slot}", persist_state="session",
                                       format_func=lambda v: label(v) if v else "— none —")
        share = weight_column.slider(f"Weight {slot}", 0.0, 1.0, step=0.05, key=f"voices_blend_w{slot}",
                                     persist_state="session")
        slots.append((voice, share))
    try:
        blend_id = vw.blend_id(slots)
    except VoxweaveError as e:
        blend_id = None
        st.error(f"Not a blend yet: {e}")
    if blend_id:
        st.code(blend_id, language=None)
        preview_column, use_column = st.columns(2)
        if preview_column.button("Preview blend", key="voices_blend_preview", type="primary",
                                  disabled=silent):
            with st.spinner("Blending…"):
                st.session_state["voices_blend_clip"] = speak(passage, blend_id)
        use_column.button("Use this voice for narration", key="voices_blend_use",
                          on_click=vw.use_for_narration, args=(blend_id, voice_ids))
        clip = st.session_state.get("voices_blend_clip")
        if clip is not None and clip.voice == blend_id:
            vw.preview_card(clip)
