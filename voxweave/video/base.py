"""What every cloud video provider is, what it takes and returns, and the submit-poll-download loop.

A provider turns a ClipRequest into a task on the service (submit), reports on it (poll) and fetches
the result (download). `iter_clip` drives one clip from request to file and yields ClipProgress events
from which the job runner derives progress; `generate_clip` is the same loop with a callback.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from voxweave.tts.base import Availability
from voxweave.video.errors import Cancelled, DeadlineExceeded, InvalidRequest, TaskFailed, TransientError

logger = logging.getLogger(__name__)

#: How often a task is polled, in seconds (the product asks for every second).
DEFAULT_POLL_INTERVAL_S = 1.0
#: How long one clip may take from submit to result before we give up (observed: 30-120 s).
DEFAULT_DEADLINE_S = 600.0

#: One image: raw PNG/JPEG bytes, an https URL, or a data: URI.
Image = bytes | str


@dataclass(frozen=True)
class ClipRequest:
    """One clip to generate. None means "the model's default"; only fields a model accepts may be set."""

    prompt: str = ""
    #: The provider's model name; None picks the provider's default model.
    model: str | None = None
    #: "WIDTHxHEIGHT", e.g. "1280x720".
    size: str | None = None
    #: Seconds of video.
    duration: int | None = None
    fps: int | None = None
    #: cogvideox-3: "speed" or "quality".
    quality: str | None = None
    #: vidu text: "general" or "anime".
    style: str | None = None
    #: One image, or several (first/last frame, references); stored as a tuple.
    image: Image | tuple[Image, ...] | None = None
    #: Ask the model for its own sound effects or music (never narration).
    with_audio: bool | None = None
    #: vidu: "auto", "small", "medium" or "large".
    movement_amplitude: str | None = None
    #: vidu: "16:9", "9:16" or "1:1".
    aspect_ratio: str | None = None
    #: Client-chosen id, sent unchanged on every retry so that one clip is never billed twice.
    request_id: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.image, list):
            object.__setattr__(self, "image", tuple(self.image))

    @property
    def images(self) -> tuple[Image, ...]:
        """The image(s) as a tuple, empty when there is none."""
        if self.image is None:
            return ()
        return self.image if isinstance(self.image, tuple) else (self.image,)


def new_request_id() -> str:
    return f"voxweave-{uuid.uuid4().hex}"


def with_request_id(request: ClipRequest) -> ClipRequest:
    """`request` itself when it has a request_id, else a copy with a fresh one."""
    return request if request.request_id else replace(request, request_id=new_request_id())


class ClipState(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ClipStatus:
    """What a poll learned about a task. `error` is the service's reason when the task failed."""

    task_id: str
    state: ClipState
    video_url: str | None = None
    cover_url: str | None = None
    error: str | None = None
    error_code: str | None = None
    #: The provider's own status word (PROCESSING, SUCCEEDED, ...), for logs.
    raw_status: str = ""

    @property
    def done(self) -> bool:
        return self.state in (ClipState.SUCCEEDED, ClipState.FAILED)


@runtime_checkable
class VideoProvider(Protocol):
    """A cloud video service. Callers never ask which class it is."""

    name: str

    def available(self) -> Availability:
        """Whether it can be used now (e.g. the key is set), and why not. Makes no request."""
        ...

    def validate(self, request: ClipRequest) -> None:
        """Raise InvalidRequest (listing the allowed values) for anything the model would refuse."""
        ...

    def expected_seconds(self, request: ClipRequest) -> float:
        """How long the service usually needs for this clip: the yardstick for progress."""
        ...

    def submit(self, request: ClipRequest) -> str:
        """Validate, create the task, and return its id. Never creates two tasks for one request_id."""
        ...

    def poll(self, task_id: str) -> ClipStatus: ...

    def download(self, result: ClipStatus | str, path: Path) -> Path:
        """Stream the video (a ClipStatus or its URL) to `path`, atomically; return `path`."""
        ...


class Stage(StrEnum):
    SUBMITTED = "submitted"
    WAITING = "waiting"
    DOWNLOADING = "downloading"
    DONE = "done"


@dataclass(frozen=True)
class ClipProgress:
    """One step of a clip: seconds since the start against the seconds the service usually needs."""

    stage: Stage
    task_id: str
    elapsed: float
    expected: float
    state: ClipState = ClipState.QUEUED
    polls: int = 0
    #: Set on the DONE event: where the clip now is.
    path: Path | None = None

    @property
    def fraction(self) -> float:
        """A rough 0..1 for progress bars; the service gives no percentage of its own."""
        if self.stage is Stage.DONE:
            return 1.0
        return min(0.95, self.elapsed / self.expected) if self.expected > 0 else 0.0


