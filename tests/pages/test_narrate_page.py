"""Narrate: an upload or pasted text shows its chapters and estimate; bad files say why; a job starts and finishes."""

from __future__ import annotations

import time

from tests.pages.conftest import page_texts

NARRATE = "pages/narrate.py"
BOOK = b"""# The Lighthouse

A keeper climbed the stairs every evening and lit the lamp above the sea.

## The Storm

The wind rose in the night and the waves broke white against the rocks below.

## The Morning

By dawn the sea was calm again, and the boats came home one by one.
"""


def _upload(at, name: str, data: bytes, mime: str = "text/plain"):
    at.file_uploader(key="narrate_upload").set_value((name, data, mime))
    return at.run()


def _wait_done(studio, user: str, job_id: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    job = studio.job(user, job_id)
    while job.active and time.monotonic() < deadline:
        time.sleep(0.1)
        job = studio.job(user, job_id)
    return job


def test_the_empty_page_says_what_to_do(app):
    at = app("ana", NARRATE)
    assert not at.exception
    assert at.header[0].value == "Narrate"
    assert "Upload a file or paste some text" in page_texts(at)
    assert "narrate_start" not in [b.key for b in at.button]


def test_an_upload_shows_its_chapters_length_and_estimate(app):
    at = _upload(app("ana", NARRATE), "book.md", BOOK, "text/markdown")
    assert not at.exception
    chapters = at.dataframe[0].value
    assert list(chapters["Chapter"]) == ["The Lighthouse", "The Storm", "The Morning"]
    assert all(chapters["Characters"] > 0)
    assert at.multiselect(key="narrate_chapters").value == [1, 2, 3]
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Characters"].replace(",", "")) == int(chapters["Characters"].sum())
    assert metrics["Audio, about"].endswith("s")
    assert "not yet measured here" in page_texts(at)
    summary = at.session_state["doc_summary"]
    assert at.session_state["doc_name"] == "book.md" and at.session_state["doc_bytes"] == BOOK
    assert summary.title == "The Lighthouse" and len(summary.chapters) == 3


def test_bad_files_are_refused_in_words_and_the_choices_stay(app):
    at = _upload(app("ana", NARRATE), "book.md", BOOK, "text/markdown")
    at.slider(key="narrate_speed").set_value(1.5).run()
    at = _upload(at, "book.epub", b"not a zip", "application/epub+zip")
    assert not at.exception
    assert "This file cannot be narrated" in at.error[0].value
    assert "book.epub" in at.error[0].value
    assert "doc_summary" not in at.session_state
    at = _upload(at, "empty.txt", b"")
    assert not at.exception
    assert "empty" in at.error[0].value
    at = _upload(at, "book.md", BOOK, "text/markdown")
    assert not at.error
    assert at.slider(key="narrate_speed").value == 1.5


def test_a_custom_voice_that_cannot_be_read_says_why(app):
    at = _upload(app("ana", NARRATE), "book.md", BOOK, "text/markdown")
    at.text_input(key="narrate_voice_custom").input("tone:a4*0.5+c5").run()
    assert not at.exception
    assert "That voice cannot be used" in at.error[0].value
    assert at.button(key="narrate_start").disabled
    at.text_input(key="narrate_voice_custom").input("nosuch:voice").run()
    assert "not available here" in at.error[0].value
    at.text_input(key="narrate_voice_custom").input("").run()
    assert not at.error and not at.button(key="narrate_start").disabled


def test_starting_a_narration_queues_a_job_that_finishes(app, studio):
    at = _upload(app("ana", NARRATE), "book.md", BOOK, "text/markdown")
    at.selectbox(key="narrate_voice").select("tone:c5")
    at.selectbox(key="narrate_format").select("wav")
    at.multiselect(key="narrate_subtitles").select("vtt")
    at.multiselect(key="narrate_chapters").unselect(2)
    at.text_input(key="narrate_name").input("lighthouse").run()
    at.button(key="narrate_start").click().run()
    assert not at.exception
    assert not at.error
    assert "is queued" in at.success[0].value
    assert at.get("page_link")
    jobs = studio.jobs_of("ana")
    assert len(jobs) == 1 and not studio.jobs_of("ben")
    params = jobs[0].params
    assert params["voice"] == "tone:c5" and params["audio_format"] == "wav"
    assert params["subtitle_formats"] == ["srt", "vtt"] and params["chapters"] == "1,3"
    assert params["stem"] == "lighthouse"
    job = _wait_done(studio, "ana", jobs[0].id)
    assert job.status == "done", job.error
    assert {"audio"} <= set(studio.outputs("ana", job.id))


def test_pasted_text_is_narrated_as_pasted_txt(app, studio):
    at = app("ana", NARRATE)
    at.radio(key="narrate_source").set_value("Paste text").run()
    at.text_area(key="narrate_paste").input("A short note, read aloud by the tone voice for the test.").run()
    assert not at.exception
    assert at.session_state["doc_name"] == "pasted.txt"
    at.text_input(key="narrate_voice_custom").input("tone:a4*0.7+c5*0.3").run()
    at.button(key="narrate_start").click().run()
    assert not at.exception and not at.error
    job = studio.jobs_of("ana")[0]
    assert job.params["input"] == "pasted.txt"
    assert job.params["voice"] == "tone:a4*0.7+c5*0.3"
    assert job.params["chapters"] is None
    assert _wait_done(studio, "ana", job.id).status == "done"


def test_the_document_and_the_choices_survive_a_visit_to_another_screen(app):
    at = _upload(app("ana", NARRATE), "book.md", BOOK, "text/markdown")
    at.slider(key="narrate_speed").set_value(1.5)
    at.selectbox(key="narrate_voice").select("tone:c5")
    at.multiselect(key="narrate_chapters").unselect(3).run()
    at.switch_page("pages/voices.py").run()
    at.switch_page(NARRATE).run()
    assert not at.exception
    assert at.file_uploader(key="narrate_upload").value in (None, [])  # the uploader is empty again…
    assert list(at.dataframe[0].value["Chapter"])[0] == "The Lighthouse"  # …but the document is kept
    assert at.slider(key="narrate_speed").value == 1.5
    assert at.selectbox(key="narrate_voice").value == "tone:c5"
    assert at.multiselect(key="narrate_chapters").value == [1, 2]
    at.button(key="narrate_forget").click().run()
    assert "doc_summary" not in at.session_state
    assert "Upload a file or paste some text" in page_texts(at)


def test_chapters_typed_as_numbers_are_used_instead_of_the_list(app, studio):
    at = _upload(app("ana", NARRATE), "book.md", BOOK, "text/markdown")
    at.text_input(key="narrate_chapter_numbers").input("9").run()
    assert "chapter 9 does not exist" in page_texts(at)
    assert at.button(key="narrate_start").disabled
    at.text_input(key="narrate_chapter_numbers").input("2-3").run()
    assert not at.error
    at.button(key="narrate_start").click().run()
    assert studio.jobs_of("ana")[0].params["chapters"] == "2-3"
