"""The video job: a narration's audio and subtitles become a video with narration and subtitles in out/.

Submitting (JobQueue.submit_video) gathers the inputs, from the owner's finished narration job or from
uploads, and checks the request here (video_params) before anything is queued. Running (run_video)
reads only its row's params and its folder, makes the video with voxweave.video.render.make_video,
reports progress derived from its events, notes any fallback, and stops when asked: closing
make_video stops ffmpeg and removes the partial file. A retried job simply makes the video again.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from voxweave.errors import VoxweaveError
from voxweave.jobs.errors import JobStateError
from voxweave.jobs.files import JobFiles, JobFolder, safe_filename
from voxweave.jobs.models import Output, VideoRequest
from voxweave.jobs.runner import JobContext
from voxweave.jobs.store import MAX_RUNNING_PROGRESS, JobStore

#: An upload: the file's name as the user gave it, and its bytes or its path.
Upload = tuple[str, bytes | Path]

LOCAL = "local"
BACKGROUNDS = ("cover", "color", "gradient", "image")
#: Subtitle files a video can take, and which of a narration's it prefers.
SUBTITLE_SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
SUBTITLE_PREFERENCE = ("srt", "vtt", "ass")
#: The longest style or prompt a request may carry (the providers cut scenes' prompts further).
MAX_TEXT_CHARS = 2000
#: An ETA is shown once this much of the bar is done (before that, the rate means little).
ETA_FROM_FRACTION = 0.02
MIN_ETA_SECONDS = 1.0


# --- submitting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoInputs:
    """The files a video job starts from, under the names they get in its input/ folder."""

    audio: Upload
    subtitles: Upload | None = None
    image: Upload | None = None
    #: The narrated document, kept when it can give the video its cover (an EPUB).
    source: Upload | None = None
    #: The narration job these came from, if any.
    from_job: str | None = None
    #: The output's name when the request gives none.
    stem: str = "video"
    #: The narrated document's title, for the job list and the title card.
    title: str | None = None

    def files(self) -> list[Upload]:
        return [upload for upload in (self.audio, self.subtitles, self.image, self.source) if upload is not None]


def inputs_from_job(store: JobStore, files: JobFiles, owner: str, job_id: str) -> VideoInputs:
    """The audio, subtitles (srt, else vtt or ass) and coverable source of the owner's finished narration.

    Another owner's job reads as missing (JobNotFound); one that is not a finished narration with its
    audio still on disk is refused (JobStateError).
    """
    from voxweave.video.cover import can_have_cover

    job = store.get(owner, job_id)
    if job.kind != "narration":
        raise JobStateError(f"job {job_id} is a {job.kind} job: a video is made from a narration")
    if job.status != "done":
        raise JobStateError(f"job {job_id} is {job.status}: a video needs a finished narration")
    made = {output.role: files.output_path(owner, job_id, output.path) for output in job.outputs}
    made = {role: path for role, path in made.items() if path.is_file()}
    audio = made.get("audio")
    if audio is None:
        raise JobStateError(f"job {job_id} has no audio file (any more): narrate the document again")
    subtitles = next((made[f"subtitles.{fmt}"] for fmt in SUBTITLE_PREFERENCE if f"subtitles.{fmt}" in made), None)
    source = files.folder(owner, job_id).input / safe_filename(str(job.params.get("input") or ""))
    keep_source = can_have_cover(source) and source.is_file()
    return VideoInputs(
        audio=(audio.name, audio),
        subtitles=(subtitles.name, subtitles) if subtitles is not None else None,
        source=(source.name, source) if keep_source else None,
        from_job=job_id,
        stem=str(job.params.get("stem") or audio.stem),
        title=job.params.get("title"),
    )


def inputs_from_uploads(audio: Upload | None, subtitles: Upload | None = None) -> VideoInputs:
    """Uploaded audio (required) and subtitles (optional), checked and given safe names."""
    if audio is None:
        raise ValueError("a video needs a finished narration (from_job) or an audio file")
    audio = _upload(audio, "audio")
    if subtitles is not None:
        subtitles = _upload(subtitles, "subtitles")
        if Path(subtitles[0]).suffix.lower() not in SUBTITLE_SUFFIXES:
            raise ValueError(f"subtitles must be a {', '.join(SUBTITLE_SUFFIXES)} file, not {subtitles[0]!r}")
    return VideoInputs(audio=audio, subtitles=subtitles, stem=Path(audio[0]).stem)


def with_image(inputs: VideoInputs, image: Upload | None) -> VideoInputs:
    """`inputs` with an uploaded background picture (checked to be one), or as they are without one."""
    from voxweave.video.background import is_picture

    if image is None:
        return inputs
    image = _upload(image, "image")
    if not is_picture(image[1]):
        raise ValueError(f"{image[0]} is not a picture that can be read (use PNG, JPEG or WebP)")
    return replace(inputs, image=image)


def _upload(upload: Upload, what: str) -> Upload:
    try:
        name, content = upload
    except (TypeError, ValueError):
        raise ValueError(f"the {what} upload must be (filename, bytes or path)") from None
    if isinstance(content, (bytearray, memoryview)):
        content = bytes(content)
    if not isinstance(content, (bytes, Path)):
        raise ValueError(f"the {what} upload must be (filename, bytes or path)")
    if isinstance(content, Path) and not content.is_file():
        raise ValueError(f"the {what} file {content} does not exist")
    if isinstance(content, bytes) and not content:
        raise ValueError(f"the {what} file {name!r} is empty")
    return safe_filename(str(name), default=f"{what}.bin"), content


def video_params(request: VideoRequest, inputs: VideoInputs, settings: Any) -> dict[str, Any]:
    """The job's params for `request`: checked now (ValueError lists the good values), complete, no secrets.

    The provider's key stays in the worker's environment; its address and polling come from the
    settings when the job runs.
    """
    from voxweave.video import PROVIDERS
    from voxweave.video.background import parse_color
    from voxweave.video.render import VideoOptions
    from voxweave.video.spec import FORMATS, parse_resolution

    provider = request.provider.strip().lower()
    providers = (LOCAL, *PROVIDERS)
    if provider not in providers:
        raise ValueError(f"unknown video provider {request.provider!r}: choose from {', '.join(providers)}")
    if request.container not in FORMATS:
        raise ValueError(f"unknown video format {request.container!r}: choose from {', '.join(FORMATS)}")
    if request.background not in BACKGROUNDS:
        raise ValueError(f"unknown background {request.background!r}: choose from {', '.join(BACKGROUNDS)}")
    if request.background == "image" and inputs.image is None:
        raise ValueError("background 'image' needs a picture: upload one")
    width, height = parse_resolution(request.resolution)
    for color in filter(None, (request.color, request.gradient_to)):
        parse_color(color)
    for what, text in (("style", request.style), ("prompt", request.prompt)):
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"the {what} has {len(text)} characters; at most {MAX_TEXT_CHARS} are allowed")
    if provider != LOCAL:
        _check_model(provider, request.model)
    names = [name for name, _ in inputs.files()]
    if len(set(names)) != len(names):
        raise ValueError(f"two inputs have the same name ({', '.join(names)}): rename one")
    defaults = VideoOptions()
    return {
        "input": inputs.audio[0],
        "title": inputs.title,
        "from_job": inputs.from_job,
        "audio": inputs.audio[0],
        "subtitles": inputs.subtitles[0] if inputs.subtitles else None,
        "image": inputs.image[0] if inputs.image else None,
        "source": inputs.source[0] if inputs.source else None,
        "provider": provider,
        "model": request.model or None,
        "style": request.style.strip(),
        "prompt": request.prompt.strip(),
        "resolution": f"{width}x{height}",
        "container": request.container,
        "burn_subtitles": bool(request.burn_subtitles),
        "allow_fallback": bool(request.allow_fallback),
        "background": request.background,
        "color": request.color,
        "gradient_to": request.gradient_to or None,
        "stem": safe_filename(request.name or inputs.stem, default="video"),
        "max_scenes": defaults.max_scenes,
        "clip_seconds": defaults.clip_seconds,
    }


def _check_model(provider: str, model: str | None) -> None:
    """Refuse a model the provider does not know, before queueing (no HTTP, no key needed)."""
    from voxweave.video import ClipRequest, CloudError, make_provider

    client = make_provider(provider, api_key="")
    try:
        client.validate(ClipRequest(prompt="a scene", model=model))
    except CloudError as e:
        raise ValueError(str(e)) from e
    finally:
        client.close()


# --- running ---------------------------------------------------------------------------------------


class VideoTracker:
    """Turns make_video's events into (stage text, fraction that only moves forward, ETA from the rate so far)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self._fraction = 0.0

    def update(self, event) -> tuple[str, float, float | None]:  # event: voxweave.video.render.VideoProgress
        self._fraction = max(self._fraction, min(event.fraction, MAX_RUNNING_PROGRESS))
        elapsed = self._clock() - self._started
        eta = None
        if self._fraction >= ETA_FROM_FRACTION and event.result is None:
            eta = max(MIN_ETA_SECONDS, elapsed * (1 - self._fraction) / self._fraction)
        return _stage_text(event), self._fraction, eta


