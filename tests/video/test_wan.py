"""Alibaba DashScope wan: validation, the async submit, polling, and its error codes in the same tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxweave.video import ClipRequest, generate_clip
from voxweave.video.errors import (
    AuthError,
    ContentRefused,
    DailyLimit,
    InvalidRequest,
    NoBalance,
    TaskFailed,
    TaskNotFound,
)
from voxweave.video.fake_cloud import Reply, TaskPlan
from voxweave.video.wan import WAN_INTERNATIONAL_URL, WanProvider, build_body


def test_a_clip_from_submit_to_mp4(fake, wan, tmp_path, poll_interval):
    fake.plan = TaskPlan(polls_to_finish=3)
    request = ClipRequest(prompt="a paper boat", size="1280x720", duration=5)
    path = generate_clip(wan, request, tmp_path / "clip.mp4", poll_interval=poll_interval)
    assert Path(path).read_bytes()[4:8] == b"ftyp"
    submit = next(h for h in fake.hits if h.endpoint == "submit")
    assert submit.body == {
        "model": "wan2.5-t2v-preview",
        "input": {"prompt": "a paper boat"},
        "parameters": {"size": "1280*720", "duration": 5},
    }
    assert submit.headers["X-DashScope-Async"] == "enable"
    assert submit.path == "/api/v1/services/aigc/video-generation/video-synthesis"
    assert fake.counters.polls == 3


def test_body_takes_either_size_spelling_and_audio():
    body = build_body(ClipRequest(prompt="x", size="1920*1080", with_audio=False))
    assert body["parameters"] == {"size": "1920*1080", "audio": False}


@pytest.mark.parametrize(
    "request_, needle",
    [
        (ClipRequest(prompt="x", size="1000x1000"), "832x480, 480x832"),
        (ClipRequest(prompt="x", duration=4), "allowed: 5, 10"),
        (ClipRequest(prompt="x", fps=30), "does not take `fps`"),
        (ClipRequest(prompt="x", image=b"\x89PNG"), "does not take `image`"),
        (ClipRequest(prompt=""), "needs a prompt"),
        (ClipRequest(prompt="x", model="wan9"), "allowed: wan2.5-t2v-preview"),
    ],
)
def test_validation_lists_allowed_values_before_any_http(fake, wan, request_, needle):
    with pytest.raises(InvalidRequest) as caught:
        wan.submit(request_)
    assert needle in str(caught.value)
    assert fake.counters.submits == 0


@pytest.mark.parametrize(
    "reply, error",
    [
        (
            Reply(400, code="DataInspectionFailed", message="Input data may contain inappropriate content."),
            ContentRefused,
        ),
        (
            Reply(400, code="Arrearage", message="Access denied, please make sure your account is in good standing."),
            NoBalance,
        ),
        (Reply(429, code="Throttling.AllocationQuota", message="Free allocated quota exceeded."), DailyLimit),
        (Reply(403, code="AccessDenied.Unpurchased", message="Access denied"), AuthError),
        (Reply(400, code="InvalidParameter", message="size is invalid"), InvalidRequest),
    ],
)
def test_dashscope_codes_map_into_the_same_tree(fake, wan, waits, reply, error):
    fake.script("submit", [reply])
    with pytest.raises(error) as caught:
        wan.submit(ClipRequest(prompt="x"))
    assert caught.value.code == reply.code and caught.value.status == reply.status
    assert waits == [] and fake.counters.submits == 1


def test_throttling_is_transient_and_a_poll_is_retried(fake, wan, waits):
    task_id = wan.submit(ClipRequest(prompt="x"))
    fake.script("poll", [Reply(429, code="Throttling"), Reply(500, code="InternalError")])
    assert wan.poll(task_id).task_id == task_id
    assert waits == [1.0, 2.0]


def test_a_wrong_key_is_an_auth_error(fake, waits):
    provider = WanProvider(api_key="sk-wrong", base_url=fake.base_url_wan, sleep=waits)
    with pytest.raises(AuthError) as caught:
        provider.submit(ClipRequest(prompt="x"))
    assert caught.value.code == "InvalidApiKey" and "sk-wrong" not in str(caught.value)


def test_a_failed_task(fake, wan, tmp_path, poll_interval):
    fake.plan = TaskPlan(outcome="fail")
    with pytest.raises(TaskFailed) as caught:
        generate_clip(wan, ClipRequest(prompt="x"), tmp_path / "c.mp4", poll_interval=poll_interval)
    assert caught.value.code == "InternalError.Algo"


def test_an_unknown_task_is_task_not_found(fake, wan):
    with pytest.raises(TaskNotFound):
        wan.poll("no-such-task")


def test_statuses_pending_then_running(fake, wan):
    fake.plan = TaskPlan(polls_to_finish=5)
    task_id = wan.submit(ClipRequest(prompt="x"))
    states = [wan.poll(task_id).raw_status for _ in range(5)]
    assert states == ["PENDING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]


def test_key_and_base_url_from_the_environment(monkeypatch):
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    monkeypatch.delenv("DASHSCOPE_BASE_URL", raising=False)
    assert not WanProvider().available().ok
    assert WanProvider().base_url == WAN_INTERNATIONAL_URL
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-env")
    assert WanProvider().available().ok and "sk-env" not in repr(WanProvider())
