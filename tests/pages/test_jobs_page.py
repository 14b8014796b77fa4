"""Jobs: the user's own jobs only, newest first, live progress, players and downloads, and the actions."""

from __future__ import annotations

import time

import pytest

from tests.pages.conftest import page_texts
from voxweave.jobs import JobNotFound, NarrationRequest, VideoRequest
from webui import job_widgets

JOBS = "pages/jobs.py"
SHORT = b"# T\n\nSome text here."


def narrate(studio, user: str = "ana", name: str = "t.md", data: bytes = SHORT) -> str:
    return studio.submit_narration(user, name, data, NarrationRequest(audio_format="mp3"))


def wait_until_finished(studio, job_id: str, user: str = "ana", timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while (job := studio.job(user, job_id)).active:
        assert time.monotonic() < deadline, f"job still {job.status} after {timeout} s"
        time.sleep(0.05)
    return job


def stop_running_jobs(studio) -> None:
    """Jobs submitted from now on stay queued until the runner starts again."""
    studio.stop_jobs()


def start_running_jobs(studio) -> None:
    studio.start_jobs()


def buttons(at) -> dict[str, object]:
    return {b.key: b for b in at.button if b.key}


def download_labels(at) -> list[str]:
    return [d.label for d in at.get("download_button")]


def test_with_no_jobs_it_points_to_narrate(app):
    at = app("ana", JOBS)
    assert not at.exception
    assert "No jobs yet" in page_texts(at)
    assert not at.get("progress") and not download_labels(at)


def test_a_finished_narration_has_its_player_and_its_downloads(app, studio):
    job_id = narrate(studio)
    assert wait_until_finished(studio, job_id).status == "done"
    at = app("ana", JOBS)
    assert not at.exception
    text = page_texts(at)
    assert "t\\.md" in text and "Done" in text and "created just now" in text
    assert len(at.get("audio")) == 1
    assert download_labels(at) == ["Audio · t.mp3", "Subtitles (SRT) · t.srt"]
    assert {f"delete_{job_id}", f"make_video_{job_id}"} <= set(buttons(at))
    assert f"cancel_{job_id}" not in buttons(at)
    # the download reads the file only when clicked, through the studio (owner checked)
    audio = studio.outputs("ana", job_id)["audio"]
    assert job_widgets.reader(studio, "ana", job_id, "audio")() == audio.read_bytes()


def test_jobs_are_listed_newest_first(app, studio):
    first = narrate(studio, name="first.md")
    wait_until_finished(studio, first)
    second = narrate(studio, name="second.md")
    wait_until_finished(studio, second)
    at = app("ana", JOBS)
    titles = [m.value for m in at.markdown if m.value.startswith("**")]
    assert titles[0].startswith("**second\\.md**") and titles[1].startswith("**first\\.md**")


def test_a_queued_job_shows_progress_and_can_be_cancelled(app, studio):
    stop_running_jobs(studio)
    job_id = narrate(studio)
    at = app("ana", JOBS)
    assert "In progress (1)" in [s.value for s in at.subheader]
    assert "Waiting for a free worker" in at.get("progress")[0].proto.text
    buttons(at)[f"cancel_{job_id}"].click()
    at.run()
    assert not at.exception
    assert studio.job("ana", job_id).status == "cancelled"
    assert "Cancelled" in page_texts(at)
    assert {f"resume_{job_id}", f"retry_{job_id}", f"delete_{job_id}"} <= set(buttons(at))


def test_resume_and_retry_queue_a_stopped_job_again(app, studio):
    stop_running_jobs(studio)
    job_id = narrate(studio)
    studio.cancel("ana", job_id)
    at = app("ana", JOBS)
    buttons(at)[f"resume_{job_id}"].click()
    at.run()
    assert studio.job("ana", job_id).status == "queued"
    studio.cancel("ana", job_id)
    at.run()
    buttons(at)[f"retry_{job_id}"].click()
    at.run()
    assert not at.exception
    assert studio.job("ana", job_id).status == "queued"
    assert f"cancel_{job_id}" in buttons(at)


def test_an_action_the_job_no_longer_allows_shows_why(app, studio):
    stop_running_jobs(studio)
    job_id = narrate(studio)
    studio.cancel("ana", job_id)
    at = app("ana", JOBS)
    studio.resume("ana", job_id)  # meanwhile, in another tab
    buttons(at)[f"retry_{job_id}"].click()
    at.run()
    assert not at.exception
    assert any("Could not do that" in e.value for e in at.error)


def test_a_job_that_finishes_while_watched_gets_its_player(app, studio):
    stop_running_jobs(studio)
    job_id = narrate(studio)
    at = app("ana", JOBS)
    assert at.get("progress") and not at.get("audio")
    start_running_jobs(studio)
    wait_until_finished(studio, job_id)
    at.run()  # what the fragment's next tick (or its app rerun) draws
    assert not at.get("progress")
    assert len(at.get("audio")) == 1 and "Done" in page_texts(at)


def test_delete_asks_first_then_removes_the_job_and_its_files(app, studio):
    job_id = narrate(studio)
    wait_until_finished(studio, job_id)
    folder = studio.outputs("ana", job_id)["audio"].parent.parent
    at = app("ana", JOBS)
    buttons(at)[f"delete_{job_id}"].click()
    at.run()
    assert "Delete this job and its files?" in page_texts(at)
    buttons(at)[f"delete_keep_{job_id}"].click()
    at.run()
    assert f"delete_confirm_{job_id}" not in buttons(at)
    assert studio.job("ana", job_id).status == "done"
    buttons(at)[f"delete_{job_id}"].click()
    at.run()
    buttons(at)[f"delete_confirm_{job_id}"].click()
    at.run()
    assert not at.exception
    with pytest.raises(JobNotFound):
        studio.job("ana", job_id)
    assert not folder.exists()
    assert "No jobs yet" in page_texts(at)


def test_a_failed_job_shows_its_error_and_offers_retry(app, studio):
    job_id = narrate(studio, name="broken.epub", data=b"this is not an epub")
    job = wait_until_finished(studio, job_id)
    assert job.status == "failed"
    at = app("ana", JOBS)
    errors = [e.value for e in at.error]
    assert any(e.startswith("It failed:") and job.error in e for e in errors)
    assert "Traceback" not in page_texts(at)
    assert f"retry_{job_id}" in buttons(at) and f"resume_{job_id}" not in buttons(at)


def test_a_video_made_locally_instead_says_so(app, studio):
    narration = narrate(studio)
    wait_until_finished(studio, narration)
    video = studio.submit_video("ana", VideoRequest(provider="zai"), from_job=narration)  # no key here
    job = wait_until_finished(studio, video)
    assert job.status == "done" and job.note
    at = app("ana", JOBS)
    assert job.note in [w.value for w in at.warning]
    assert len(at.get("video")) == 1
    assert "Video · t.mp4" in download_labels(at)


def test_another_users_jobs_are_neither_listed_nor_fetchable(app, studio):
    job_id = narrate(studio)
    wait_until_finished(studio, job_id)
    at = app("ben", JOBS)
    assert "No jobs yet" in page_texts(at)
    assert not at.get("audio") and not download_labels(at)
    for verb in (studio.outputs, studio.cancel, studio.retry, studio.delete, studio.job):
        with pytest.raises(JobNotFound):
            verb("ben", job_id)
    with pytest.raises(JobNotFound):
        studio.read_output("ben", job_id, "audio")
    with pytest.raises(JobNotFound):
        job_widgets.reader(studio, "ben", job_id, "audio")()
    assert studio.job("ana", job_id).status == "done"


def test_human_times_and_progress_words():
    now = 1_000_000.0
    assert job_widgets.ago(now - 10, now) == "just now"
    assert job_widgets.ago(now - 120, now) == "2 min ago"
    assert job_widgets.ago(now - 3 * 3600, now) == "3 h ago"
    assert job_widgets.ago(now - 30 * 3600, now) == "yesterday"
    assert job_widgets.ago(now - 4 * 86400, now) == "4 days ago"
    from voxweave.jobs import Job

    running = Job("j", "ana", "narration", {}, "running", stage="synthesise", progress=0.42, eta_seconds=30,
                  started=now - 65)
    assert job_widgets.progress_text(running, now) == "Speaking · 42% · 1 min 05 s so far · about 30 s left"
    clips = Job("v", "ana", "video", {}, "running", stage="clip 2 of 5", progress=0.3, started=now - 5)
    assert job_widgets.progress_text(clips, now).startswith("Clip 2 of 5 · 30%")


def test_older_finished_jobs_come_a_page_at_a_time(app, studio):
    stop_running_jobs(studio)
    ids = [studio.submit_narration("ana", f"t{n}.md", b"# T\n\nSome text here.", NarrationRequest()) for n in range(23)]
    for job_id in ids:
        studio.cancel("ana", job_id)
    at = app("ana", "pages/jobs.py")
    assert not at.exception
    assert "Finished (23)" in [s.value for s in at.subheader]
    more = at.button(key="jobs_show_more")
    assert "3 more" in more.label
    more.click().run()
    assert not [b for b in at.button if b.key == "jobs_show_more"]
