"""A narrated video from a finished narration: scenes, cloud clips (or none), then local composition.

Stages, each reporting progress from the work: scenes are planned from the subtitles' timings;
each scene's clip comes from the chosen cloud provider; any cloud failure falls back (when allowed)
to a local background, with the reason kept; ffmpeg then composes picture, narration and subtitles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pysubs2

from voxweave.errors import VoxweaveError
from voxweave.video.base import ClipRequest, VideoProvider, iter_clip, new_request_id
from voxweave.video.compose import Background, ClipSpan, CompositionResult, CompositionSpec, iter_compose
from voxweave.video.errors import Cancelled
from voxweave.video.scenes import Scene, TextSpan, plan_scenes

#: Share of the bar given to clip generation when a cloud provider is used (the rest is encoding).
CLIP_SHARE = 0.8
#: How the providers are called in sentences for the user.
PROVIDER_NAMES = {"zai": "Z.AI", "wan": "Alibaba Wan"}


@dataclass(frozen=True)
class VideoOptions:
    style: str = ""
    prompt: str = ""  # added to every scene's prompt
    resolution: str = "720p"
    burn_subtitles: bool = True
    max_scenes: int = 6
    clip_seconds: float = 5.0
    model: str | None = None
    allow_fallback: bool = True
    background: Background = Background()
    poll_interval: float = 1.0
    deadline_s: float = 600.0


@dataclass(frozen=True)
class VideoProgress:
    stage: str  # "clips", "encode", "done"
    fraction: float
    message: str = ""
    clips_done: int = 0
    clips_total: int = 0
    fallback_reason: str | None = None
    result: CompositionResult | None = field(default=None, repr=False)


def spans_from_subtitles(path: Path) -> list[TextSpan]:
    """The timed sentences of a subtitle file (SRT, VTT or ASS), for scene planning."""
    cues = pysubs2.load(str(path))
    return [TextSpan(cue.plaintext.replace("\n", " "), cue.start / 1000, cue.end / 1000) for cue in cues if cue.plaintext.strip()]


def make_video(
    narration: Path,
    subtitles: Path | None,
    out_path: Path,
    options: VideoOptions,
    *,
    provider: VideoProvider | None = None,
    workdir: Path,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[VideoProgress]:
    """Yield progress while making `out_path`; the last event carries the result and any fallback reason."""
    workdir.mkdir(parents=True, exist_ok=True)
    clips: tuple[ClipSpan, ...] = ()
    reason: str | None = None
    share = 0.0
    if provider is not None:
        share = CLIP_SHARE
        spans = spans_from_subtitles(subtitles) if subtitles else []
        style = ", ".join(filter(None, [options.prompt.strip(), options.style.strip()]))
        scenes = plan_scenes(spans, style=style, clip_seconds=options.clip_seconds, max_scenes=options.max_scenes) if spans else ()
        try:
            made: list[ClipSpan] = []
            for event in _clips(provider, scenes, options, workdir, should_stop):
                if isinstance(event, ClipSpan):
                    made.append(event)
                else:
                    yield event
            clips = tuple(made)
        except Cancelled:
            raise  # asked to stop: not a failure to make up for
        except VoxweaveError as e:
            if not options.allow_fallback:
                raise
            reason = f"{PROVIDER_NAMES.get(provider.name, provider.name)} failed ({e}): made locally instead"
            yield VideoProgress("clips", share, reason, fallback_reason=reason)
    spec = CompositionSpec(
        narration=Path(narration),
        subtitles=subtitles,
        burn_subtitles=options.burn_subtitles,
        background=options.background,
        clips=clips,
        resolution=options.resolution,
    )
    for step in iter_compose(spec, out_path):
        fraction = share + (1 - share) * step.fraction
        if step.result is not None:
            yield VideoProgress("done", 1.0, "done", len(clips), len(clips), reason, step.result)
        else:
            yield VideoProgress("encode", min(fraction, 0.999), step.message, len(clips), len(clips), reason)


def _clips(provider: VideoProvider, scenes: tuple[Scene, ...], options: VideoOptions, workdir: Path,
           should_stop: Callable[[], bool] | None) -> Iterator[VideoProgress | ClipSpan]:
    total = len(scenes)
    for scene in scenes:
        request = ClipRequest(prompt=scene.prompt, model=options.model, request_id=new_request_id())
        path = workdir / f"clip-{scene.index:03d}.mp4"
        for step in iter_clip(provider, request, path, poll_interval=options.poll_interval,
                              deadline_s=options.deadline_s, should_stop=should_stop):
            within = min(1.0, step.elapsed / step.expected) if step.expected else 0.0
            fraction = CLIP_SHARE * (scene.index + within * 0.99) / total
            yield VideoProgress("clips", fraction, f"clip {scene.index + 1} of {total}: {step.stage.value if hasattr(step.stage, 'value') else step.stage}",
                                scene.index, total)
        yield ClipSpan(path, scene.start, scene.end)
