"""Pieces the Narrate and Voices screens share: voice labels, the engine notice, blends, preview cards.

The session-state keys that carry a user's choices from screen to screen are named here once:
the Voices screen writes the narration voice that the Narrate screen reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import streamlit as st

from voxweave.errors import VoiceError
from voxweave.service import Preview, Studio
from voxweave.tts.voices import parse_voice

#: The uploaded document, kept for every screen: its name, its bytes, its DocumentSummary.
DOC_NAME, DOC_BYTES, DOC_SUMMARY = "doc_name", "doc_bytes", "doc_summary"
#: The narration voice picked from the list, and a typed blend or voice id that overrides it.
NARRATE_VOICE, NARRATE_VOICE_CUSTOM = "narrate_voice", "narrate_voice_custom"

#: What the Voices screen speaks when no document was uploaded.
BUILTIN_PASSAGE = (
    "The lighthouse keeper climbed the hundred and twelve steps every evening at dusk. "
    "Tonight the wind was strong, and far below the waves broke white against the rocks. "
    "Did anyone still need the light? She smiled, struck a match, and the lamp began to turn."
)

SETTINGS_PAGE = "pages/settings.py"
NARRATE_PAGE = "pages/narrate.py"


def engines_ready(service: Studio) -> bool:
    """Say plainly when no speech engine can be used here (and where to read why); False then."""
    if any(status.available for status in service.engine_statuses()) and service.voices():
        return True
    st.error("No speech engine can be used on this server yet, so nothing can be spoken. "
             "Settings lists each engine and what it is missing; an admin can install it.")
    st.page_link(SETTINGS_PAGE, label="Open Settings", icon=":material/settings:")
    return False


def voice_label(voice_id: str, names: dict[str, str] | None = None) -> str:
    """'a4 · tone' for a list of voice ids; a blend reads as it is written."""
    engine, _, name = voice_id.partition(":")
    described = (names or {}).get(voice_id, name)
    return f"{described} · {engine}" if engine else voice_id


def voice_names(service: Studio) -> dict[str, str]:
    """Voice id -> a readable name with its language, for selectboxes."""
    return {v.id: f"{v.name} ({v.language})" if v.language else v.name for v in service.voices()}


def check_voice(voice_id: str, service: Studio) -> str:
    """The voice id written in full, if an engine here can speak it (VoiceError saying why not)."""
    spec = parse_voice(voice_id, default_engine=parse_voice(service.default_voice).engine)
    ready = sorted(s.name for s in service.engine_statuses() if s.available)
    if spec.engine not in ready:
        raise VoiceError(f"the engine {spec.engine!r} is not available here (available: {', '.join(ready)})")
    return str(spec)


def blend_id(parts: Iterable[tuple[str, float]]) -> str:
    """`engine:a*0.6+b*0.4` from (voice id, weight) pairs; VoiceError when it cannot be one voice."""
    chosen = [(parse_voice(voice), weight) for voice, weight in parts if voice and weight > 0]
    engines = sorted({spec.engine for spec, _ in chosen})
    if len(engines) > 1:
        raise VoiceError(f"a blend mixes voices of one engine only; these come from {', '.join(engines)}")
    names = {spec.name for spec, _ in chosen}
    if len(names) < 2:
        raise VoiceError("a blend needs two different voices, each with a weight above zero")
    if any(spec.is_blend for spec, _ in chosen):
        raise VoiceError("blend plain voices, not blends")
    text = "+".join(f"{spec.name}*{weight:g}" for spec, weight in chosen)
    return str(parse_voice(f"{engines[0]}:{text}"))


def chapter_selection(numbers: Sequence[int]) -> str:
    """[1, 2, 3, 7] -> '1-3,7', the selection NarrationRequest.chapters reads."""
    ranges: list[list[int]] = []
    for number in sorted(set(numbers)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def preview_card(preview: Preview, *, key: str | None = None, listed: Sequence[str] = ()) -> None:
    """One clip: who speaks, the player, how long it is and how fast it came; with `key`, a way to use it."""
    with st.container(border=True):
        st.markdown(f"**{voice_label(preview.voice)}** · speed ×{preview.speed:g}")
        st.audio(preview.wav, format="audio/wav")
        st.caption(f"{preview.seconds:.1f} s of audio · ready in {preview.latency:.2f} s")
        if preview.cached:
            st.badge("cached", icon=":material/bolt:", color="green")
        if key is not None:
            st.button("Use for narration", key=key, help="Preselect this voice on the Narrate screen",
                      on_click=use_for_narration, args=(preview.voice, listed))


def use_for_narration(voice_id: str, listed: Sequence[str]) -> None:
    """Make `voice_id` the Narrate screen's voice: picked from its list, or typed when it is a blend."""
    if voice_id in listed:
        st.session_state[NARRATE_VOICE] = voice_id
        st.session_state[NARRATE_VOICE_CUSTOM] = ""
    else:
        st.session_state[NARRATE_VOICE_CUSTOM] = voice_id
    st.session_state["voices_used"] = voice_id


def used_notice() -> None:
    """After 'Use for narration': say so, with the way to the Narrate screen."""
    used = st.session_state.pop("voices_used", None)
    if used:
        st.success(f"`{used}` will narrate your next job.")
        st.page_link(NARRATE_PAGE, label="Go to Narrate", icon=":material/menu_book:")


def blend_example(voice_ids: list[str]) -> str:
    """A blend id made of two voices this server has, to show how one is written."""
    engine = voice_ids[0].partition(":")[0] if voice_ids else ""
    names = [v.partition(":")[2] for v in voice_ids if v.startswith(f"{engine}:")][:2]
    if len(names) < 2:
        return f"{voice_ids[0]}" if voice_ids else "engine:voice"
    return f"{engine}:{names[0]}*0.6+{names[1]}*0.4"
