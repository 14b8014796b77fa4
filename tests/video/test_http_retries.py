"""Every retry rule, over real HTTP against the fake cloud: what is retried, how long we wait, what never is,
and that one clip never becomes two paid tasks."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from voxweave.video import ClipRequest
from voxweave.video.errors import (
    AuthError,
    ConnectionFailed,
    ContentRefused,
    DailyLimit,
    DuplicateRequest,
    InvalidRequest,
    NoBalance,
    RetriesExhausted,
    ServerError,
    TimedOut,
)
from voxweave.video.fake_cloud import Reply
from voxweave.video.http import RetryPolicy, Timeouts, parse_retry_after
from voxweave.video.wan import WanProvider
from voxweave.video.zai import ZaiProvider

REQUEST = ClipRequest(prompt="a paper boat on a pond", request_id="job-1-clip-0")


def submitted(fake, zai) -> str:
    task_id = zai.submit(REQUEST)
    fake.hits.clear()
    fake.counters.polls = 0
    return task_id


# --- retried ---------------------------------------------------------------------------------------

TRANSIENT = {
    "dropped": Reply(drop=True),
    "slow": Reply(delay=1.0),  # beyond the 0.3 s read timeout
    "500": Reply(500),
    "503": Reply(503),
    "503-1305": Reply(503, code="1305"),
    "429-1302": Reply(429, code="1302"),
    "429-1303": Reply(429, code="1303"),
    "429-1305": Reply(429, code="1305"),
    "malformed": Reply(malformed=True),
}


@pytest.mark.parametrize("reply", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_a_poll_is_retried_on_every_transient_failure(fake, impatient_zai, waits, reply):
    task_id = submitted(fake, impatient_zai)
    fake.script("poll", [reply])
    status = impatient_zai.poll(task_id)
    assert status.task_id == task_id
    assert fake.counters.polls == 2
    assert waits == [1.0]  # the first backoff step


@pytest.mark.parametrize("code", ["1302", "1303", "1305"])
def test_a_rate_limited_submit_is_retried_with_the_same_request_id(fake, zai, waits, code):
    fake.script("submit", [Reply(429, code=code), Reply(429, code=code)])
    zai.submit(REQUEST)
    assert fake.counters.submits_by_request_id == {"job-1-clip-0": 3}
    assert {hit.body["request_id"] for hit in fake.hits} == {"job-1-clip-0"}
    assert fake.counters.tasks_created == 1
    assert waits == [1.0, 2.0]


def test_a_submit_dropped_before_the_service_saw_it_is_sent_again(fake, zai):
    fake.script("submit", [Reply(drop=True, takes_effect=False)])
    task_id = zai.submit(REQUEST)
    assert fake.counters.submits == 2
    assert fake.counters.tasks_created == 1
    assert zai.poll(task_id).task_id == task_id


# --- waits -----------------------------------------------------------------------------------------


def test_backoff_is_1_2_4_seconds_by_default(fake, zai, waits):
    task_id = submitted(fake, zai)
    provider = ZaiProvider(api_key=fake.api_key, base_url=fake.base_url_zai, retry=RetryPolicy(attempts=4), sleep=waits)
    fake.script("poll", [Reply(503)] * 3)
    provider.poll(task_id)
    assert waits == [1.0, 2.0, 4.0]


def test_retry_after_in_seconds_is_honoured(fake, zai, waits):
    task_id = submitted(fake, zai)
    fake.script("poll", [Reply(429, code="1302", retry_after=3), Reply(503, retry_after="7")])
    zai.poll(task_id)
    assert waits == [3.0, 7.0]


def test_retry_after_as_an_http_date_is_honoured(fake, zai, waits):
    task_id = submitted(fake, zai)
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    fake.script("poll", [Reply(429, code="1303", retry_after=when)])
    zai.poll(task_id)
    assert len(waits) == 1 and 9.0 <= waits[0] <= 12.0


def test_retry_after_is_capped(fake, zai, waits):
    task_id = submitted(fake, zai)
    fake.script("poll", [Reply(429, code="1302", retry_after=3600)])
    zai.poll(task_id)
    assert waits == [30.0]


def test_the_default_sleep_really_waits(fake):
    provider = ZaiProvider(api_key=fake.api_key, base_url=fake.base_url_zai, retry=RetryPolicy(base_wait=0.1))
    task_id = provider.submit(REQUEST)
    fake.script("poll", [Reply(503), Reply(503)])
    started = time.monotonic()
    provider.poll(task_id)
    assert time.monotonic() - started >= 0.3  # 0.1 s + 0.2 s


def test_parse_retry_after():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("5", now) == 5.0
    assert parse_retry_after("1.5", now) == 1.5
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:20 GMT", now) == 20.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# --- giving up -------------------------------------------------------------------------------------


def test_the_final_error_says_what_failed_and_how_many_attempts(fake, zai, waits):
    task_id = submitted(fake, zai)
    fake.script("poll", [Reply(503)] * 3)
    with pytest.raises(RetriesExhausted) as caught:
        zai.poll(task_id)
    error = caught.value
    assert error.attempts == 3
    assert isinstance(error.__cause__, ServerError)
    assert "Z.AI poll" in str(error) and "after 3 attempts" in str(error)
    assert "try again" in str(error).lower()
    assert waits == [1.0, 2.0]


def test_a_slow_answer_ends_as_a_timeout(fake, impatient_zai):
    task_id = submitted(fake, impatient_zai)
    fake.script("poll", [Reply(delay=1.0)] * 3)
    started = time.monotonic()
    with pytest.raises(RetriesExhausted) as caught:
        impatient_zai.poll(task_id)
    assert isinstance(caught.value.last, TimedOut)
    assert "no answer within 0.3 s" in str(caught.value)
    assert time.monotonic() - started < 2.5


# --- never retried ---------------------------------------------------------------------------------

REJECTED = {
    "400-1210": (Reply(400, code="1210"), InvalidRequest),
    "400-1214": (Reply(400, code="1214"), InvalidRequest),
    "400-1301": (Reply(400, code="1301"), ContentRefused),
    "429-1113": (Reply(429, code="1113"), NoBalance),
    "429-1304": (Reply(429, code="1304"), DailyLimit),
    "401-1002": (Reply(401, code="1002"), AuthError),
}


@pytest.mark.parametrize("reply, error", REJECTED.values(), ids=REJECTED.keys())
def test_a_rejected_submit_is_never_retried(fake, zai, waits, reply, error):
    fake.script("submit", [reply])
    with pytest.raises(error):
        zai.submit(REQUEST)
    assert fake.counters.submits == 1
    assert fake.counters.tasks_created == 0
    assert waits == []


def test_refused_content_tells_the_user_the_prompt_was_refused(fake, zai):
    fake.script("submit", [Reply(400, code="1301")])
    with pytest.raises(ContentRefused) as caught:
        zai.submit(REQUEST)
    text = str(caught.value)
    assert "refused as unsafe" in text and "reword the prompt" in text
    assert caught.value.status == 400 and caught.value.code == "1301"


def test_a_wrong_key_is_refused_and_not_retried(fake, waits):
    provider = ZaiProvider(api_key="not-the-key", base_url=fake.base_url_zai, sleep=waits)
    with pytest.raises(AuthError) as caught:
        provider.submit(REQUEST)
    assert caught.value.status == 401
    assert fake.counters.unauthorized == 1 and waits == []


def test_a_submit_answered_500_is_not_resent(fake, zai, waits):
    """The API doc: retry a submit only on connection errors and 1302/1303/1305."""
    fake.script("submit", [Reply(500)])
    with pytest.raises(ServerError):
        zai.submit(REQUEST)
    assert fake.counters.submits == 1 and waits == []


# --- one clip, one paid task -----------------------------------------------------------------------


@pytest.mark.parametrize("duplicate", ["1231-with-id", "same-task"])
def test_a_lost_submit_answer_resolves_to_the_existing_task(fake, zai, duplicate):
    fake.duplicate = duplicate
    fake.script("submit", [Reply(drop=True)])  # the task is created, the answer is lost
    task_id = zai.submit(REQUEST)
    assert fake.counters.submits == 2
    assert fake.counters.tasks_created == 1
    assert zai.poll(task_id).task_id == task_id


def test_a_lost_submit_answer_with_a_bare_1231_never_creates_a_second_task(fake, zai):
    fake.script("submit", [Reply(drop=True)])
    with pytest.raises(DuplicateRequest) as caught:
        zai.submit(REQUEST)
    assert caught.value.request_id == "job-1-clip-0"
    assert "not submitted (nor billed) twice" in str(caught.value)
    assert fake.counters.tasks_created == 1


def test_a_slow_submit_answer_is_retried_and_resolves(fake, impatient_zai):
    fake.duplicate = "1231-with-id"
    fake.script("submit", [Reply(delay=1.0)])
    task_id = impatient_zai.submit(REQUEST)
    assert fake.counters.tasks_created == 1
    assert impatient_zai.poll(task_id).task_id == task_id


def test_a_reused_request_id_follows_the_task_kept_from_the_first_submit(fake, zai):
    first = zai.submit(REQUEST)
    second = zai.submit(REQUEST)  # the service answers 1231; the provider remembers the id
    assert second == first
    assert fake.counters.submits == 2 and fake.counters.tasks_created == 1


# --- DashScope: no idempotency key ------------------------------------------------------------------


def test_wan_resends_a_throttled_submit(fake, wan, waits):
    fake.script("submit", [Reply(429, code="Throttling.RateQuota", retry_after=2)])
    wan.submit(ClipRequest(prompt="boat"))
    assert fake.counters.submits == 2 and fake.counters.tasks_created == 1
    assert waits == [2.0]


def test_wan_never_resends_a_submit_the_service_may_have_seen(fake, wan, waits):
    fake.script("submit", [Reply(drop=True)])
    with pytest.raises(ConnectionFailed) as caught:
        wan.submit(ClipRequest(prompt="boat"))
    assert caught.value.request_sent is True
    assert fake.counters.submits == 1 and waits == []


def test_wan_resends_a_submit_whose_connection_never_opened(fake, waits):
    origin = fake.origin
    fake.stop()  # nothing listens on the port any more
    provider = WanProvider(api_key="k" * 8, base_url=origin, timeouts=Timeouts(connect=0.5, read=0.5), sleep=waits)
    with pytest.raises(RetriesExhausted) as caught:
        provider.submit(ClipRequest(prompt="boat"))
    assert isinstance(caught.value.last, ConnectionFailed) and not caught.value.last.request_sent
    assert waits == [1.0, 2.0]


# --- secrets ---------------------------------------------------------------------------------------


def test_the_key_never_reaches_logs_errors_or_reprs(fake, zai, caplog):
    caplog.set_level(logging.DEBUG)
    key = fake.api_key
    fake.script("submit", [Reply(429, code="1302", message=f"slow down, Bearer {key}")])
    fake.script("poll", [Reply(503), Reply(400, code="1210", message=f"bad parameter near key {key}")])
    task_id = zai.submit(REQUEST)
    with pytest.raises(InvalidRequest) as caught:
        zai.poll(task_id)
    stranger = ZaiProvider(api_key="wrong-key-123456", base_url=fake.base_url_zai, sleep=lambda s: None)
    with pytest.raises(AuthError) as refused:
        stranger.submit(REQUEST)
    texts = [caplog.text, str(caught.value), repr(caught.value), str(refused.value), repr(zai), repr(zai._http)]
    assert caplog.text  # retries were logged
    for text in texts:
        assert key not in text
        assert "wrong-key-123456" not in text
    assert "***" in str(caught.value)


def test_openai_api_key_is_never_read(monkeypatch):
    monkeypatch.delenv("ZAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-should-not-be-used")
    provider = ZaiProvider()
    assert not provider.available().ok
    assert "ZAI_API_KEY" in provider.available().reason
