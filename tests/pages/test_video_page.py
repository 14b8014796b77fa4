"""Video: from a finished narration or uploads, local or cloud (only with a key), then progress and the player."""

from __future__ import annotations

from tests.pages.conftest import page_texts
from tests.pages.test_jobs_page import narrate, stop_running_jobs, wait_until_finished
from voxweave.jobs import VideoRequest

VIDEO = "pages/video.py"
JOBS = "pages/jobs.py"


def launch(at):
    at.button(key="video_launch").click()
    return at.run()


def video_jobs(studio, user: str = "ana"):
    return [job for job in studio.jobs_of(user) if job.kind == "video"]


def test_without_a_narration_it_says_how_to_get_one_and_waits_for_audio(app):
    at = app("ana", VIDEO)
    assert not at.exception
    assert "no finished narration yet" in page_texts(at)
    assert at.radio(key="video_source").disabled
    assert at.file_uploader(key="video_audio") is not None
    assert at.button(key="video_launch").disabled
    assert "Upload the narration's audio first." in page_texts(at)


def test_cloud_providers_without_keys_cannot_be_chosen_and_say_why(app, studio):
    at = app("ana", VIDEO)
    assert at.radio(key="video_provider").options == ["Local (ffmpeg, no cloud)"]
    text = page_texts(at)
    assert "ZAI_API_KEY" in text and "DASHSCOPE_API_KEY" in text
    assert not [s for s in at.selectbox if s.key and s.key.startswith("video_model")]


def test_with_a_key_a_cloud_provider_offers_its_text_models_and_fallback(app, monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", "zai-test-key")
    at = app("ana", VIDEO)
    provider = at.radio(key="video_provider")
    assert "Z.AI (CogVideoX, Vidu)" in provider.options
    provider.set_value("zai")
    at.run()
    assert at.selectbox(key="video_model_zai").options == ["cogvideox-3", "viduq1-text"]
    assert "anime" in at.selectbox(key="video_style").options
    assert at.toggle(key="video_fallback").value is True


def test_a_local_video_from_the_newest_narration_is_made_and_played(app, studio):
    older = narrate(studio, name="older.md")
    wait_until_finished(studio, older)
    newest = narrate(studio, name="t.md")
    wait_until_finished(studio, newest)
    at = app("ana", VIDEO)
    assert at.selectbox(key="video_from_job").value == newest
    at = launch(at)
    assert not at.exception
    job_id = at.session_state["video_job_id"]
    job = wait_until_finished(studio, job_id)
    assert job.status == "done" and job.params["from_job"] == newest and job.params["provider"] == "local"
    at.run()
    assert "Your video" in [s.value for s in at.subheader]
    assert len(at.get("video")) == 1
    assert [d.label for d in at.get("download_button")] == ["Video · t.mp4"]


def test_uploaded_audio_and_subtitles_make_a_video(app, studio):
    narration = narrate(studio)
    wait_until_finished(studio, narration)
    audio = studio.read_output("ana", narration, "audio")
    subtitles = studio.read_output("ana", narration, "subtitles.srt")
    at = app("ana", VIDEO)
    at.radio(key="video_source").set_value("upload")
    at.run()
    at.file_uploader(key="video_audio").set_value(("talk.mp3", audio, "audio/mpeg"))
    at.file_uploader(key="video_subtitles").set_value(("talk.srt", subtitles, "text/plain"))
    at.radio(key="video_container").set_value("webm")
    at.radio(key="video_burn").set_value(False)
    at.run()
    assert not at.button(key="video_launch").disabled
    at = launch(at)
    assert not at.exception
    job = wait_until_finished(studio, at.session_state["video_job_id"])
    assert job.status == "done", job.error
    assert job.params["from_job"] is None and job.params["subtitles"] == "talk.srt"
    assert job.params["container"] == "webm" and job.params["burn_subtitles"] is False
    at.run()
    assert not at.exception
    assert len(at.get("video")) == 1  # with the subtitles as a track the player can switch on
    assert [d.label for d in at.get("download_button")] == ["Video · talk.webm", "Subtitles (SRT) · talk.srt"]


def test_a_refused_request_is_explained_not_raised(app, studio):
    narration = narrate(studio)
    wait_until_finished(studio, narration)
    at = app("ana", VIDEO)
    at.radio(key="video_background").set_value("image")
    at.run()
    assert at.button(key="video_launch").disabled
    at.file_uploader(key="video_image").set_value(("cover.png", b"not a picture at all", "image/png"))
    at.run()
    at = launch(at)
    assert not at.exception
    assert any(e.value.startswith("The video was not started:") and "picture" in e.value for e in at.error)
    assert not video_jobs(studio)


def test_a_new_session_follows_the_running_video(app, studio):
    narration = narrate(studio)
    wait_until_finished(studio, narration)
    stop_running_jobs(studio)
    video = studio.submit_video("ana", VideoRequest(), from_job=narration)  # launched from another tab
    at = app("ana", VIDEO)
    assert at.session_state["video_job_id"] == video
    assert "Waiting for a free worker" in at.get("progress")[0].proto.text
    assert f"cancel_{video}" in [b.key for b in at.button]
    assert not app("ben", VIDEO).get("progress")  # nobody else sees it


def test_make_a_video_on_the_jobs_screen_opens_this_screen_on_that_narration(app, studio):
    chosen = narrate(studio, name="chosen.md")
    wait_until_finished(studio, chosen)
    wait_until_finished(studio, narrate(studio, name="newer.md"))
    at = app("ana", JOBS)
    at.button(key=f"make_video_{chosen}").click()
    at.run()
    assert not at.exception
    assert at.header[0].value == "Video"
    assert at.selectbox(key="video_from_job").value == chosen
