"""The narration job: a submitted document in the job's input/ folder becomes audio and subtitles in out/.

It reads only its row's params and its folder (so it runs the same in the app or in a `voxweave
worker` process), keeps finished chunks in work/ (a resumed job speaks only what is missing), reports
progress derived from narrate()'s events, and stops between chunks when asked, keeping what is done.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from voxweave.jobs.files import safe_filename
from voxweave.jobs.models import NarrationRequest, Output
from voxweave.jobs.progress import NarrationProgress
from voxweave.jobs.runner import JobContext
from voxweave.speech_cache import CachedEngine
from voxweave.tts.voices import parse_voice

#: Speeds a narration accepts (1.0 is normal).
MIN_SPEED, MAX_SPEED = 0.25, 4.0
MAX_TITLE_CHARS = 200
#: Used to check a chapter selection's syntax before the document is read.
_ANY_CHAPTER_COUNT = 1_000_000


def narration_params(request: NarrationRequest, input_name: str, settings: Any) -> dict[str, Any]:
    """The job's params for `request`: checked now (ValueError says what is wrong), complete, no secrets.

    The settings that shape the result (chunk size, pauses, subtitle limits) are copied in, so a job
    resumed later, or by another worker, makes the same audio.
    """
    from voxweave.audio import AUDIO_FORMATS
    from voxweave.narrate import WORD_SUBTITLE_FORMATS
    from voxweave.subtitles import SUBTITLE_FORMATS
    from voxweave.text.selection import parse_chapter_selection

    if request.audio_format not in AUDIO_FORMATS:
        raise ValueError(f"unknown audio format {request.audio_format!r}: choose from {', '.join(AUDIO_FORMATS)}")
    formats = (*SUBTITLE_FORMATS, *WORD_SUBTITLE_FORMATS)
    unknown = [f for f in request.subtitle_formats if f not in formats]
    if unknown:
        raise ValueError(f"unknown subtitle format {', '.join(unknown)}: choose from {', '.join(formats)}")
    if not MIN_SPEED <= request.speed <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED}, not {request.speed}")
    default_voice = settings.default_voice
    voice = str(parse_voice(request.voice or default_voice, default_engine=parse_voice(default_voice).engine))
    if request.chapters:
        parse_chapter_selection(request.chapters, _ANY_CHAPTER_COUNT)
    stem = safe_filename(request.name or Path(input_name).stem, default="narration")
    return {
        "input": input_name,
        "title": " ".join((request.title or "").split())[:MAX_TITLE_CHARS] or None,
        "voice": voice,
        "speed": float(request.speed),
        "audio_format": request.audio_format,
        "subtitle_formats": list(dict.fromkeys(request.subtitle_formats)),
        "chapters": request.chapters or None,
        "stem": stem,
        "max_chunk_chars": settings.max_chunk_chars,
        "pauses": [settings.sentence_pause, settings.paragraph_pause, settings.chapter_pause],
        "subtitle_max_chars": settings.subtitle_max_chars,
        "subtitle_max_seconds": settings.subtitle_max_seconds,
    }


class MeteredEngine:
    """Passes calls to an engine and counts the ones that really synthesise (for an honest rate)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.calls = 0
        self._lock = threading.Lock()

    def synthesize(self, text: str, voice: str, speed: float = 1.0):
        speech = self.engine.synthesize(text, voice, speed)
        with self._lock:
            self.calls += 1
        return speech

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "engine":
            raise AttributeError(attribute)
        return getattr(self.engine, attribute)


def _options(params: Mapping[str, Any], voice_name: str, chapter_count: int):
    from voxweave.narrate import NarrationOptions, Pauses
    from voxweave.text.selection import parse_chapter_selection

    chapters = params.get("chapters")
    return NarrationOptions(
        voice=voice_name,
        speed=params["speed"],
        audio_format=params["audio_format"],
        subtitle_formats=tuple(params["subtitle_formats"]),
        chapters=tuple(parse_chapter_selection(chapters, chapter_count)) if chapters else None,
        max_chunk_chars=params["max_chunk_chars"],
        pauses=Pauses(*params["pauses"]),
        subtitle_max_chars=params["subtitle_max_chars"],
        subtitle_max_seconds=params["subtitle_max_seconds"],
    )


def run_narration(ctx: JobContext) -> list[Output]:
    """Narrate the job's input; return its outputs (audio, then one subtitle file per format)."""
    ctx.report("read", 0.0)
    from voxweave.narrate import narrate, plan_chunks
    from voxweave.text.ingest import read_document

    params = ctx.job.params
    document = read_document(ctx.folder.input / params["input"])
    ctx.check()
    ctx.report("load engine", 0.0)
    engine, spec = ctx.engines(params["voice"])
    meter = MeteredEngine(engine)
    speaking = CachedEngine(meter, ctx.speech_cache) if ctx.speech_cache is not None else meter
    options = _options(params, spec.name, len(document.chapters))
    chunks = plan_chunks(document, speaking, options)
    ctx.check()

    tracker = NarrationProgress(options.audio_format, options.speed, lambda: meter.calls)
    ctx.report("synthesise", 0.0)
    result = None
    steps = narrate(document, speaking, options, outdir=ctx.folder.out, stem=params["stem"],
                    workdir=ctx.folder.work, chunks=chunks)
    with closing(steps):  # leaving early closes narrate(): no partial output, finished chunks kept
        for event in steps:
            snapshot = tracker.update(event)
            ctx.report(snapshot.stage, snapshot.fraction, snapshot.eta_seconds)
            if event.stage in ("synthesise", "encode"):
                ctx.check()
            result = event.result or result
    assert result is not None  # narrate() always ends with its result
    outputs = [Output("audio", ctx.folder.relative(result.audio))]
    outputs += [Output(f"subtitles.{fmt}", ctx.folder.relative(path)) for fmt, path in result.subtitles.items()]
    if result.warnings:  # e.g. a chunk that came out silent: the user should see it beside the audio
        notes = ctx.folder.out / f"{params['stem']}.warnings.txt"
        notes.write_text("".join(f"{w}\n" for w in result.warnings), encoding="utf-8")
        outputs.append(Output("warnings", ctx.folder.relative(notes)))
    return outputs
