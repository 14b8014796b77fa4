"""What each `voxweave` subcommand does. Parsing and exit codes live in cli.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from voxweave.audio import AUDIO_FORMATS
from voxweave.cli_jobs import JOB_COMMANDS
from voxweave.config import Settings
from voxweave.narrate import WORD_SUBTITLE_FORMATS, NarrationOptions, Pauses, narrate, plan_chunks
from voxweave.subtitles import SUBTITLE_FORMATS
from voxweave.text.ingest import read_document
from voxweave.text.selection import parse_chapter_selection
from voxweave.tts.registry import EngineRegistry


def _subtitle_formats(spec: str) -> tuple[str, ...]:
    if spec.strip().lower() in ("", "none"):
        return ()
    formats = tuple(dict.fromkeys(part.strip().lower() for part in spec.split(",") if part.strip()))
    known = (*SUBTITLE_FORMATS, *WORD_SUBTITLE_FORMATS)
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise ValueError(f"unknown subtitle format {', '.join(unknown)}: choose from {', '.join(known)}")
    return formats


def cmd_narrate(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.audio_format not in AUDIO_FORMATS:
        raise ValueError(f"unknown audio format {args.audio_format!r}: choose from {', '.join(AUDIO_FORMATS)}")
    subtitle_formats = _subtitle_formats(args.subtitles)
    document = read_document(args.input)
    chapters = parse_chapter_selection(args.chapters, len(document.chapters)) if args.chapters else None
    engine, spec = EngineRegistry(settings).resolve(args.voice or settings.default_voice)
    options = NarrationOptions(
        voice=spec.name,
        speed=args.speed,
        audio_format=args.audio_format,
        subtitle_formats=subtitle_formats,
        chapters=tuple(chapters) if chapters else None,
        max_chunk_chars=settings.max_chunk_chars,
        pauses=Pauses(settings.sentence_pause, settings.paragraph_pause, settings.chapter_pause),
        subtitle_max_chars=settings.subtitle_max_chars,
        subtitle_max_seconds=settings.subtitle_max_seconds,
        keep_work=args.keep_work,
    )
    chunks = plan_chunks(document, engine, options)
    stem = args.name or args.input.stem
    bar = tqdm(total=sum(len(c.text) for c in chunks), unit="char", unit_scale=True, disable=args.quiet,
               desc=f"{spec} ", file=sys.stderr)
    result = None
    with bar:
        for progress in narrate(document, engine, options, outdir=args.outdir, stem=stem, chunks=chunks):
            if progress.stage == "synthesise":
                bar.update(progress.done - bar.n)
            else:
                bar.set_postfix_str(progress.message)
            result = progress.result or result
    assert result is not None  # the generator always ends with a result
    print(f"{result.audio}  ({_clock(result.duration)}, {len(result.chapters)} chapters, {result.chunk_count} chunks, "
          f"{result.reused} reused)")
    for path in result.subtitles.values():
        print(path)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_chapters(args: argparse.Namespace) -> int:
    document = read_document(args.input)
    print(f"{document.title}" + (f" by {document.author}" if document.author else ""))
    for number, chapter in enumerate(document.chapters, start=1):
        if chapter.role != "body" and not args.all:
            continue
        role = "" if chapter.role == "body" else f" [{chapter.role}]"
        words = sum(len(p.split()) for p in chapter.paragraphs)
        print(f"{number:4d}  {chapter.title or '(untitled)'}{role}  ({words} words)")
    return 0


def cmd_voices(args: argparse.Namespace) -> int:
    registry = EngineRegistry(Settings())
    voices = registry.all_voices()
    if args.engine:
        voices = [v for v in voices if v.id.split(":", 1)[0] == args.engine]
    for voice in voices:
        extra = " ".join(filter(None, [voice.language, voice.gender or "", voice.description]))
        print(f"{voice.id:32s} {extra}")
    return 0


def cmd_engines(args: argparse.Namespace) -> int:
    for name, availability in EngineRegistry(Settings()).describe():
        state = "available" if availability.ok else "not available"
        reason = f": {availability.reason}" if availability.reason else ""
        print(f"{name:14s} {state}{reason}")
    return 0


def cmd_video(args: argparse.Namespace) -> int:
    from voxweave.video import make_provider
    from voxweave.video.render import VideoOptions, make_video

    settings = Settings()
    output = args.output or args.audio.with_suffix(".mp4")
    provider = None
    if args.provider != "local":
        base_url = settings.zai_base_url if args.provider == "zai" else settings.dashscope_base_url
        provider = make_provider(args.provider, **({"base_url": base_url} if base_url else {}))
        available = provider.available()
        if not available.ok and args.no_fallback:
            raise ValueError(f"{args.provider}: {available.reason}")
        if not available.ok:
            print(f"voxweave: {args.provider} is not usable ({available.reason}); making the video locally",
                  file=sys.stderr)
            provider = None
    options = VideoOptions(style=args.style, prompt=args.prompt, resolution=args.resolution, model=args.model,
                           burn_subtitles=not args.soft_subtitles, allow_fallback=not args.no_fallback,
                           poll_interval=settings.video_poll_interval, deadline_s=settings.video_deadline_s)
    last = None
    with tqdm(total=100, unit="%", disable=args.quiet, file=sys.stderr, desc="video ") as bar:
        for progress in make_video(args.audio, args.subtitles, output, options, provider=provider,
                                   workdir=output.parent / f".{output.stem}.clips"):
            bar.update(round(progress.fraction * 100) - bar.n)
            bar.set_postfix_str(progress.message[:40])
            last = progress
    assert last is not None and last.result is not None
    print(f"{last.result.path}  ({_clock(last.result.duration)})")
    for note in (last.fallback_reason, *last.result.notes):
        if note:
            print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_bridge(args: argparse.Namespace) -> int:
    from voxweave.bridge import main as bridge_main

    return bridge_main(args.rest)


def cmd_fake_cloud(args: argparse.Namespace) -> int:
    from voxweave.video.fake_cloud import main as fake_cloud_main

    return fake_cloud_main([a for a in args.rest if a != "--"])


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "narrate": cmd_narrate,
    "chapters": cmd_chapters,
    "voices": cmd_voices,
    "engines": cmd_engines,
    "video": cmd_video,
    "bridge": cmd_bridge,
    "fake-cloud": cmd_fake_cloud,
    **JOB_COMMANDS,
}
