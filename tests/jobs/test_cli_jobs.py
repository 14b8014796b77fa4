"""`voxweave jobs ...`: queue, list, show, cancel, resume, retry, delete for one user at a time."""

from __future__ import annotations

import pytest

from voxweave.cli import EXIT_OK, EXIT_USAGE, main

from tests.jobs.conftest import book


@pytest.fixture
def document(tmp_path, monkeypatch):
    monkeypatch.setenv("VOXWEAVE_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "my book.md"
    path.write_text(book(4))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_submit_list_show_cancel_resume_delete(document, capsys):
    code, out, _ = run(capsys, "jobs", "submit", str(document), "--voice", "tone:a4", "--format", "mp3",
                       "--subtitles", "srt,vtt", "--user", "ann")
    job_id = out.strip()
    assert code == EXIT_OK and len(job_id) == 32

    code, out, _ = run(capsys, "jobs", "list", "--user", "ann")
    assert code == EXIT_OK and job_id[:12] in out and "queued" in out and "my book.md" in out
    code, out, _ = run(capsys, "jobs", "show", job_id[:8], "--user", "ann")
    assert code == EXIT_OK and "tone:a4" in out and "queued" in out

    assert run(capsys, "jobs", "cancel", job_id, "--user", "ann")[1].split()[3] == "cancelled"
    assert "queued" in run(capsys, "jobs", "resume", job_id, "--user", "ann")[1]
    assert run(capsys, "jobs", "retry", job_id, "--user", "ann")[0] == EXIT_USAGE  # queued: nothing to retry
    assert run(capsys, "jobs", "cancel", job_id, "--user", "ann")[0] == EXIT_OK
    assert run(capsys, "jobs", "delete", job_id, "--user", "ann")[0] == EXIT_OK
    assert run(capsys, "jobs", "list", "--user", "ann")[1] == ""


def test_another_user_cannot_see_or_touch_the_job(document, capsys):
    job_id = run(capsys, "jobs", "submit", str(document), "--voice", "tone:a4", "--user", "ann")[1].strip()
    assert run(capsys, "jobs", "list", "--user", "bob")[1] == ""
    for action in ("show", "cancel", "resume", "retry", "delete"):
        code, _, err = run(capsys, "jobs", action, job_id, "--user", "bob")
        assert code == EXIT_USAGE and "there is no job" in err
    assert "ann" in run(capsys, "jobs", "list", "--all-users")[1]


def test_bad_requests_are_refused_before_queueing(document, capsys):
    assert run(capsys, "jobs", "submit", str(document), "--format", "aiff", "--user", "ann")[0] == EXIT_USAGE
    assert run(capsys, "jobs", "submit", str(document), "--chapters", "one", "--user", "ann")[0] == EXIT_USAGE
    assert run(capsys, "jobs", "submit", str(document.with_name("missing.md")), "--user", "ann")[0] == 3
    assert run(capsys, "jobs", "list", "--user", "ann")[1] == ""


def test_a_video_of_a_narration_is_queued_run_and_shown_with_its_note(document, queue, capsys, monkeypatch):
    from tests.jobs.conftest import wait_for
    from voxweave.jobs import NarrationRequest

    monkeypatch.delenv("ZAI_API_KEY", raising=False)  # Z.AI unusable: made locally, and the note says why
    narration = queue.submit_narration("ann", document.name, document, NarrationRequest(voice="tone:a4",
                                                                                        audio_format="wav"))
    wait_for(lambda: queue.job("ann", narration).status == "done")
    code, out, _ = run(capsys, "jobs", "video", "--from", narration[:8], "--provider", "zai", "--resolution",
                       "320x180", "--format", "mov", "--user", "ann")
    video_id = out.strip()
    assert code == EXIT_OK and len(video_id) == 32
    wait_for(lambda: queue.job("ann", video_id).status == "done")

    code, out, _ = run(capsys, "jobs", "show", video_id, "--user", "ann")
    assert code == EXIT_OK and "kind      video" in out and "zai  320x180  mov" in out
    assert "note      Z.AI cannot be used" in out and "ZAI_API_KEY" in out and "my book.mov" in out
    code, _, err = run(capsys, "jobs", "video", "--from", narration, "--user", "bob")
    assert code == EXIT_USAGE and "there is no job" in err


def test_a_video_of_uploaded_audio_and_bad_video_requests(document, tmp_path, capsys):
    audio, subtitles = tmp_path / "memo.wav", tmp_path / "memo.srt"
    audio.write_bytes(b"RIFF....WAVE")  # queued only: never decoded here
    subtitles.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello.\n")
    code, out, _ = run(capsys, "jobs", "video", "--audio", str(audio), "--subtitles", str(subtitles),
                       "--soft-subtitles", "--no-fallback", "--format", "webm", "--user", "ann")
    assert code == EXIT_OK
    code, out, _ = run(capsys, "jobs", "show", out.strip(), "--user", "ann")
    assert "video of memo.wav" in out and "local  1280x720  webm" in out

    code, _, err = run(capsys, "jobs", "video", "--audio", str(audio), "--format", "avi", "--user", "ann")
    assert code == EXIT_USAGE and "mp4, mov, webm" in err
    code, _, err = run(capsys, "jobs", "video", "--audio", str(audio), "--provider", "sora", "--user", "ann")
    assert code == EXIT_USAGE and "local, zai, wan" in err
    assert run(capsys, "jobs", "video", "--audio", str(tmp_path / "none.wav"), "--user", "ann")[0] == 3
    assert len(run(capsys, "jobs", "list", "--user", "ann")[1].splitlines()) == 1
