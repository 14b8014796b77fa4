"""Job folders: names from users never become paths as given; nothing is handed out beyond a job's folder."""

from __future__ import annotations

import os

import pytest

from voxweave.jobs import JobNotFound, NarrationRequest, UnsafePath
from voxweave.jobs.files import JobFiles, safe_filename, safe_owner

from tests.jobs.conftest import book


@pytest.mark.parametrize("given, safe", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\evil.md", "evil.md"),
    ("/absolute/book.epub", "book.epub"),
    ("..", "document.txt"),
    ("", "document.txt"),
    (".bashrc", "bashrc"),
    ("my book: part 1?.md", "my book_ part 1_.md"),
    ("tab\tand\x00nul.txt", "tabandnul.txt"),
    ("Les Misérables.epub", "Les Misérables.epub"),
])
def test_upload_names_become_safe_base_names(given, safe):
    assert safe_filename(given) == safe


def test_long_names_keep_their_suffix():
    name = safe_filename("a" * 500 + ".epub")
    assert len(name) <= 120 and name.endswith(".epub")


def test_owner_folders_are_plain_names():
    assert safe_owner("ann") == "ann"
    odd = safe_owner("../root")
    assert "/" not in odd and ".." not in odd and odd != safe_owner("__root")
    with pytest.raises(UnsafePath):
        safe_owner("")


def test_output_paths_never_leave_the_job_folder(tmp_path):
    files = JobFiles(tmp_path)
    job_id = "a" * 32
    folder = files.create("ann", job_id)
    assert files.output_path("ann", job_id, "out/book.m4b") == (folder.out / "book.m4b").resolve()
    (folder.out / "escape").symlink_to(tmp_path)
    for name in ("../" + "b" * 32, "out/../../x", "/etc/passwd", "", "out/escape/secret", "."):
        with pytest.raises(UnsafePath):
            files.output_path("ann", job_id, name)
    with pytest.raises(UnsafePath):
        files.folder("ann", "../../etc")


def test_a_submitted_upload_named_with_traversal_lands_inside_its_job(idle_queue, tmp_path):
    job_id = idle_queue.submit_narration("ann", "../../../outside.md", book(4).encode(),
                                         NarrationRequest(voice="tone:a4", audio_format="wav"))
    folder = idle_queue.files.folder("ann", job_id)
    assert os.listdir(folder.input) == ["outside.md"]
    assert idle_queue.job("ann", job_id).params["input"] == "outside.md"
    assert not (tmp_path / "outside.md").exists()


def test_two_users_cannot_reach_each_others_jobs_or_files(queue):
    from tests.jobs.test_runner import WAV, finished
    from tests.jobs.conftest import wait_for

    ann = queue.submit_narration("ann", "ann.md", book(4).encode(), WAV)
    bob = queue.submit_narration("bob", "bob.md", book(4).encode(), WAV)
    wait_for(lambda: finished(queue, "ann", ann) and finished(queue, "bob", bob))

    assert [j.id for j in queue.jobs_of("ann")] == [ann] and [j.id for j in queue.jobs_of("bob")] == [bob]
    for act in (queue.job, queue.cancel, queue.resume, queue.retry, queue.delete, queue.outputs):
        with pytest.raises(JobNotFound):
            act("bob", ann)
    with pytest.raises(JobNotFound):
        queue.output_path("bob", ann, "out/ann.wav")
    # Bob's own job id does not open a path into Ann's folder either.
    with pytest.raises(UnsafePath):
        queue.output_path("bob", bob, f"../../../ann/jobs/{ann}/out/ann.wav")
    assert queue.outputs("ann", ann)["audio"].is_file() and queue.job("ann", ann).status == "done"
    assert {j.owner for j in queue.all_jobs()} == {"ann", "bob"}
