"""Voices: side-by-side previews (cached the second time), blind A/B votes and their leaderboard, blends."""

from __future__ import annotations

from voxweave.tts.base import Voice
from tests.pages.conftest import page_texts

VOICES = "pages/voices.py"
NARRATE = "pages/narrate.py"


def _badges(at) -> list[str]:
    return [str(m.value) for m in at.markdown if "badge[" in str(m.value)]


def test_two_voices_side_by_side_and_the_second_listen_comes_from_the_cache(app):
    at = app("ana", VOICES)
    assert not at.exception
    assert at.header[0].value == "Voices"
    assert "A built-in paragraph" in page_texts(at)
    assert at.multiselect(key="voices_compare").value == ["tone:a4", "tone:c5"]
    at.button(key="voices_preview").click().run()
    assert not at.exception and not at.error
    assert len(at.get("audio")) == 2
    assert not _badges(at)
    captions = [c.value for c in at.caption if "s of audio" in c.value]
    assert len(captions) == 2
    at.run()  # the grid stays on the screen between runs
    assert len(at.get("audio")) == 2
    at.text_area(key="voices_passage").input("  ").run()
    assert at.button(key="voices_preview").disabled and "Type a passage" in at.warning[0].value
    at.text_area(key="voices_passage").input(at.session_state["voices_grid"][0].text).run()
    at.button(key="voices_preview").click().run()
    assert len(_badges(at)) == 2 and all("cached" in b for b in _badges(at))


def test_two_speeds_make_a_clip_each_and_a_clip_can_be_used_for_narration(app):
    at = app("ana", VOICES)
    at.multiselect(key="voices_compare").set_value(["tone:c5"])
    at.multiselect(key="voices_speeds").set_value([1.0, 1.2]).run()
    at.button(key="voices_preview").click().run()
    assert not at.exception
    assert len(at.get("audio")) == 2
    at.button(key="voices_use_tone:c5_1.2").click().run()
    assert "will narrate your next job" in at.success[0].value
    assert at.session_state["narrate_voice"] == "tone:c5"


def test_the_passage_comes_from_the_uploaded_document(app):
    at = app("ana", NARRATE)
    text = b"# Tides\n\n" + b"The tide came in slowly over the flat grey sand, and the gulls rose crying. " * 2
    at.file_uploader(key="narrate_upload").set_value(("tides.md", text, "text/markdown"))
    at.run()
    at.switch_page(VOICES).run()
    assert not at.exception
    assert at.text_area(key="voices_passage").value == at.session_state["doc_summary"].sample
    assert "The tide came in" in at.text_area(key="voices_passage").value
    assert "tides.md" in page_texts(at)


def test_a_blind_round_records_the_vote_and_the_leaderboard_shows_both_voices(app, studio):
    at = app("ana", VOICES)
    assert "No choices yet" in page_texts(at)
    at.multiselect(key="voices_ab_candidates").set_value(["tone:a4", "tone:c5"]).run()
    at.button(key="voices_ab_new").click().run()
    assert not at.exception
    contest = at.session_state["voices_ab_round"]
    assert {contest["a"], contest["b"]} == {"tone:a4", "tone:c5"}
    assert "Voice A" in page_texts(at) and "tone" not in " ".join(m.value for m in at.markdown if "Voice" in m.value)
    at.button(key="voices_ab_vote_A").click().run()
    assert not at.exception
    assert "Voice A was" in at.success[0].value
    assert at.button(key="voices_ab_vote_B").disabled
    standings = {s.voice: s for s in studio.leaderboard()}
    assert standings[contest["a"]].wins == 1 and standings[contest["b"]].wins == 0
    board = at.dataframe[0].value
    assert set(board["Voice"]) == {"tone:a4", "tone:c5"}
    assert list(board.columns) == ["Voice", "Wins", "Comparisons", "Win rate"]
    at.toggle(key="voices_ab_mine").set_value(True).run()
    assert set(at.dataframe[0].value["Voice"]) == {"tone:a4", "tone:c5"}


def test_someone_elses_votes_are_not_mine(app, studio):
    studio.record_choice("ben", "tone:a4", "tone:c5", "tone:c5", "a passage")
    at = app("ana", VOICES)
    assert set(at.dataframe[0].value["Voice"]) == {"tone:a4", "tone:c5"}
    at.toggle(key="voices_ab_mine").set_value(True).run()
    assert not at.dataframe
    assert "yours will appear here" in page_texts(at)


def test_a_blend_is_previewed_and_handed_to_the_narrate_screen(app):
    at = app("ana", NARRATE)
    at.file_uploader(key="narrate_upload").set_value(("n.txt", b"Some words to narrate here.", "text/plain"))
    at.run()
    assert at.text_input(key="narrate_voice_custom").value == ""
    at.switch_page(VOICES).run()
    assert at.code[0].value == "tone:a4*0.6+c5*0.4"
    at.slider(key="voices_blend_w1").set_value(0.7)
    at.slider(key="voices_blend_w2").set_value(0.3).run()
    assert at.code[0].value == "tone:a4*0.7+c5*0.3"
    at.button(key="voices_blend_preview").click().run()
    assert not at.exception and not at.error
    assert len(at.get("audio")) == 1
    at.button(key="voices_blend_use").click().run()
    assert "tone:a4*0.7+c5*0.3" in at.success[0].value
    at.switch_page(NARRATE).run()
    assert not at.exception
    assert at.text_input(key="narrate_voice_custom").value == "tone:a4*0.7+c5*0.3"
    assert "tone" in page_texts(at) and not at.error


def test_a_blend_across_engines_is_refused_in_words(app, studio, monkeypatch):
    listed = studio.voices()
    monkeypatch.setattr(studio, "voices", lambda: [*listed, Voice(id="other:x", name="x")])
    at = app("ana", VOICES)
    at.selectbox(key="voices_blend_2").select("other:x").run()
    assert not at.exception
    assert "one engine" in at.error[0].value
    assert not at.code
    assert "voices_blend_preview" not in [b.key for b in at.button]


def test_no_engine_is_said_plainly_with_a_way_to_settings(app, studio, monkeypatch):
    monkeypatch.setattr(studio, "engine_statuses", lambda: [])
    for page in (VOICES, NARRATE):
        at = app("ana", page)
        assert not at.exception
        assert "No speech engine can be used" in at.error[0].value
        assert at.get("page_link")
