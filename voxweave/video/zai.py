"""Z.AI (Zhipu) video generation: the model catalogue, request validation, and the provider.

Submit: POST {base}/videos/generations (Bearer key) -> {"id": ...}; poll: GET {base}/async-result/{id}
-> task_status PROCESSING | SUBMITTED | SUCCESS | FAIL with video_result[0].url on success. Nothing is
sent before `validate` passed, and a submit is retried only when that cannot create a second paid task.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from voxweave.video.base import ClipRequest, ClipState, ClipStatus, check_choice, with_request_id
from voxweave.video.errors import (
    AuthError,
    BadResponse,
    CloudError,
    ConnectionFailed,
    ContentRefused,
    DailyLimit,
    DuplicateRequest,
    InvalidRequest,
    NoBalance,
    RateLimited,
    RejectedError,
    ServerError,
    TaskNotFound,
    TransientError,
)
from voxweave.video.http import HttpFailure
from voxweave.video.http_provider import HttpProvider

logger = logging.getLogger(__name__)

ZAI_INTERNATIONAL_URL = "https://api.z.ai/api/paas/v4"
ZAI_MAINLAND_URL = "https://open.bigmodel.cn/api/paas/v4"
PROVIDER = "Z.AI"

#: Codes that mean "slow down" (HTTP 429, sometimes 503): retried with backoff, submits included.
RATE_LIMIT_CODES = frozenset({"1302", "1303", "1305"})
AUTH_CODES = frozenset({"1000", "1001", "1002", "1003", "1004"})
PARAMETER_CODES = frozenset({"1210", "1211", "1213", "1214"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class ZaiModel(StrEnum):
    COGVIDEOX_3 = "cogvideox-3"
    VIDUQ1_TEXT = "viduq1-text"
    VIDUQ1_IMAGE = "viduq1-image"
    VIDU2_IMAGE = "vidu2-image"
    VIDUQ1_START_END = "viduq1-start-end"
    VIDU2_START_END = "vidu2-start-end"
    VIDU2_REFERENCE = "vidu2-reference"


MOVEMENT = ("auto", "small", "medium", "large")
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
COGVIDEOX_SIZES = ("1280x720", "720x1280", "1024x1024", "1920x1080", "1080x1920", "2048x1080", "3840x2160")


@dataclass(frozen=True)
class ModelSpec:
    """What one model accepts. An empty tuple means the model does not take that field at all."""

    name: str
    prompt_required: bool = False
    max_prompt_chars: int | None = None
    #: How many images it takes (min, max), and whether they go as a list.
    images: tuple[int, int] = (0, 0)
    image_list: bool = False
    sizes: tuple[str, ...] = ()
    durations: tuple[int, ...] = ()
    fps: tuple[int, ...] = ()
    qualities: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    movement_amplitudes: tuple[str, ...] = ()
    with_audio: bool = False
    #: Typical seconds from submit to result: the yardstick for progress, not a limit.
    expected_s: float = 60.0


CATALOGUE: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            ZaiModel.COGVIDEOX_3.value,
            max_prompt_chars=512,
            images=(0, 2),
            sizes=COGVIDEOX_SIZES,
            durations=(5, 10),
            fps=(30, 60),
            qualities=("speed", "quality"),
            with_audio=True,
        ),
        ModelSpec(
            ZaiModel.VIDUQ1_TEXT.value,
            prompt_required=True,
            sizes=("1920x1080",),
            durations=(5,),
            styles=("general", "anime"),
            aspect_ratios=ASPECT_RATIOS,
            movement_amplitudes=MOVEMENT,
        ),
        ModelSpec(
            ZaiModel.VIDUQ1_IMAGE.value,
            images=(1, 1),
            sizes=("1920x1080",),
            durations=(5,),
            movement_amplitudes=MOVEMENT,
        ),
        ModelSpec(
            ZaiModel.VIDU2_IMAGE.value, images=(1, 1), sizes=("1280x720",), durations=(4,), movement_amplitudes=MOVEMENT
        ),
        ModelSpec(
            ZaiModel.VIDUQ1_START_END.value,
            images=(1, 2),
            image_list=True,
            sizes=("1920x1080",),
            durations=(5,),
            movement_amplitudes=MOVEMENT,
        ),
        ModelSpec(
            ZaiModel.VIDU2_START_END.value,
            images=(1, 2),
            image_list=True,
            sizes=("1280x720",),
            durations=(4,),
            movement_amplitudes=MOVEMENT,
        ),
        ModelSpec(
            ZaiModel.VIDU2_REFERENCE.value,
            images=(1, 3),
            image_list=True,
            sizes=("1280x720",),
            durations=(4,),
            aspect_ratios=ASPECT_RATIOS,
            movement_amplitudes=MOVEMENT,
        ),
    )
}
DEFAULT_MODEL = ZaiModel.COGVIDEOX_3.value


def spec_for(request: ClipRequest) -> ModelSpec:
    model = request.model or DEFAULT_MODEL
    spec = CATALOGUE.get(model)
    if spec is None:
        allowed = tuple(CATALOGUE)
        raise InvalidRequest(
            f"unknown model {model!r}; allowed: {', '.join(allowed)}",
            field="model",
            allowed=allowed,
            provider=PROVIDER,
            operation="validate",
        )
    return spec


def validate(request: ClipRequest) -> ModelSpec:
    """Refuse, before any HTTP, what the model would refuse; the message lists the allowed values."""
    spec = spec_for(request)
    name = spec.name
    prompt = request.prompt.strip()
    images = request.images
    low, high = spec.images
    if spec.prompt_required and not prompt:
        raise _invalid(f"{name} needs a prompt", "prompt")
    if not prompt and not images:
        raise _invalid(f"{name} needs a prompt or an image", "prompt")
    if spec.max_prompt_chars is not None and len(request.prompt) > spec.max_prompt_chars:
        raise _invalid(
            f"{name}: the prompt has {len(request.prompt)} characters; at most {spec.max_prompt_chars} are allowed",
            "prompt",
        )
    if images and high == 0:
        raise _invalid(f"{name} does not take an image; leave it unset", "image")
    if not low <= len(images) <= high:
        raise _invalid(f"{name} takes {low}-{high} image(s), got {len(images)}", "image")
    for image in images:
        image_uri(image)
    check_choice(name, "size", request.size, spec.sizes)
    check_choice(name, "duration", request.duration, spec.durations)
    check_choice(name, "fps", request.fps, spec.fps)
    check_choice(name, "quality", request.quality, spec.qualities)
    check_choice(name, "style", request.style, spec.styles)
    check_choice(name, "aspect_ratio", request.aspect_ratio, spec.aspect_ratios)
    check_choice(name, "movement_amplitude", request.movement_amplitude, spec.movement_amplitudes)
    if request.with_audio is not None and not spec.with_audio:
        raise _invalid(f"{name} does not take `with_audio`; leave it unset", "with_audio")
    return spec


def build_body(request: ClipRequest) -> dict[str, Any]:
    """The JSON body for POST /videos/generations: only fields the model takes, only those set."""
    spec = validate(request)
    body: dict[str, Any] = {"model": spec.name}
    if request.prompt.strip():
        body["prompt"] = request.prompt
    images = [image_uri(i) for i in request.images]
    if images:
        body["image_url"] = images if (spec.image_list or len(images) > 1) else images[0]
    optional = {
        "quality": request.quality,
        "with_audio": request.with_audio,
        "size": request.size,
        "fps": request.fps,
        "duration": request.duration,
        "style": request.style,
        "aspect_ratio": request.aspect_ratio,
        "movement_amplitude": request.movement_amplitude,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    if request.request_id:
        body["request_id"] = request.request_id
    return body


def image_uri(image: bytes | str) -> str:
    """An http(s) URL or data: URI as is; PNG or JPEG bytes as a data:image/...;base64 URI (<= 5 MB)."""
    if isinstance(image, str):
        if image.startswith(("https://", "http://", "data:image/")):
            return image
        raise _invalid("an image must be bytes, an http(s) URL or a data:image/ URI", "image")
    if len(image) > MAX_IMAGE_BYTES:
        raise _invalid(f"the image has {len(image)} bytes; at most {MAX_IMAGE_BYTES} (5 MB) are allowed", "image")
    if image.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif image.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    else:
        raise _invalid("the image is neither PNG nor JPEG; allowed: png, jpeg", "image", allowed=("png", "jpeg"))
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _invalid(message: str, field: str, allowed: tuple[str, ...] = ()) -> InvalidRequest:
    return InvalidRequest(message, field=field, allowed=allowed, provider=PROVIDER, operation="validate")


# --- answers -------------------------------------------------------------------------------------

_STATES = {
    "SUBMITTED": ClipState.QUEUED,
    "PROCESSING": ClipState.PROCESSING,
    "SUCCESS": ClipState.SUCCEEDED,
    "FAIL": ClipState.FAILED,
}
_DUPLICATE = re.compile(r"already have a request:?\s*(\S+)", re.IGNORECASE)


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    """(code, message) from {"error": {"code", "message"}}, or from top-level code/msg/message."""
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    source = error if isinstance(error, dict) else body
    code = source.get("code")
    message = source.get("message") or source.get("msg")
    return (str(code) if code is not None else None), (str(message) if message else None)


def map_error(failure: HttpFailure) -> CloudError:
    """An HTTP error answer from Z.AI as a CloudError of the right kind."""
    code, message = _error_fields(failure.body)
    detail = message or failure.text or f"HTTP {failure.status}"
    kwargs = dict(provider=PROVIDER, operation=failure.operation, status=failure.status, code=code)
    status = failure.status
    if failure.operation == "poll" and (status == 404 or code == "1214"):
        return TaskNotFound(f"the task is unknown or expired: {detail}", **kwargs)
    if status == 401 or code in AUTH_CODES:
        return AuthError(f"the API key was refused: {detail}", **kwargs)
    if code == "1301":
        return ContentRefused(f"the prompt or image was refused as unsafe: {detail}", **kwargs)
    if code == "1113":
        return NoBalance(f"the account has no balance: {detail}", **kwargs)
    if code == "1304":
        return DailyLimit(f"the daily limit is reached: {detail}", **kwargs)
    if code == "1231":
        return _duplicate(failure, detail, kwargs)
    if code in RATE_LIMIT_CODES or (status == 429 and code is None):
        return RateLimited(f"rate limited: {detail}", retry_after=failure.retry_after, **kwargs)
    if status >= 500 or status == 408:
        return ServerError(f"server error: {detail}", retry_after=failure.retry_after, **kwargs)
    if code in PARAMETER_CODES or status in (400, 404, 422):
        return InvalidRequest(f"the request was refused: {detail}", **kwargs)
    return RejectedError(f"the request was refused: {detail}", **kwargs)


def _duplicate(failure: HttpFailure, detail: str, kwargs: dict[str, Any]) -> DuplicateRequest:
    body = failure.body if isinstance(failure.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    found = _DUPLICATE.search(detail)
    request_id = body.get("request_id") or (found.group(1) if found else None)
    task_id = body.get("id") or body.get("task_id") or error.get("id") or error.get("task_id")
    return DuplicateRequest(
        f"a task for request id {request_id} already exists" if request_id else detail,
        request_id=request_id,
        task_id=str(task_id) if task_id else None,
        **kwargs,
    )


def _parse_submit(body: Any) -> str:
    task_id = body.get("id") if isinstance(body, dict) else None
    if not task_id:
        raise BadResponse("the submit answer has no task id", provider=PROVIDER, operation="submit")
    return str(task_id)


def parse_status(task_id: str, body: Any) -> ClipStatus:
    """A poll answer as a ClipStatus. Handles video_result absent, null or [] while processing, and FAIL
    with or without an error object."""
    raw = str(body.get("task_status", "")).upper() if isinstance(body, dict) else ""
    state = _STATES.get(raw)
    if state is None:
        raise BadResponse(f"unknown task status {raw or 'missing'!r}", provider=PROVIDER, operation="poll")
    if state is ClipState.FAILED:
        code, message = _error_fields(body if isinstance(body.get("error"), dict) else {})
        return ClipStatus(
            task_id, state, error=message or "the service gave no reason", error_code=code, raw_status=raw
        )
    results = body.get("video_result") or []
    first = results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else {}
    if state is ClipState.SUCCEEDED and not first.get("url"):
        raise BadResponse("the task succeeded but no video URL came with it", provider=PROVIDER, operation="poll")
    return ClipStatus(
        task_id, state, video_url=first.get("url"), cover_url=first.get("cover_image_url"), raw_status=raw
    )


def resubmit_is_safe(error: BaseException) -> bool:
    """Retry a submit only on connection errors (and garbled answers) and 1302/1303/1305, never on a 429
    that may be 1113; the same request_id goes every time, so the service can refuse a second task."""
    if isinstance(error, (ConnectionFailed, BadResponse)):
        return True
    return isinstance(error, TransientError) and error.code in RATE_LIMIT_CODES


# --- the provider --------------------------------------------------------------------------------


class ZaiProvider(HttpProvider):
    """Z.AI video: validates, submits once per request_id, polls, downloads. Key from the argument or
    ZAI_API_KEY; base URL from the argument, ZAI_BASE_URL, or the international endpoint."""

    name = "zai"
    provider = PROVIDER
    key_env = "ZAI_API_KEY"
    url_env = "ZAI_BASE_URL"
    default_url = ZAI_INTERNATIONAL_URL
    map_error = staticmethod(map_error)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Takes HttpProvider's arguments."""
        super().__init__(*args, **kwargs)
        #: request_id -> task id of every submit that got an answer, to resolve a later 1231.
        self._tasks: dict[str, str] = {}
        self._lock = threading.Lock()

    def validate(self, request: ClipRequest) -> None:
        validate(request)

    def expected_seconds(self, request: ClipRequest) -> float:
        spec = spec_for(request)
        return spec.expected_s * (2 if request.quality == "quality" else 1)

    def submit(self, request: ClipRequest) -> str:
        request = with_request_id(request)
        body = build_body(request)
        request_id = request.request_id
        self._require_key()
        try:
            task_id = self._http.call_json(
                "POST", "/videos/generations", operation="submit", json=body,
                parse=_parse_submit, retry_if=resubmit_is_safe,
            )  # fmt: skip
        except DuplicateRequest as e:
            with self._lock:
                known = self._tasks.get(request_id or "") or e.task_id
            if not known:
                raise
            logger.info("Z.AI submit: request %s already has task %s; following it", request_id, known)
            task_id = known
        with self._lock:
            self._tasks[request_id or task_id] = task_id
        return task_id

    def poll(self, task_id: str) -> ClipStatus:
        return self._http.call_json(
            "GET", f"/async-result/{quote(task_id, safe='')}", operation="poll",
            parse=lambda body: parse_status(task_id, body),
        )  # fmt: skip
