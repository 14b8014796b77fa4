"""The fake cloud itself: it speaks both APIs, checks the key, follows its script in order, and counts."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from voxweave.video import fake_cloud
from voxweave.video.fake_cloud import FakeCloud, Reply, TaskPlan


def zai_submit(fake: FakeCloud, key: str | None = None, **body) -> requests.Response:
    headers = {"Authorization": f"Bearer {key or fake.api_key}"}
    payload = {"model": "cogvideox-3", "prompt": "x", **body}
    return requests.post(fake.base_url_zai + "/videos/generations", json=payload, headers=headers, timeout=5)


def test_it_speaks_zai_from_submit_to_download(fake, clip_file):
    task_id = zai_submit(fake, request_id="r1").json()["id"]
    auth = {"Authorization": f"Bearer {fake.api_key}"}
    first = requests.get(f"{fake.base_url_zai}/async-result/{task_id}", headers=auth, timeout=5).json()
    second = requests.get(f"{fake.base_url_zai}/async-result/{task_id}", headers=auth, timeout=5).json()
    assert first["task_status"] == "PROCESSING" and "video_result" not in first
    assert second["task_status"] == "SUCCESS"
    video = requests.get(second["video_result"][0]["url"], timeout=5)
    assert video.content == clip_file.read_bytes()
    assert fake.counters.submits == 1 and fake.counters.polls == 2 and fake.counters.downloads == 1
    assert fake.counters.submits_by_request_id == {"r1": 1}


def test_it_checks_the_key_in_each_api_shape(fake):
    zai = zai_submit(fake, key="nope")
    assert zai.status_code == 401 and zai.json()["error"]["code"] == "1000"
    wan = requests.post(
        fake.base_url_wan + fake_cloud.WAN_SUBMIT, json={}, headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert wan.status_code == 401 and wan.json()["code"] == "InvalidApiKey"
    assert fake.counters.unauthorized == 2


def test_wan_refuses_a_synchronous_call(fake):
    answer = requests.post(
        fake.base_url_wan + fake_cloud.WAN_SUBMIT, json={"model": "wan2.5-t2v-preview"},
        headers={"Authorization": f"Bearer {fake.api_key}"}, timeout=5,
    )  # fmt: skip
    assert answer.status_code == 403 and answer.json()["code"] == "AccessDenied"


def test_scripts_are_consumed_in_order_then_answers_are_normal(fake):
    fake.script("submit", [Reply(429, code="1302", retry_after=2), Reply(503), Reply(malformed=True)])
    first = zai_submit(fake, request_id="a")
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    assert first.json()["error"]["code"] == "1302"
    assert zai_submit(fake, request_id="b").status_code == 503
    with pytest.raises(ValueError):
        zai_submit(fake, request_id="c").json()
    assert zai_submit(fake, request_id="d").json()["task_status"] == "PROCESSING"
    assert fake.counters.tasks_created == 2  # c (answer garbled, task made) and d


def test_a_dropped_connection_gives_no_answer(fake):
    fake.script("submit", [Reply(drop=True)])
    with pytest.raises(requests.ConnectionError):
        zai_submit(fake, request_id="r")
    again = zai_submit(fake, request_id="r")
    assert again.status_code == 400 and again.json()["error"]["code"] == "1231"
    assert "r" in again.json()["error"]["message"]


def test_a_task_can_finish_after_some_seconds(fake):
    fake.plan = TaskPlan(seconds_to_finish=0.2)
    task_id = zai_submit(fake).json()["id"]
    auth = {"Authorization": f"Bearer {fake.api_key}"}
    url = f"{fake.base_url_zai}/async-result/{task_id}"
    assert requests.get(url, headers=auth, timeout=5).json()["task_status"] == "PROCESSING"
    time.sleep(0.25)
    assert requests.get(url, headers=auth, timeout=5).json()["task_status"] == "SUCCESS"


def test_main_serves_and_prints_what_to_use(clip_file, capsys, monkeypatch):
    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fake_cloud.time, "sleep", interrupt)
    assert fake_cloud.main(["--port", "0", "--key", "demo-key", "--clip", str(clip_file)]) == 0
    out = capsys.readouterr().out
    assert "ZAI_BASE_URL=http://127.0.0.1:" in out and "ZAI_API_KEY=demo-key" in out
    assert "DASHSCOPE_BASE_URL=http://127.0.0.1:" in out


def test_it_makes_its_own_clip_and_stops_cleanly():
    with FakeCloud() as fake:
        url = fake.origin
        assert fake._clip is not None and fake._clip.exists()
    assert not any(t.name == "fake-cloud" and t.is_alive() for t in threading.enumerate())
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/files/x.mp4", timeout=1)
