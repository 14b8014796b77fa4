"""The narration pipeline: a Document in, an audio file with chapters and subtitles out.

Responsibilities: turn chunks into speech (reusing any chunk already finished on disk), stream the
speech and the pauses into one track, measure where every sentence and chapter lands, then encode
the track and write the subtitles. Long work is a generator of Progress events; closing it stops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from voxweave.audio import ChapterMark, TrackWriter, encode_audio
from voxweave.chunkstore import ChunkStore, speech_key
from voxweave.subtitles import TimedText, build_cues, write_subtitles
from voxweave.text.chunking import Chunk, chunk_document
from voxweave.text.document import Document
from voxweave.tts.base import Engine, Speech, WordTiming
from voxweave.word_subtitles import write_karaoke, write_word_subtitles

Stage = Literal["synthesise", "encode", "subtitles", "done"]

#: A chunk whose text has letters but whose audio is shorter than this was not really spoken.
MIN_SPOKEN_SECONDS = 0.05
#: Silence after the last word, so that codecs' frame rounding never cuts into speech or the last cue.
TAIL_SECONDS = 0.2


@dataclass(frozen=True)
class Pauses:
    """Silence after a sentence, a paragraph and a chapter, in seconds."""

    sentence: float = 0.25
    paragraph: float = 0.6
    chapter: float = 1.5

    def after(self, boundary: str) -> float:
        return {"cut": 0.0, "sentence": self.sentence, "paragraph": self.paragraph}.get(boundary, self.chapter)


@dataclass(frozen=True)
class NarrationOptions:
    voice: str
    speed: float = 1.0
    audio_format: str = "m4b"
    subtitle_formats: tuple[str, ...] = ("srt",)
    chapters: tuple[int, ...] | None = None
    max_chunk_chars: int = 400
    pauses: Pauses = Pauses()
    subtitle_max_chars: int = 84
    subtitle_max_seconds: float = 6.0
    #: Keep the finished chunks after success (they are always kept after an interruption).
    keep_work: bool = False


@dataclass(frozen=True)
class NarrationResult:
    audio: Path
    subtitles: dict[str, Path]
    duration: float
    chapters: tuple[ChapterMark, ...]
    chunk_count: int
    synthesised: int
    reused: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    """One step of the work. `done`/`total` are characters while synthesising, then steps."""

    stage: Stage
    done: float
    total: float
    chunks_done: int = 0
    chunks_total: int = 0
    elapsed: float = 0.0
    message: str = ""
    result: NarrationResult | None = field(default=None, repr=False)

    @property
    def fraction(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, self.done / self.total)


@dataclass
class _Timeline:
    """Where sentences and chapters land on the track, measured from the audio written."""

    segments: list[TimedText] = field(default_factory=list)
    chapter_starts: list[tuple[int, float]] = field(default_factory=list)
    _sentence: list[tuple[str, float, float, tuple[WordTiming, ...] | None]] = field(default_factory=list)

    def add(self, chunk: Chunk, start: float, end: float, speech: Speech) -> None:
        if not self.chapter_starts or self.chapter_starts[-1][0] != chunk.chapter:
            self.chapter_starts.append((chunk.chapter, start))
        words = None
        if speech.words is not None:
            words = tuple(WordTiming(w.word, start + w.start, start + w.end) for w in speech.words)
        self._sentence.append((chunk.text, start, end, words))
        if chunk.boundary != "cut":
            self._close_sentence()

    def _close_sentence(self) -> None:
        if not self._sentence:
            return
        text = " ".join(part[0] for part in self._sentence)
        words: tuple[WordTiming, ...] | None = None
        if all(part[3] is not None for part in self._sentence):
            words = tuple(w for part in self._sentence for w in part[3] or ())
        self.segments.append(TimedText(text, self._sentence[0][1], self._sentence[-1][2], words))
        self._sentence.clear()

    def chapter_marks(self, document: Document, end: float) -> tuple[ChapterMark, ...]:
        self._close_sentence()
        marks = []
        for i, (number, start) in enumerate(self.chapter_starts):
            stop = self.chapter_starts[i + 1][1] if i + 1 < len(self.chapter_starts) else end
            marks.append(ChapterMark(document.chapters[number - 1].title or f"Chapter {number}", start, stop))
        return tuple(marks)


def plan_chunks(document: Document, engine: Engine, options: NarrationOptions) -> list[Chunk]:
    """The chunks this narration will speak, sized for the engine's limit."""
    limit = min(options.max_chunk_chars, engine.max_chars)
    chapters = list(options.chapters) if options.chapters else None
    return chunk_document(document, limit, chapters)


