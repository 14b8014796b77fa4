"""A small real HTTP server on 127.0.0.1 that speaks the Z.AI and DashScope video APIs, for tests and demos.

It creates tasks, answers polls, serves a real tiny mp4, and misbehaves on request, per endpoint and in
order: `fake.script("submit", [Reply(429, code="1302", retry_after=1), Reply()])`. It counts what it
receives so tests can assert, for instance, that one clip never became two paid tasks.

    with FakeCloud() as fake:
        provider = ZaiProvider(api_key=fake.api_key, base_url=fake.base_url_zai)
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import secrets
import socket
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from voxweave.ffmpeg import run_ffmpeg

logger = logging.getLogger(__name__)

Endpoint = Literal["submit", "poll", "download"]
ZAI_PREFIX = "/api/paas/v4"
WAN_SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
WAN_TASKS = "/api/v1/tasks/"
_ZAI_MESSAGES = {
    "1000": "Authentication failed",
    "1001": "Authentication parameter not received in Header",
    "1113": "Your account is in arrears, please recharge and try again",
    "1210": "Invalid API parameter, please check the documentation",
    "1214": "Invalid request parameters",
    "1231": "You already have a request: {request_id}",
    "1301": "The system detected potentially unsafe or sensitive content in input or generation",
    "1302": "High concurrency usage of this API, please reduce concurrency",
    "1303": "High frequency usage of this API, please reduce frequency",
    "1304": "The daily call limit for this API has been reached",
    "1305": "The service may be temporarily overloaded, please try again later",
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer. The default is the normal answer; the fields make it misbehave.

    status/code: answer this HTTP status with an error body in the API's own shape (no effect on state).
    delay: seconds to wait before answering. drop: close the connection without any answer.
    malformed: answer 200 with broken JSON. truncate: send half the download and close.
    takes_effect: for 200-ish replies (drop, delay, malformed), whether the request is carried out
    first (a submit creates its task) though the answer is lost.
    """

    status: int = 200
    code: str | None = None
    message: str | None = None
    retry_after: str | float | None = None
    delay: float = 0.0
    drop: bool = False
    malformed: bool = False
    truncate: bool = False
    takes_effect: bool = True


@dataclass(frozen=True)
class TaskPlan:
    """How the tasks created from now on behave."""

    #: Done after this many polls (counting the one that sees it done)...
    polls_to_finish: int = 2
    #: ...or, when set, once this many seconds have passed since the submit.
    seconds_to_finish: float | None = None
    outcome: Literal["success", "fail", "never"] = "success"
    #: A FAIL answer with an error object, or with task_status alone (the API doc leaves it open).
    fail_with_error: bool = True
    #: video_result while processing: left out, null, or [] (the API doc leaves it open).
    processing_result: Literal["absent", "null", "empty"] = "absent"


@dataclass
class _Task:
    id: str
    api: Literal["zai", "wan"]
    model: str
    request_id: str | None
    plan: TaskPlan
    created: float
    polls: int = 0

    def state(self, now: float) -> Literal["running", "success", "fail"]:
        if self.plan.outcome == "never":
            return "running"
        if self.plan.seconds_to_finish is not None:
            finished = now - self.created >= self.plan.seconds_to_finish
        else:
            finished = self.polls >= self.plan.polls_to_finish
        return ("success" if self.plan.outcome == "success" else "fail") if finished else "running"


@dataclass(frozen=True)
class Hit:
    """One request the fake received."""

    endpoint: str
    api: str
    path: str
    at: float
    request_id: str | None = None
    task_id: str | None = None
    #: The JSON body of a submit, and the request's headers (Authorization's value redacted).
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Counters:
    submits: int = 0
    submits_by_request_id: Counter = field(default_factory=Counter)
    tasks_created: int = 0
    polls: int = 0
    polls_by_task: Counter = field(default_factory=Counter)
    downloads: int = 0
    unauthorized: int = 0


