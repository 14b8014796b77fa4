"""Z.AI: the model catalogue and validation (before any HTTP), the request body, and whole clips from
submit to mp4 over real HTTP against the fake cloud."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from voxweave.errors import OutputError
from voxweave.video import ClipRequest, ClipState, Stage, generate_clip, iter_clip
from voxweave.video.errors import (
    Cancelled,
    DeadlineExceeded,
    InvalidRequest,
    ResultExpired,
    TaskFailed,
    TaskNotFound,
)
from voxweave.video.fake_cloud import Reply, TaskPlan
from voxweave.video.zai import CATALOGUE, ZAI_INTERNATIONAL_URL, ZaiModel, ZaiProvider, build_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def is_mp4(path: Path) -> bool:
    data = Path(path).read_bytes()
    return len(data) > 100 and data[4:8] == b"ftyp"


# --- validation --------------------------------------------------------------------------------------

REFUSED = {
    "fps": (ClipRequest(prompt="x", fps=24), "fps", "30, 60"),
    "quality": (ClipRequest(prompt="x", quality="best"), "quality", "speed, quality"),
    "duration": (ClipRequest(prompt="x", duration=7), "duration", "5, 10"),
    "size": (ClipRequest(prompt="x", size="640x480"), "size", "1280x720, 720x1280, 1024x1024"),
    "style": (ClipRequest(prompt="x", model="viduq1-text", style="noir"), "style", "general, anime"),
    "aspect": (ClipRequest(prompt="x", model="viduq1-text", aspect_ratio="4:3"), "aspect_ratio", "16:9, 9:16, 1:1"),
    "movement": (
        ClipRequest(prompt="x", model="viduq1-text", movement_amplitude="huge"),
        "movement_amplitude",
        "auto, small, medium, large",
    ),
    "vidu-duration": (ClipRequest(prompt="x", model="viduq1-text", duration=10), "duration", "allowed: 5"),
    "model": (ClipRequest(prompt="x", model="sora"), "model", "cogvideox-3, viduq1-text"),
}


@pytest.mark.parametrize("request_, field, listed", REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_value_is_refused_before_any_http_and_the_allowed_values_are_listed(fake, zai, request_, field, listed):
    with pytest.raises(InvalidRequest) as caught:
        zai.submit(request_)
    assert caught.value.field == field
    assert listed in str(caught.value)
    assert fake.counters.submits == 0


@pytest.mark.parametrize(
    "request_, needle",
    [
        (ClipRequest(prompt="x" * 513), "at most 512"),
        (ClipRequest(), "needs a prompt or an image"),
        (ClipRequest(model="viduq1-text", image=PNG), "needs a prompt"),
        (ClipRequest(prompt="x", model="viduq1-text", image=PNG), "does not take an image"),
        (ClipRequest(prompt="x", model="vidu2-image"), "takes 1-1 image(s), got 0"),
        (ClipRequest(model="vidu2-reference", image=[PNG] * 4), "takes 1-3 image(s), got 4"),
        (ClipRequest(prompt="x", model="viduq1-text", with_audio=True), "does not take `with_audio`"),
        (ClipRequest(prompt="x", model="viduq1-text", fps=30), "does not take `fps`"),
        (ClipRequest(model="viduq1-image", image=b"GIF89a..."), "allowed: png, jpeg"),
        (ClipRequest(model="viduq1-image", image="/home/me/picture.png"), "http(s) URL"),
        (ClipRequest(model="viduq1-image", image=PNG + b"\x00" * (5 * 1024 * 1024)), "5 MB"),
    ],
)
def test_requests_a_model_would_refuse_are_refused_before_sending(zai, request_, needle):
    with pytest.raises(InvalidRequest) as caught:
        zai.validate(request_)
    assert needle in str(caught.value)


def test_every_model_in_the_catalogue_accepts_a_minimal_request():
    for name, spec in CATALOGUE.items():
        low = spec.images[0]
        request = ClipRequest(prompt="a boat", model=name, image=[PNG] * low if low else None)
        assert build_body(request)["model"] == name
    assert {m.value for m in ZaiModel} == set(CATALOGUE)


# --- request bodies ----------------------------------------------------------------------------------


def test_cogvideox_body_has_only_what_was_set():
    body = build_body(
        ClipRequest(
            prompt="a boat", quality="quality", with_audio=True, size="1920x1080", fps=60, duration=10, request_id="r-1"
        )
    )
    assert body == {
        "model": "cogvideox-3",
        "prompt": "a boat",
        "quality": "quality",
        "with_audio": True,
        "size": "1920x1080",
        "fps": 60,
        "duration": 10,
        "request_id": "r-1",
    }
    assert build_body(ClipRequest(prompt="a boat")) == {"model": "cogvideox-3", "prompt": "a boat"}


def test_image_bytes_become_data_uris_and_lists_where_required():
    single = build_body(ClipRequest(model="viduq1-image", image=JPEG))
    assert single["image_url"] == "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()
    start_end = build_body(ClipRequest(model="vidu2-start-end", image=PNG))
    assert isinstance(start_end["image_url"], list) and start_end["image_url"][0].startswith("data:image/png;base64,")
    first_last = build_body(ClipRequest(prompt="x", image=[PNG, "https://example.com/last.png"]))
    assert first_last["image_url"][1] == "https://example.com/last.png"
    reference = build_body(ClipRequest(model="vidu2-reference", image=(PNG, PNG, JPEG), aspect_ratio="9:16"))
    assert len(reference["image_url"]) == 3 and reference["aspect_ratio"] == "9:16"


def test_the_submit_sends_the_body_and_the_bearer_key(fake, zai):
    zai.submit(ClipRequest(prompt="a boat", fps=30, request_id="job-7"))
    (hit,) = fake.hits
    assert hit.body == {"model": "cogvideox-3", "prompt": "a boat", "fps": 30, "request_id": "job-7"}
    assert hit.path == "/api/paas/v4/videos/generations"


def test_a_request_without_id_gets_one_that_every_attempt_shares(fake, zai):
    fake.script("submit", [Reply(429, code="1302")])
    zai.submit(ClipRequest(prompt="a boat"))
    ids = {hit.body["request_id"] for hit in fake.hits}
    assert len(ids) == 1 and next(iter(ids)).startswith("voxweave-")


# --- whole clips -------------------------------------------------------------------------------------


def test_a_clip_is_polled_every_interval_until_success_then_downloaded(fake, zai, tmp_path):
    poll_interval = 0.1  # long enough that network jitter on a busy machine stays small beside it
    fake.plan = TaskPlan(polls_to_finish=4)
    seen: list[tuple[float, float]] = []
    path = generate_clip(
        zai, ClipRequest(prompt="a boat"), tmp_path / "clip.mp4",
        poll_interval=poll_interval, on_progress=lambda elapsed, expected: seen.append((elapsed, expected)),
    )  # fmt: skip
    assert path == tmp_path / "clip.mp4" and is_mp4(path)
    assert fake.counters.polls == 4 and fake.counters.downloads == 1
    gaps = [b - a for a, b in zip(fake.times("poll"), fake.times("poll")[1:], strict=False)]
    assert len(gaps) == 3 and sum(gaps) / len(gaps) >= poll_interval * 0.9
    assert all(gap >= poll_interval * 0.5 for gap in gaps)
    assert [e for e, _ in seen] == sorted(e for e, _ in seen)
    assert {x for _, x in seen} == {60.0}
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_iter_clip_yields_the_stages_in_order(fake, zai, tmp_path, poll_interval):
    events = list(iter_clip(zai, ClipRequest(prompt="a boat"), tmp_path / "c.mp4", poll_interval=poll_interval))
    assert [e.stage for e in events] == [Stage.SUBMITTED, Stage.WAITING, Stage.WAITING, Stage.DOWNLOADING, Stage.DONE]
    assert events[-1].path == tmp_path / "c.mp4" and events[-1].fraction == 1.0
    assert events[2].state is ClipState.SUCCEEDED and events[2].polls == 2


@pytest.mark.parametrize("processing_result", ["absent", "null", "empty"])
def test_video_result_absent_null_or_empty_while_processing(fake, zai, tmp_path, poll_interval, processing_result):
    fake.plan = TaskPlan(polls_to_finish=3, processing_result=processing_result)
    assert is_mp4(generate_clip(zai, ClipRequest(prompt="x"), tmp_path / "c.mp4", poll_interval=poll_interval))


@pytest.mark.parametrize("with_error", [True, False])
def test_a_failed_task_raises_task_failed(fake, zai, tmp_path, poll_interval, with_error):
    fake.plan = TaskPlan(outcome="fail", fail_with_error=with_error)
    with pytest.raises(TaskFailed) as caught:
        generate_clip(zai, ClipRequest(prompt="x"), tmp_path / "c.mp4", poll_interval=poll_interval)
    expected = "video generation failed" if with_error else "gave no reason"
    assert expected in str(caught.value) and caught.value.task_id
    assert fake.counters.downloads == 0


def test_a_never_finishing_task_stops_at_the_deadline(fake, zai, tmp_path, poll_interval):
    fake.plan = TaskPlan(outcome="never")
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        generate_clip(zai, ClipRequest(prompt="x"), tmp_path / "c.mp4", poll_interval=poll_interval, deadline_s=0.3)
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.5
    assert caught.value.deadline_s == 0.3
    assert fake.counters.polls >= 5


def test_polling_goes_on_through_failed_polls(fake, zai, tmp_path, poll_interval):
    fake.script("poll", [Reply(503)] * 3)  # one poll call exhausts its retries
    assert is_mp4(generate_clip(zai, ClipRequest(prompt="x"), tmp_path / "c.mp4", poll_interval=poll_interval))


def test_should_stop_cancels_the_wait(fake, zai, tmp_path, poll_interval):
    fake.plan = TaskPlan(outcome="never")
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        generate_clip(
            zai, ClipRequest(prompt="x"), tmp_path / "c.mp4",
            poll_interval=poll_interval, should_stop=lambda: next(calls) >= 2,
        )  # fmt: skip
    assert fake.counters.polls == 2


@pytest.mark.parametrize("unknown_task", ["404", "1214"])
def test_an_unknown_task_id_is_task_not_found(fake, zai, waits, unknown_task):
    fake.unknown_task = unknown_task
    with pytest.raises(TaskNotFound):
        zai.poll("no-such-task")
    assert waits == []


# --- downloads ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_expired_result_url(fake, zai, tmp_path, poll_interval, status):
    fake.script("download", [Reply(status)])
    with pytest.raises(ResultExpired) as caught:
        generate_clip(zai, ClipRequest(prompt="x"), tmp_path / "c.mp4", poll_interval=poll_interval)
    assert caught.value.status == status and "generate the clip again" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_broken_off_download_is_retried(fake, zai, tmp_path, waits):
    task_id = zai.submit(ClipRequest(prompt="x"))
    while not zai.poll(task_id).done:
        pass
    fake.script("download", [Reply(truncate=True), Reply(drop=True)])
    path = zai.download(zai.poll(task_id), tmp_path / "deep" / "c.mp4")
    assert is_mp4(path) and fake.counters.downloads == 3
    assert waits == [1.0, 2.0]
    assert [p.name for p in path.parent.iterdir()] == ["c.mp4"]


def test_the_download_never_sends_the_key(fake, zai, tmp_path):
    task_id = zai.submit(ClipRequest(prompt="x"))
    while not (status := zai.poll(task_id)).done:
        pass
    zai.download(status.video_url, tmp_path / "c.mp4")
    (hit,) = [h for h in fake.hits if h.endpoint == "download"]
    assert "Authorization" not in hit.headers
    assert all(h.headers.get("Authorization") == "***" for h in fake.hits if h.endpoint != "download")


# --- settings ----------------------------------------------------------------------------------------


def test_key_and_base_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", "from-env-key")
    monkeypatch.setenv("ZAI_BASE_URL", "https://open.bigmodel.cn/api/paas/v4/")
    provider = ZaiProvider()
    assert provider.available().ok
    assert provider.base_url == "https://open.bigmodel.cn/api/paas/v4"
    assert "from-env-key" not in repr(provider)
    monkeypatch.delenv("ZAI_BASE_URL")
    assert ZaiProvider().base_url == ZAI_INTERNATIONAL_URL


def test_a_clip_that_cannot_be_written_is_an_output_error(fake, zai, tmp_path):
    task_id = zai.submit(ClipRequest(prompt="x"))
    while not (status := zai.poll(task_id)).done:
        pass
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutputError):
        zai.download(status, tmp_path / "file" / "c.mp4")
