"""What a job is: its row, its outputs, its statuses and kinds, and what narration and video requests hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
Kind = Literal["narration", "video", "preview"]

STATUSES: tuple[Status, ...] = ("queued", "running", "done", "failed", "cancelled", "interrupted")
KINDS: tuple[Kind, ...] = ("narration", "video", "preview")
#: Statuses after which nothing runs until someone acts.
FINISHED: frozenset[str] = frozenset({"done", "failed", "cancelled", "interrupted"})
#: Which statuses each explicit action starts from.
RETRYABLE: frozenset[str] = frozenset({"failed", "cancelled"})
RESUMABLE: frozenset[str] = frozenset({"interrupted", "cancelled"})
CANCELLABLE: frozenset[str] = frozenset({"queued", "running"})


@dataclass(frozen=True)
class Output:
    """A file a job made: `role` (audio, subtitles.srt, video, ...) and its path relative to the job folder."""

    role: str
    path: str


@dataclass(frozen=True)
class Job:
    """One row of the job table. Times are seconds since the epoch; `progress` is 0..1, 1.0 only when done."""

    id: str
    owner: str
    kind: str
    params: Mapping[str, Any]
    status: str
    stage: str = ""
    progress: float = 0.0
    eta_seconds: float | None = None
    error: str | None = None
    cancel_requested: bool = False
    created: float = 0.0
    started: float | None = None
    updated: float = 0.0
    finished: float | None = None
    heartbeat: float | None = None
    worker: str | None = None
    attempts: int = 0
    crashes: int = 0
    outputs: tuple[Output, ...] = field(default=())
    #: What the user should know of the result that is not an error (a fallback, subtitles not burned).
    note: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def title(self) -> str:
        """What to call the job in a list: the document's title, else its input's name, else its kind."""
        return str(self.params.get("title") or self.params.get("input") or self.kind)


@dataclass(frozen=True)
class NarrationRequest:
    """What a user asks of a narration job. `voice` None means the settings' default voice.

    `chapters` is a selection like "1-3,7" read against the document when the job runs.
    """

    voice: str | None = None
    speed: float = 1.0
    audio_format: str = "m4b"
    subtitle_formats: tuple[str, ...] = ("srt",)
    chapters: str | None = None
    name: str | None = None
    title: str | None = None  # the document's title, shown in the job list


@dataclass(frozen=True)
class VideoRequest:
    """What a user asks of a video job, made from a finished narration or from uploaded audio.

    `provider` "local" composes on this machine; "zai" or "wan" asks that cloud service for clips
    (its key comes from the worker's environment, never from here) and, with `allow_fallback`, makes
    the video locally when the service fails. `background` is "cover" (the book's cover when its
    source has one, else a title card), "color", "gradient" (`color` to `gradient_to`) or "image"
    (an uploaded picture). `resolution` is 720p, 1080p, 4k or WIDTHxHEIGHT; `name` the output's stem.
    """

    provider: str = "local"
    style: str = ""
    prompt: str = ""
    model: str | None = None
    resolution: str = "720p"
    container: str = "mp4"
    burn_subtitles: bool = True
    allow_fallback: bool = True
    background: str = "cover"
    color: str = "#101820"
    gradient_to: str | None = None
    name: str | None = None