def make_test_clip(path: Path, seconds: float = 1.0) -> Path:
    """A tiny real mp4 (64x64 test pattern at 10 fps) at `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"testsrc=size=64x64:rate=10:duration={seconds:g}",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
        timeout=60,
    )  # fmt: skip
    return path


class FakeCloud:
    """Both video APIs on 127.0.0.1, scriptable, counting. Start with `start()` or `with FakeCloud() as f`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        port: int = 0,
        clip: Path | None = None,
        plan: TaskPlan = TaskPlan(),
        duplicate: Literal["1231", "1231-with-id", "same-task"] = "1231",
        unknown_task: Literal["404", "1214"] = "404",
    ) -> None:
        self.api_key = api_key or f"fake-{secrets.token_hex(12)}"
        self.plan = plan
        #: How a reused request_id is answered: 1231 as documented, 1231 naming the task, or the task itself.
        self.duplicate = duplicate
        #: How Z.AI answers a poll for an unknown task id: 404, or 400 with code 1214.
        self.unknown_task = unknown_task
        self.counters = Counters()
        self.hits: list[Hit] = []
        self._port = port
        self._clip = clip
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        self._scripts: dict[str, deque[Reply]] = {"submit": deque(), "poll": deque(), "download": deque()}
        self._tasks: dict[str, _Task] = {}
        self._by_request_id: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeCloud:
        if self._clip is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="voxweave-fake-cloud-")
            self._clip = make_test_clip(Path(self._own_dir.name) / "clip.mp4")
        self._clip_bytes = Path(self._clip).read_bytes()
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-cloud", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._own_dir is not None:
            self._own_dir.cleanup()
            self._own_dir = None

    def __enter__(self) -> FakeCloud:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the fake cloud first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url_zai(self) -> str:
        return self.origin + ZAI_PREFIX

    @property
    def base_url_wan(self) -> str:
        return self.origin

    # --- steering --------------------------------------------------------------------------------

    def script(self, endpoint: Endpoint, replies: Iterable[Reply]) -> None:
        """Queue replies for the next calls to `endpoint`; once used up, answers are normal again."""
        with self._lock:
            self._scripts[endpoint].extend(replies)

    def times(self, endpoint: str) -> list[float]:
        """When each call to `endpoint` arrived (time.monotonic)."""
        return [h.at for h in self.hits if h.endpoint == endpoint]

    def _next_reply(self, endpoint: str) -> Reply:
        with self._lock:
            queue = self._scripts.get(endpoint)
            return queue.popleft() if queue else Reply()

    # --- the APIs' state -------------------------------------------------------------------------

    def _create_task(self, api: Literal["zai", "wan"], model: str, request_id: str | None) -> tuple[_Task, bool]:
        """The task for this submit, and whether it is new (False: the request_id was seen before)."""
        with self._lock:
            if request_id and request_id in self._by_request_id:
                return self._tasks[self._by_request_id[request_id]], False
            task_id = time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(8)
            task = _Task(task_id, api, model, request_id, self.plan, time.monotonic())
            self._tasks[task_id] = task
            if request_id:
                self._by_request_id[request_id] = task_id
            self.counters.tasks_created += 1
            return task, True

    def _poll_task(self, task_id: str) -> tuple[_Task | None, str]:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return None, ""
            task.polls += 1
            self.counters.polls_by_task[task_id] += 1
            return task, task.state(time.monotonic())

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)
            if hit.endpoint == "submit":
                self.counters.submits += 1
                if hit.request_id:
                    self.counters.submits_by_request_id[hit.request_id] += 1
            elif hit.endpoint == "poll":
                self.counters.polls += 1
            elif hit.endpoint == "download":
                self.counters.downloads += 1

    def _video_url(self, task: _Task) -> str:
        return f"{self.origin}/files/{task.id}.mp4"


