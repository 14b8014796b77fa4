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
