"""Pipeline overhead and real-time factor: the same text through the raw engine and through narrate().

Run: .venv/bin/python bench/bench_pipeline.py [--voice kokoro-onnx:jm_kumo] [--paragraphs 6] [--format m4b]
Prints the raw synthesis time, the pipeline time (synthesis + track + encoding + subtitles),
their ratio, and the real-time factor (seconds of work per second of audio).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from voxweave.config import Settings
from voxweave.narrate import NarrationOptions, narrate, plan_chunks
from voxweave.text.document import Chapter, Document
from voxweave.tts.registry import EngineRegistry

PARAGRAPH = (
    "The lighthouse keeper climbed the stairs at dusk, as he had done for thirty years. "
    "On the 3rd of March, 1921, the storm came early; the glass rattled, and the lamp flickered twice. "
    "He trimmed the wick, wound the clockwork, and wrote in the log: wind north-east, sea rising. "
    "Far below, a small boat was fighting its way toward the harbour, and he watched it until it was safe."
)


def build_document(paragraphs: int) -> Document:
    chapters = (
        Chapter("Chapter One", tuple([PARAGRAPH] * (paragraphs // 2 or 1))),
        Chapter("Chapter Two", tuple([PARAGRAPH] * (paragraphs - paragraphs // 2 or 1))),
    )
    return Document(title="Benchmark", chapters=chapters, author="VoxWeave")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default=None)
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--format", default="m4b")
    args = parser.parse_args()

    settings = Settings()
    engine, spec = EngineRegistry(settings).resolve(args.voice or settings.default_voice)
    document = build_document(args.paragraphs)
    options = NarrationOptions(voice=spec.name, audio_format=args.format, subtitle_formats=("srt", "vtt", "ass"))
    chunks = plan_chunks(document, engine, options)
    engine.synthesize("Warm up.", spec.name)  # model loading is not what we measure

    started = time.perf_counter()
    raw_audio = sum(engine.synthesize(c.text, spec.name, options.speed).duration for c in chunks)
    raw_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        for progress in narrate(document, engine, options, outdir=Path(folder), stem="bench", chunks=chunks):
            result = progress.result
        pipeline_seconds = time.perf_counter() - started
    assert result is not None

    print(f"engine            {spec}  ({getattr(engine, 'device', 'cpu')})")
    print(f"text              {document.char_count} characters, {len(chunks)} chunks")
    print(f"speech            {raw_audio:.1f} s raw, {result.duration:.1f} s with pauses")
    print(f"raw engine calls  {raw_seconds:.2f} s")
    print(f"pipeline          {pipeline_seconds:.2f} s  (synthesis, track, {args.format} encoding, 3 subtitle files)")
    print(f"overhead          {(pipeline_seconds / raw_seconds - 1) * 100:+.1f} %  (ratio {pipeline_seconds / raw_seconds:.3f})")
    print(f"real-time factor  {raw_seconds / raw_audio:.3f}  ({raw_audio / raw_seconds:.2f}x faster than real time)")


if __name__ == "__main__":
    main()