@dataclass
class _Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    start: float = field(default=0.0)

    def elapsed(self) -> float:
        return self.now() - self.start


def iter_clip(
    provider: VideoProvider,
    request: ClipRequest,
    path: Path,
    *,
    poll_interval: float = DEFAULT_POLL_INTERVAL_S,
    deadline_s: float = DEFAULT_DEADLINE_S,
    should_stop: Callable[[], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[ClipProgress]:
    """Submit `request`, poll every `poll_interval` s until it succeeds or fails, then download it at once.

    Yields a ClipProgress after the submit, after every poll, before the download and when done (with
    `path`). Raises TaskFailed, DeadlineExceeded (the overall deadline counts from the submit), Cancelled
    when `should_stop()` turns true, or the provider's errors. A poll that fails transiently (after its
    own retries) does not abandon the paid task: polling goes on until the deadline.
    """
    request = with_request_id(request)
    provider.validate(request)
    timer = _Clock(clock, sleep, clock())
    expected = provider.expected_seconds(request)
    task_id = provider.submit(request)
    logger.info("%s: request %s is task %s", provider.name, request.request_id, task_id)
    yield ClipProgress(Stage.SUBMITTED, task_id, timer.elapsed(), expected)

    final = yield from _wait_for_result(provider, task_id, timer, expected, poll_interval, deadline_s, should_stop)
    yield ClipProgress(Stage.DOWNLOADING, task_id, timer.elapsed(), expected, final.state)
    out = provider.download(final, Path(path))
    yield ClipProgress(Stage.DONE, task_id, timer.elapsed(), expected, final.state, path=out)


def _wait_for_result(
    provider: VideoProvider,
    task_id: str,
    timer: _Clock,
    expected: float,
    poll_interval: float,
    deadline_s: float,
    should_stop: Callable[[], bool] | None,
) -> Generator[ClipProgress, None, ClipStatus]:
    """Poll until done; yields progress after each poll and returns the successful ClipStatus."""
    polls = 0
    last_error: TransientError | None = None
    while True:
        if should_stop is not None and should_stop():
            raise Cancelled(f"stopped while waiting for task {task_id}", provider=provider.name, task_id=task_id)
        started = timer.elapsed()
        try:
            status = provider.poll(task_id)
        except TransientError as e:
            last_error = e
            logger.warning("%s: polling task %s failed (%s); polling on", provider.name, task_id, e.reason)
        else:
            polls += 1
            yield ClipProgress(Stage.WAITING, task_id, timer.elapsed(), expected, status.state, polls)
            if status.state is ClipState.SUCCEEDED:
                return status
            if status.state is ClipState.FAILED:
                raise TaskFailed(
                    f"task {task_id} failed: {status.error or 'the service gave no reason'}",
                    provider=provider.name,
                    operation="generate",
                    code=status.error_code,
                    task_id=task_id,
                )
        remaining = deadline_s - timer.elapsed()
        if remaining <= 0:
            raise DeadlineExceeded(
                f"task {task_id} did not finish within {deadline_s:g} s",
                provider=provider.name,
                operation="generate",
                task_id=task_id,
                deadline_s=deadline_s,
            ) from last_error
        # Keep a steady cadence: the next poll starts `poll_interval` after this one started.
        timer.sleep(max(0.0, min(started + poll_interval - timer.elapsed(), remaining)))


def generate_clip(
    provider: VideoProvider,
    request: ClipRequest,
    path: Path,
    *,
    poll_interval: float = DEFAULT_POLL_INTERVAL_S,
    deadline_s: float = DEFAULT_DEADLINE_S,
    on_progress: Callable[[float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Path:
    """`iter_clip` run to the end; `on_progress(elapsed, expected)` after each step. Returns the clip's path."""
    result = Path(path)
    for progress in iter_clip(
        provider, request, path, poll_interval=poll_interval, deadline_s=deadline_s, should_stop=should_stop
    ):
        if on_progress is not None:
            on_progress(progress.elapsed, progress.expected)
        result = progress.path or result
    return result


def check_choice(model: str, field_name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise InvalidRequest naming the allowed values when `value` is set and not among them."""
    if value is None:
        return
    if not allowed:
        raise InvalidRequest(
            f"{model} does not take `{field_name}`; leave it unset",
            field=field_name,
            operation="validate",
        )
    if value not in allowed:
        listed = ", ".join(str(a) for a in allowed)
        raise InvalidRequest(
            f"{model}: {field_name} {value!r} is not allowed; allowed: {listed}",
            field=field_name,
            allowed=allowed,
            operation="validate",
            hint=f"Use one of: {listed}.",
        )