class _Handler(BaseHTTPRequestHandler):
    """Routes one request to its endpoint, applies the scripted reply, and answers in the API's shape."""

    protocol_version = "HTTP/1.0"
    server_version = "FakeCloud/1.0"

    @property
    def fake(self) -> FakeCloud:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake cloud: " + format, *args)

    # --- routing ---------------------------------------------------------------------------------

    def do_POST(self) -> None:
        body = self._read_json()
        if self.path == ZAI_PREFIX + "/videos/generations":
            self._submit("zai", body)
        elif self.path == WAN_SUBMIT:
            self._submit("wan", body)
        else:
            self._send_json(404, {"error": {"code": "404", "message": "no such endpoint"}})

    def do_GET(self) -> None:
        if self.path.startswith(ZAI_PREFIX + "/async-result/"):
            self._poll("zai", self.path.rsplit("/", 1)[1])
        elif self.path.startswith(WAN_TASKS):
            self._poll("wan", self.path[len(WAN_TASKS) :])
        elif match := re.fullmatch(r"/files/([\w-]+)\.mp4", self.path):
            self._download(match.group(1))
        else:
            self._send_json(404, {"error": {"code": "404", "message": "no such endpoint"}})

    # --- endpoints -------------------------------------------------------------------------------

    def _submit(self, api: Literal["zai", "wan"], body: Any) -> None:
        body = body if isinstance(body, dict) else {}
        request_id = body.get("request_id") if api == "zai" else None
        self.fake._record(Hit("submit", api, self.path, time.monotonic(), request_id, None, body, self._headers()))
        if not self._authorized(api):
            return
        reply = self.fake._next_reply("submit")
        if reply.status != 200:
            return self._misbehave(api, reply, request_id)
        if api == "wan" and self.headers.get("X-DashScope-Async") != "enable":
            return self._error(api, 403, "AccessDenied", "current user api does not support synchronous calls")
        answer: tuple[int, Any] | None = None
        if reply.takes_effect:
            answer = self._create(api, body, request_id)
        if self._stalled_or_dropped(reply):
            return
        if answer is None:
            answer = self._create(api, body, request_id)
        self._answer(reply, *answer)

    def _create(self, api: Literal["zai", "wan"], body: dict[str, Any], request_id: str | None) -> tuple[int, Any]:
        task, new = self.fake._create_task(api, str(body.get("model", "")), request_id)
        if not new and self.fake.duplicate != "same-task":
            error = {"code": "1231", "message": _ZAI_MESSAGES["1231"].format(request_id=request_id)}
            answer: dict[str, Any] = {"error": error}
            if self.fake.duplicate == "1231-with-id":
                answer["id"] = task.id
            return 400, answer
        if api == "wan":
            return 200, {"request_id": secrets.token_hex(8), "output": {"task_id": task.id, "task_status": "PENDING"}}
        return 200, {"model": task.model, "id": task.id, "request_id": request_id, "task_status": "PROCESSING"}

    def _poll(self, api: Literal["zai", "wan"], task_id: str) -> None:
        self.fake._record(Hit("poll", api, self.path, time.monotonic(), None, task_id, None, self._headers()))
        if not self._authorized(api):
            return
        reply = self.fake._next_reply("poll")
        if reply.status != 200:
            return self._misbehave(api, reply, None)
        if self._stalled_or_dropped(reply):
            return
        task, state = self.fake._poll_task(task_id)
        if task is None:
            return self._unknown_task(api, task_id)
        self._answer(reply, 200, self._status_body(api, task, state))

    def _status_body(self, api: str, task: _Task, state: str) -> dict[str, Any]:
        url = self.fake._video_url(task)
        if api == "wan":
            output: dict[str, Any] = {"task_id": task.id}
            if state == "running":
                output["task_status"] = "PENDING" if task.polls <= 1 else "RUNNING"
            elif state == "success":
                output.update(task_status="SUCCEEDED", video_url=url)
            else:
                output.update(task_status="FAILED", code="InternalError.Algo", message="video generation failed")
            return {"request_id": secrets.token_hex(8), "output": output}
        body: dict[str, Any] = {"model": task.model, "request_id": task.request_id}
        if state == "running":
            body["task_status"] = "PROCESSING"
            if task.plan.processing_result != "absent":
                body["video_result"] = None if task.plan.processing_result == "null" else []
        elif state == "success":
            body["task_status"] = "SUCCESS"
            body["video_result"] = [{"url": url, "cover_image_url": url.replace(".mp4", "_cover.jpeg")}]
        else:
            body["task_status"] = "FAIL"
            if task.plan.fail_with_error:
                body["error"] = {"code": "1234", "message": "video generation failed"}
        return body

    def _unknown_task(self, api: str, task_id: str) -> None:
        if api == "wan":
            output = {"task_id": task_id, "task_status": "UNKNOWN"}
            return self._send_json(200, {"request_id": secrets.token_hex(8), "output": output})
        if self.fake.unknown_task == "1214":
            return self._error(api, 400, "1214", _ZAI_MESSAGES["1214"])
        return self._error(api, 404, None, "task not found")

    def _download(self, task_id: str) -> None:
        self.fake._record(Hit("download", "files", self.path, time.monotonic(), None, task_id, None, self._headers()))
        reply = self.fake._next_reply("download")
        if reply.status != 200:
            xml = b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            return self._send_bytes(reply.status, xml, "application/xml", reply.retry_after)
        if self._stalled_or_dropped(reply):
            return
        data = self.fake._clip_bytes
        if reply.truncate:
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            return self._drop()
        self._send_bytes(200, data, "video/mp4")

    # --- misbehaviour ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {k: ("***" if k.lower() == "authorization" else v) for k, v in self.headers.items()}

    def _authorized(self, api: str) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.fake.api_key}":
            return True
        with self.fake._lock:
            self.fake.counters.unauthorized += 1
        if api == "wan":
            self._error(api, 401, "InvalidApiKey", "Invalid API-key provided.")
        else:
            self._error(api, 401, "1000", _ZAI_MESSAGES["1000"])
        return False

    def _misbehave(self, api: str, reply: Reply, request_id: str | None) -> None:
        if self._stalled_or_dropped(reply):
            return
        code = reply.code
        message = reply.message or _ZAI_MESSAGES.get(code or "", "").format(request_id=request_id) or "error"
        if code is None and reply.status >= 500:
            page = f"<html><body><h1>{reply.status}</h1></body></html>".encode()
            return self._send_bytes(reply.status, page, "text/html", reply.retry_after)
        self._error(api, reply.status, code, message, reply.retry_after)

    def _stalled_or_dropped(self, reply: Reply) -> bool:
        """Wait `reply.delay`; True when the connection was dropped instead of answered."""
        if reply.delay:
            self.fake._stopping.wait(reply.delay)
        if reply.drop:
            self._drop()
            return True
        return False

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer(self, reply: Reply, status: int, body: Any) -> None:
        if reply.malformed:
            return self._send_bytes(200, b'{"task_status": "PROC', "application/json")
        self._send_json(status, body)

    # --- writing ---------------------------------------------------------------------------------

    def _error(
        self, api: str, status: int, code: str | None, message: str, retry_after: str | float | None = None
    ) -> None:
        if api == "wan":
            body: dict[str, Any] = {"request_id": secrets.token_hex(8), "code": code, "message": message}
        else:
            body = {"error": {"code": code, "message": message} if code else {"message": message}}
        self._send_json(status, body, retry_after)

    def _send_json(self, status: int, body: Any, retry_after: str | float | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode(), "application/json", retry_after)

    def _send_bytes(self, status: int, data: bytes, content_type: str, retry_after: str | float | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("fake cloud: the client left before the answer")

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None


def main(argv: list[str] | None = None) -> int:
    """Serve the fake until Ctrl-C; print the base URLs and the key to use."""
    parser = argparse.ArgumentParser(prog="voxweave fake-cloud", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", default=None, help="the API key it accepts (default: a random one)")
    parser.add_argument("--polls", type=int, default=3, help="polls before a task succeeds")
    parser.add_argument("--seconds", type=float, default=None, help="seconds before a task succeeds (instead of polls)")
    parser.add_argument("--clip", type=Path, default=None, help="the mp4 to serve (default: a generated test clip)")
    args = parser.parse_args(argv)
    plan = TaskPlan(polls_to_finish=args.polls, seconds_to_finish=args.seconds)
    with FakeCloud(api_key=args.key, port=args.port, clip=args.clip, plan=plan) as fake:
        lines = [
            f"Z.AI:      ZAI_BASE_URL={fake.base_url_zai}  ZAI_API_KEY={fake.api_key}",
            f"DashScope: DASHSCOPE_BASE_URL={fake.base_url_wan}  DASHSCOPE_API_KEY={fake.api_key}",
            "Serving until Ctrl-C.",
        ]
        # A command-line program's own output (not a library message): the user needs these lines.
        print("\n".join(lines), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