def narrate(
    document: Document,
    engine: Engine,
    options: NarrationOptions,
    *,
    outdir: Path,
    stem: str,
    workdir: Path | None = None,
    chunks: Sequence[Chunk] | None = None,
) -> Iterator[Progress]:
    """Narrate `document` into `outdir/stem.<format>` plus subtitles, yielding Progress as it goes.

    Finished chunks are kept in `workdir/chunks` (default: `outdir/.stem.work`), so running the
    same narration again after an interruption synthesises only what is missing.
    """
    started = time.monotonic()
    outdir = Path(outdir)
    workdir = Path(workdir) if workdir else outdir / f".{stem}.work"
    store = ChunkStore(workdir / "chunks")
    chunks = list(chunks) if chunks is not None else plan_chunks(document, engine, options)
    if not chunks:
        raise ValueError("there is nothing to narrate: the selected chapters hold no text")
    total_chars = sum(len(c.text) for c in chunks)
    timeline = _Timeline()
    warnings: list[str] = []
    synthesised = reused = 0
    done_chars = 0
    track_path = workdir / "track.wav"

    with TrackWriter(track_path, engine.sample_rate) as track:
        for position, chunk in enumerate(chunks):
            key = speech_key(engine.name, options.voice, options.speed, chunk.text)
            speech = store.get(chunk.index, key)
            if speech is None:
                speech = engine.synthesize(chunk.text, options.voice, options.speed)
                store.put(chunk.index, key, speech)
                synthesised += 1
            else:
                reused += 1
            if speech.duration < MIN_SPOKEN_SECONDS and any(ch.isalnum() for ch in chunk.text):
                warnings.append(f"chunk {chunk.index} (chapter {chunk.chapter}) produced no audio: {chunk.text[:60]!r}")
            start, end = track.write(speech.samples, speech.sample_rate)
            timeline.add(chunk, start, end, speech)
            last = position + 1 == len(chunks)
            track.write_silence(TAIL_SECONDS if last else options.pauses.after(chunk.boundary))
            done_chars += len(chunk.text)
            yield Progress(
                "synthesise", done_chars, total_chars, position + 1, len(chunks), time.monotonic() - started
            )
        duration = track.position

    marks = timeline.chapter_marks(document, duration)
    yield Progress("encode", 0, 1, len(chunks), len(chunks), time.monotonic() - started, "encoding audio")
    audio_path = outdir / f"{stem}.{options.audio_format}"
    encode_audio(
        track_path,
        audio_path,
        options.audio_format,
        chapters=marks,
        metadata=_metadata(document),
        cover=document.cover if options.audio_format == "m4b" else None,
    )

    yield Progress("subtitles", 0, 1, len(chunks), len(chunks), time.monotonic() - started, "writing subtitles")
    cues = build_cues(
        timeline.segments, max_chars=options.subtitle_max_chars, max_seconds=options.subtitle_max_seconds
    )
    subtitles = {}
    for fmt in options.subtitle_formats:
        subtitles[fmt] = _write_subtitle_format(fmt, cues, timeline.segments, outdir, stem, document.title)

    if not options.keep_work:
        store.clear()
        track_path.unlink(missing_ok=True)
    result = NarrationResult(
        audio=audio_path,
        subtitles=subtitles,
        duration=duration,
        chapters=marks,
        chunk_count=len(chunks),
        synthesised=synthesised,
        reused=reused,
        warnings=tuple(warnings),
    )
    yield Progress("done", 1, 1, len(chunks), len(chunks), time.monotonic() - started, "done", result)


#: Sentence cues (srt, vtt, ass), one cue per word (words.srt, words.vtt), karaoke ASS (karaoke.ass).
WORD_SUBTITLE_FORMATS = ("words.srt", "words.vtt", "karaoke.ass")


def _write_subtitle_format(fmt: str, cues, segments, outdir: Path, stem: str, title: str) -> Path:
    path = outdir / f"{stem}.{fmt}"
    if fmt == "karaoke.ass":
        write_karaoke(segments, path, title=title)
    elif fmt in ("words.srt", "words.vtt"):
        write_word_subtitles(segments, path, fmt.split(".")[1])
    else:
        write_subtitles(cues, path, fmt, title=title)
    return path


def _metadata(document: Document) -> dict[str, str]:
    tags = {"title": document.title, "album": document.title, "language": document.language, "genre": "Audiobook"}
    if document.author:
        tags["artist"] = document.author
    return tags