def _stage_text(event) -> str:
    if event.stage == "clips":
        return "making the video locally" if event.fallback_reason else (event.message or "clips")
    if event.message.startswith("preparing"):
        return "preparing"
    return "encoding"


def run_video(ctx: JobContext) -> list[Output]:
    """Make the job's video; return its outputs (the video, and a subtitle file when not burned)."""
    from voxweave.video.render import make_video

    ctx.report("preparing", 0.0)
    params = ctx.job.params
    folder = ctx.folder
    _clear_leftovers(folder)
    out_path = folder.out / f"{params['stem']}.{params['container']}"
    subtitles = folder.input / params["subtitles"] if params.get("subtitles") else None
    options = _options(params, folder, ctx.settings)
    provider = _provider(ctx, params)
    tracker = VideoTracker()
    result = None
    try:
        steps = make_video(folder.input / params["audio"], subtitles, out_path, options, provider=provider,
                           workdir=folder.work / "clips", should_stop=lambda: ctx.stopping)
        with closing(steps):  # leaving early closes make_video: ffmpeg stops, no partial file stays
            for event in steps:
                ctx.report(*tracker.update(event))
                if event.fallback_reason:
                    ctx.note(event.fallback_reason)
                if event.result is None:
                    ctx.check()
                result = event.result or result
    except VoxweaveError:
        ctx.check()  # a stop request that surfaced as the provider's Cancelled ends as cancelled
        raise
    finally:
        if provider is not None:
            provider.close()
    assert result is not None  # make_video always ends with its result
    for note in result.notes:
        ctx.note(note)
    outputs = [Output("video", folder.relative(result.path))]
    if result.sidecar is not None:
        if result.subtitles_burned:
            result.sidecar.unlink(missing_ok=True)  # the picture has them: no second copy to confuse anyone
        else:
            outputs.append(Output(f"subtitles{result.sidecar.suffix}", folder.relative(result.sidecar)))
    return outputs


