"""Alibaba Model Studio (DashScope) "wan" text-to-video, behind the same protocol as Z.AI.

Submit: POST {base}/api/v1/services/aigc/video-generation/video-synthesis with `X-DashScope-Async:
enable` -> output.task_id; poll: GET {base}/api/v1/tasks/{id} -> output.task_status PENDING | RUNNING |
SUCCEEDED | FAILED | CANCELED | UNKNOWN and output.video_url. Errors are {"code", "message"} strings.
DashScope takes no client request id, so a submit is retried only when the request certainly did not
create a task: throttled, or the connection never opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from voxweave.video.base import ClipRequest, ClipState, ClipStatus, check_choice
from voxweave.video.errors import (
    AuthError,
    BadResponse,
    CloudError,
    ConnectionFailed,
    ContentRefused,
    DailyLimit,
    InvalidRequest,
    NoBalance,
    RateLimited,
    RejectedError,
    ServerError,
    TaskNotFound,
)
from voxweave.video.http import HttpFailure
from voxweave.video.http_provider import HttpProvider

WAN_INTERNATIONAL_URL = "https://dashscope-intl.aliyuncs.com"
SUBMIT_PATH = "/api/v1/services/aigc/video-generation/video-synthesis"
PROVIDER = "DashScope"


@dataclass(frozen=True)
class WanModel:
    """What one wan text-to-video model accepts (sizes as WIDTHxHEIGHT; sent as WIDTH*HEIGHT)."""

    name: str
    sizes: tuple[str, ...]
    durations: tuple[int, ...]
    audio: bool = False
    max_prompt_chars: int = 2000
    expected_s: float = 120.0


WAN25_SIZES = (
    "832x480", "480x832", "624x624",
    "1280x720", "720x1280", "960x960", "1088x832", "832x1088",
    "1920x1080", "1080x1920", "1440x1440", "1632x1248", "1248x1632",
)  # fmt: skip
CATALOGUE: dict[str, WanModel] = {
    "wan2.5-t2v-preview": WanModel("wan2.5-t2v-preview", WAN25_SIZES, (5, 10), audio=True),
}
DEFAULT_MODEL = "wan2.5-t2v-preview"

_STATES = {
    "PENDING": ClipState.QUEUED,
    "RUNNING": ClipState.PROCESSING,
    "SUCCEEDED": ClipState.SUCCEEDED,
    "FAILED": ClipState.FAILED,
    "CANCELED": ClipState.FAILED,
}
_REFUSED_AS_UNSAFE = ("DataInspectionFailed", "data_inspection_failed")


def validate(request: ClipRequest) -> WanModel:
    model = request.model or DEFAULT_MODEL
    spec = CATALOGUE.get(model)
    if spec is None:
        raise _invalid(f"unknown model {model!r}; allowed: {', '.join(CATALOGUE)}", "model", tuple(CATALOGUE))
    if not request.prompt.strip():
        raise _invalid(f"{model} needs a prompt", "prompt")
    if len(request.prompt) > spec.max_prompt_chars:
        raise _invalid(
            f"{model}: the prompt has {len(request.prompt)} characters; at most {spec.max_prompt_chars}", "prompt"
        )
    size = request.size.replace("*", "x") if request.size else None
    check_choice(model, "size", size, spec.sizes)
    check_choice(model, "duration", request.duration, spec.durations)
    for name in ("fps", "quality", "style", "image", "movement_amplitude", "aspect_ratio"):
        check_choice(model, name, getattr(request, name), ())
    if request.with_audio is not None and not spec.audio:
        check_choice(model, "with_audio", request.with_audio, ())
    return spec


def build_body(request: ClipRequest) -> dict[str, Any]:
    spec = validate(request)
    parameters: dict[str, Any] = {}
    if request.size:
        parameters["size"] = request.size.replace("x", "*")
    if request.duration is not None:
        parameters["duration"] = request.duration
    if request.with_audio is not None:
        parameters["audio"] = request.with_audio
    return {"model": spec.name, "input": {"prompt": request.prompt}, "parameters": parameters}


def _invalid(message: str, field: str, allowed: tuple[str, ...] = ()) -> InvalidRequest:
    return InvalidRequest(message, field=field, allowed=allowed, provider=PROVIDER, operation="validate")


def map_error(failure: HttpFailure) -> CloudError:
    """A DashScope error answer ({"code": "Throttling", "message": ...}) as a CloudError."""
    body = failure.body if isinstance(failure.body, dict) else {}
    code = str(body["code"]) if body.get("code") else None
    detail = str(body.get("message") or failure.text or f"HTTP {failure.status}")
    kwargs = dict(provider=PROVIDER, operation=failure.operation, status=failure.status, code=code)
    status, name = failure.status, code or ""
    if failure.operation == "poll" and status == 404:
        return TaskNotFound(f"the task is unknown or expired: {detail}", **kwargs)
    if status == 401 or name == "InvalidApiKey":
        return AuthError(f"the API key was refused: {detail}", **kwargs)
    if name.startswith("AccessDenied") or name.endswith("AccessDenied") or status == 403:
        return AuthError(
            f"access denied: {detail}", hint="Check that the key may use this model in this region.", **kwargs
        )
    if name in _REFUSED_AS_UNSAFE:
        return ContentRefused(f"the prompt or image was refused as unsafe: {detail}", **kwargs)
    if name == "Arrearage":
        return NoBalance(f"the account is in arrears: {detail}", **kwargs)
    if name == "Throttling.AllocationQuota":
        return DailyLimit(f"the quota is used up: {detail}", **kwargs)
    if name.startswith("Throttling") or status == 429:
        return RateLimited(f"rate limited: {detail}", retry_after=failure.retry_after, **kwargs)
    if status >= 500:
        return ServerError(f"server error: {detail}", retry_after=failure.retry_after, **kwargs)
    if status in (400, 404, 422):
        return InvalidRequest(f"the request was refused: {detail}", **kwargs)
    return RejectedError(f"the request was refused: {detail}", **kwargs)


def _output(body: Any, operation: str) -> dict[str, Any]:
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, dict):
        raise BadResponse("the answer has no `output` object", provider=PROVIDER, operation=operation)
    return output


def _parse_submit(body: Any) -> str:
    task_id = _output(body, "submit").get("task_id")
    if not task_id:
        raise BadResponse("the submit answer has no task id", provider=PROVIDER, operation="submit")
    return str(task_id)


def parse_status(task_id: str, body: Any) -> ClipStatus:
    output = _output(body, "poll")
    raw = str(output.get("task_status", "")).upper()
    if raw == "UNKNOWN":
        raise TaskNotFound("the task is unknown or expired", provider=PROVIDER, operation="poll")
    state = _STATES.get(raw)
    if state is None:
        raise BadResponse(f"unknown task status {raw or 'missing'!r}", provider=PROVIDER, operation="poll")
    if state is ClipState.FAILED:
        reason = output.get("message") or ("canceled" if raw == "CANCELED" else "the service gave no reason")
        code = output.get("code")
        return ClipStatus(task_id, state, error=str(reason), error_code=str(code) if code else None, raw_status=raw)
    url = output.get("video_url")
    if state is ClipState.SUCCEEDED and not url:
        raise BadResponse("the task succeeded but no video URL came with it", provider=PROVIDER, operation="poll")
    return ClipStatus(task_id, state, video_url=url, raw_status=raw)


def resubmit_is_safe(error: BaseException) -> bool:
    """No idempotency key here: resend only what cannot have created a task."""
    if isinstance(error, RateLimited):
        return True
    return isinstance(error, ConnectionFailed) and not error.request_sent


class WanProvider(HttpProvider):
    """DashScope wan video. Key from the argument or DASHSCOPE_API_KEY; base URL from the argument,
    DASHSCOPE_BASE_URL, or the international endpoint."""

    name = "wan"
    provider = PROVIDER
    key_env = "DASHSCOPE_API_KEY"
    url_env = "DASHSCOPE_BASE_URL"
    default_url = WAN_INTERNATIONAL_URL
    map_error = staticmethod(map_error)

    def validate(self, request: ClipRequest) -> None:
        validate(request)

    def expected_seconds(self, request: ClipRequest) -> float:
        return validate(request).expected_s * (2 if request.duration == 10 else 1)

    def submit(self, request: ClipRequest) -> str:
        body = build_body(request)
        self._require_key()
        return self._http.call_json(
            "POST", SUBMIT_PATH, operation="submit", json=body, headers={"X-DashScope-Async": "enable"},
            parse=_parse_submit, retry_if=resubmit_is_safe,
        )  # fmt: skip

    def poll(self, task_id: str) -> ClipStatus:
        return self._http.call_json(
            "GET", f"/api/v1/tasks/{quote(task_id, safe='')}", operation="poll",
            parse=lambda body: parse_status(task_id, body),
        )  # fmt: skip
