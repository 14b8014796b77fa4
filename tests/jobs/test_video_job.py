"""Video jobs run by a real Runner: from a finished narration or from uploads, locally or through the fake
cloud over real HTTP, with fallback notes, cancellation, retries, owners' isolation and checks at submit.

Narrations are a few seconds of tone and videos are 320x180, so that each test takes a second or two.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile
from PIL import Image

from voxweave.audio import media_duration
from voxweave.ffmpeg import run_ffmpeg
from voxweave.jobs import JobNotFound, JobQueue, JobStateError, NarrationRequest, VideoRequest
from voxweave.subtitles import Cue, write_subtitles
from voxweave.video.captions import has_filter
from voxweave.video.fake_cloud import TaskPlan

from tests.jobs.conftest import FastSettings, book, wait_for
from tests.text.conftest import EpubSpec, write_epub

SMALL = "320x180"
FINISHED = ("done", "failed", "cancelled", "interrupted")


def finished(queue: JobQueue, owner: str, job_id: str, timeout: float = 30.0):
    return wait_for(lambda: (job := queue.job(owner, job_id)).status in FINISHED and job, timeout)


def narrate(queue: JobQueue, owner: str = "ann", name: str = "tale.md", data: bytes | None = None) -> str:
    job_id = queue.submit_narration(owner, name, data or book(3).encode(),
                                    NarrationRequest(voice="tone:a4", audio_format="wav"))
    assert finished(queue, owner, job_id).status == "done"
    return job_id


def png(color: tuple[int, int, int], size: tuple[int, int] = (60, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def frame_at(video: Path, seconds: float, folder: Path) -> np.ndarray:
    picture = folder / f"frame-{seconds:.2f}.png"
    run_ffmpeg(["-ss", f"{seconds:.2f}", "-i", str(video), "-frames:v", "1", str(picture)], timeout=60)
    return np.asarray(Image.open(picture).convert("RGB")).astype(int)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def narration(queue) -> str:
    return narrate(queue)


# --- local videos --------------------------------------------------------------------------------------


def test_a_local_video_from_a_narration_lasts_exactly_as_long(queue, narration):
    video_id = queue.submit_video("ann", VideoRequest(resolution=SMALL), from_job=narration)
    job = finished(queue, "ann", video_id)

    assert job.status == "done" and job.progress == 1.0 and job.stage == "done" and job.error is None
    outputs = queue.outputs("ann", video_id)
    assert outputs["video"].name == "tale.mp4"
    assert abs(media_duration(outputs["video"]) - media_duration(queue.outputs("ann", narration)["audio"])) < 0.1
    if has_filter("subtitles"):  # burned: nothing beside the video, nothing to note
        assert set(outputs) == {"video"} and job.note is None
    else:
        assert "subtitles.srt" in outputs and "beside the video" in job.note
    folder = outputs["video"].parent
    assert not [name for name in files_in(folder) if name.startswith(".")]  # no partial file, no work folder
    assert files_in(folder.parent / "input") == ["tale.srt", "tale.wav"]  # a .md has no cover: not copied


def test_soft_subtitles_come_as_a_file_beside_a_mov(queue, narration):
    request = VideoRequest(resolution=SMALL, container="mov", burn_subtitles=False, background="gradient",
                           name="soft")
    job = finished(queue, "ann", queue.submit_video("ann", request, from_job=narration))
    outputs = queue.outputs("ann", job.id)
    assert job.status == "done" and outputs["video"].name == "soft.mov"
    assert outputs["subtitles.srt"].read_text() == queue.outputs("ann", narration)["subtitles.srt"].read_text()


def test_the_cover_of_the_narrated_epub_is_the_background(queue, tmp_path):
    chapter = "<h1>One</h1><p>" + " ".join(f"Sentence {i} is about the red cover." for i in range(3)) + "</p>"
    nav = '<nav epub:type="toc"><ol><li><a href="one.xhtml">One</a></li></ol></nav>'
    epub = write_epub(EpubSpec(docs=[("one.xhtml", chapter)], nav=nav, title="Red Book", cover=png((230, 20, 20))),
                      tmp_path / "red.epub")
    narration = narrate(queue, name="red.epub", data=epub.read_bytes())
    job = finished(queue, "ann", queue.submit_video("ann", VideoRequest(resolution=SMALL), from_job=narration))

    assert job.status == "done" and job.params["source"] == "red.epub"
    red, green, blue = frame_at(queue.outputs("ann", job.id)["video"], 0.5, tmp_path)[90, 160]
    assert red > 180 and green < 70 and blue < 70


def test_uploaded_audio_subtitles_and_picture(queue, tmp_path):
    rate = 24_000
    audio = tmp_path / "memo.wav"
    soundfile.write(audio, np.full(int(2.5 * rate), 0.1, np.float32), rate)
    subtitles = write_subtitles([Cue(0.2, 2.0, "A short memo.")], tmp_path / "memo.srt", "srt")
    request = VideoRequest(resolution=SMALL, background="image", burn_subtitles=False)
    video_id = queue.submit_video("ann", request, audio=("memo.wav", audio), subtitles=("memo.srt", subtitles.read_bytes()),
                                  image=("blue.png", png((20, 40, 230))))
    job = finished(queue, "ann", video_id)

    assert job.status == "done" and job.params["from_job"] is None
    video = queue.outputs("ann", video_id)["video"]
    assert video.name == "memo.mp4" and abs(media_duration(video) - 2.5) < 0.1
    red, green, blue = frame_at(video, 0.5, tmp_path)[90, 160]
    assert blue > 180 and red < 70


# --- the cloud, through the fake over real HTTP ---------------------------------------------------------


@pytest.fixture
def cloud_queue(tmp_path, resolver, fake, monkeypatch):
    """A queue whose Z.AI is the fake cloud (key in the environment, as in production), polling quickly."""
    monkeypatch.setenv("ZAI_API_KEY", fake.api_key)
    settings = FastSettings(data_dir=tmp_path / "data", zai_base_url=fake.base_url_zai, video_poll_interval=0.02)
    jobs = JobQueue(settings)
    jobs.start_runner(engines=resolver)
    yield jobs
    jobs.close()


def test_cloud_clips_make_the_video(cloud_queue, fake):
    narration = narrate(cloud_queue)
    request = VideoRequest(provider="zai", style="watercolour", resolution=SMALL)
    job = finished(cloud_queue, "ann", cloud_queue.submit_video("ann", request, from_job=narration))
    assert job.status == "done" and (job.note is None) == has_filter("subtitles")
    assert fake.counters.submits == 1 and fake.api_key not in str(dict(job.params))
    narrated = media_duration(cloud_queue.outputs("ann", narration)["audio"])
    assert abs(media_duration(cloud_queue.outputs("ann", job.id)["video"]) - narrated) < 0.1


def test_a_failing_cloud_falls_back_to_local_and_the_note_says_why(cloud_queue, fake):
    narration = narrate(cloud_queue)
    fake.plan = TaskPlan(outcome="fail")
    job = finished(cloud_queue, "ann", cloud_queue.submit_video("ann", VideoRequest(provider="zai", resolution=SMALL),
                                                                 from_job=narration))
    assert job.status == "done" and "video" in cloud_queue.outputs("ann", job.id)
    assert job.note.startswith("Z.AI failed (") and "made locally instead" in job.note


def test_without_fallback_a_failing_cloud_fails_the_job_and_leaves_no_video(cloud_queue, fake):
    narration = narrate(cloud_queue)
    fake.plan = TaskPlan(outcome="fail")
    request = VideoRequest(provider="zai", allow_fallback=False, resolution=SMALL)
    job = finished(cloud_queue, "ann", cloud_queue.submit_video("ann", request, from_job=narration))
    assert job.status == "failed" and "fail" in job.error.lower() and job.outputs == ()
    assert files_in(cloud_queue.files.folder("ann", job.id).out) == []


def test_a_cloud_without_a_key_is_noted_and_skipped_or_refused(cloud_queue, fake, monkeypatch):
    narration = narrate(cloud_queue)
    monkeypatch.delenv("ZAI_API_KEY")
    job = finished(cloud_queue, "ann", cloud_queue.submit_video("ann", VideoRequest(provider="zai", resolution=SMALL),
                                                                 from_job=narration))
    assert job.status == "done" and "ZAI_API_KEY" in job.note and fake.counters.submits == 0
    strict = VideoRequest(provider="zai", allow_fallback=False, resolution=SMALL)
    job = finished(cloud_queue, "ann", cloud_queue.submit_video("ann", strict, from_job=narration))
    assert job.status == "failed" and "ZAI_API_KEY" in job.error


def test_cancel_while_waiting_for_the_cloud_then_retry(cloud_queue, fake):
    narration = narrate(cloud_queue)
    fake.plan = TaskPlan(outcome="never")
    video_id = cloud_queue.submit_video("ann", VideoRequest(provider="zai", resolution=SMALL), from_job=narration)
    wait_for(lambda: cloud_queue.job("ann", video_id).stage.startswith("clip 1 of 1"))
    cloud_queue.cancel("ann", video_id)
    job = finished(cloud_queue, "ann", video_id, timeout=10)

    assert job.status == "cancelled" and job.outputs == () and job.note is None  # stopped, not fallen back
    out = cloud_queue.files.folder("ann", video_id).out
    assert files_in(out) == []

    (out / ".tale.partial.mp4").write_bytes(b"half a video")  # as a worker killed mid-encode leaves it
    (out / ".voxweave-compose-x").mkdir()
    fake.plan = TaskPlan()
    cloud_queue.retry("ann", video_id)
    job = finished(cloud_queue, "ann", video_id)
    assert job.status == "done" and job.attempts == 2 and "video" in cloud_queue.outputs("ann", video_id)
    assert not [name for name in files_in(out) if name.startswith(".")]


# --- what is refused at submit ---------------------------------------------------------------------------


def test_another_owner_cannot_make_a_video_of_the_narration(queue, narration):
    with pytest.raises(JobNotFound):
        queue.submit_video("bob", VideoRequest(), from_job=narration)
    assert queue.jobs_of("bob") == []


def test_only_a_finished_narration_with_audio_can_be_used(queue, narration):
    broken = queue.submit_narration("ann", "later.md", book(2).encode(), NarrationRequest(voice="broken:a4"))
    assert finished(queue, "ann", broken).status == "failed"
    with pytest.raises(JobStateError, match="failed: a video needs a finished narration"):
        queue.submit_video("ann", VideoRequest(), from_job=broken)
    video_id = queue.submit_video("ann", VideoRequest(resolution=SMALL), from_job=narration)
    assert finished(queue, "ann", video_id).status == "done"
    with pytest.raises(JobStateError, match="video job"):
        queue.submit_video("ann", VideoRequest(), from_job=video_id)
    queue.outputs("ann", narration)["audio"].unlink()
    with pytest.raises(JobStateError, match="no audio"):
        queue.submit_video("ann", VideoRequest(), from_job=narration)


@pytest.mark.parametrize(("request_", "match"), [
    (VideoRequest(provider="sora"), "choose from local, zai, wan"),
    (VideoRequest(container="avi"), "choose from mp4, mov, webm"),
    (VideoRequest(resolution="8k"), "choose from 720p, 1080p, 4k"),
    (VideoRequest(resolution="321x180"), "even"),
    (VideoRequest(background="plaid"), "choose from cover, color, gradient, image"),
    (VideoRequest(background="image"), "needs a picture"),
    (VideoRequest(color="not-a-colour"), "not a colour"),
    (VideoRequest(background="gradient", gradient_to="#12345"), "not a colour"),
    (VideoRequest(provider="zai", model="no-such-model"), "no-such-model"),
    (VideoRequest(prompt="x" * 5000), "at most"),
])
def test_bad_requests_are_refused_before_anything_is_queued(queue, narration, request_, match):
    with pytest.raises(ValueError, match=match):
        queue.submit_video("ann", request_, from_job=narration)
    assert [job.kind for job in queue.jobs_of("ann")] == ["narration"]
    assert len(list((queue.files.root / "ann" / "jobs").iterdir())) == 1  # no folder left behind


def test_bad_uploads_are_refused(queue, narration):
    with pytest.raises(ValueError, match="from_job.*or an audio file"):
        queue.submit_video("ann", VideoRequest())
    with pytest.raises(ValueError, match="subtitles must be"):
        queue.submit_video("ann", VideoRequest(), audio=("a.wav", b"RIFF"), subtitles=("a.txt", b"hello"))
    with pytest.raises(ValueError, match="not both"):
        queue.submit_video("ann", VideoRequest(), from_job=narration, audio=("a.wav", b"RIFF"))
    with pytest.raises(ValueError, match="not a picture"):
        queue.submit_video("ann", VideoRequest(background="image"), audio=("a.wav", b"RIFF"),
                           image=("a.png", b"not a png"))
    assert [job.kind for job in queue.jobs_of("ann")] == ["narration"]


def test_the_documents_title_names_the_narration_and_its_video(queue):
    job_id = queue.submit_narration("ann", "tale.md", book(2).encode(),
                                    NarrationRequest(voice="tone:a4", audio_format="wav", title="  The   Tale  "))
    assert finished(queue, "ann", job_id).title == "The Tale"
    video_id = queue.submit_video("ann", VideoRequest(resolution=SMALL), from_job=job_id)
    assert queue.job("ann", video_id).title == "The Tale"
    untitled = queue.submit_narration("ann", "notes.md", b"Some words.", NarrationRequest(voice="tone:a4"))
    assert queue.job("ann", untitled).title == "notes.md"