def _clear_leftovers(folder: JobFolder) -> None:
    """Partial files and clips an earlier attempt left (it crashed, or was stopped): this run redoes them."""
    for path in [*folder.out.glob(".*"), folder.work / "clips"]:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _options(params: Mapping[str, Any], folder: JobFolder, settings: Any):
    from voxweave.video.render import VideoOptions

    return VideoOptions(
        style=params["style"],
        prompt=params["prompt"],
        resolution=params["resolution"],
        burn_subtitles=params["burn_subtitles"],
        max_scenes=params["max_scenes"],
        clip_seconds=params["clip_seconds"],
        model=params["model"],
        allow_fallback=params["allow_fallback"],
        background=_background(params, folder),
        poll_interval=getattr(settings, "video_poll_interval", 1.0),
        deadline_s=getattr(settings, "video_deadline_s", 600.0),
    )


def _background(params: Mapping[str, Any], folder: JobFolder):
    from voxweave.video.background import Background
    from voxweave.video.cover import TITLE_CARD_BOTTOM, cover_background

    kind, color, gradient_to = params["background"], params["color"], params.get("gradient_to")
    if kind == "image":
        return Background(color=color, image=folder.input / params["image"])
    if kind == "gradient":
        return Background(color=color, gradient_to=gradient_to or TITLE_CARD_BOTTOM)
    if kind == "color":
        return Background(color=color)
    source = folder.input / params["source"] if params.get("source") else None
    return cover_background(source, params.get("title") or params["stem"], color=color, gradient_to=gradient_to)


def _provider(ctx: JobContext, params: Mapping[str, Any]):
    """The cloud provider the job asks for, None for local; an unusable one is noted and skipped, or refused."""
    from voxweave.video import make_provider
    from voxweave.video.render import PROVIDER_NAMES

    name = params["provider"]
    if name == LOCAL:
        return None
    base_url = getattr(ctx.settings, "zai_base_url" if name == "zai" else "dashscope_base_url", None)
    provider = make_provider(name, **({"base_url": base_url} if base_url else {}))
    available = provider.available()
    if available.ok:
        return provider
    provider.close()
    shown = PROVIDER_NAMES.get(name, name)
    if not params["allow_fallback"]:
        raise ValueError(f"{shown} cannot be used: {available.reason}")
    ctx.note(f"{shown} cannot be used ({available.reason}): made locally instead")
    return None
