"""What the job machinery costs: peak memory against text length, and time per chunk apart from synthesis.

Run: .venv/bin/python bench/bench_jobs.py [--voice kokoro-onnx:jm_kumo] [--paragraphs 1] [--scale 10]

1. Memory: a text, then one `--scale` times longer, each narrated as a job (submitted to a JobQueue and
   run by its Runner) in a fresh process, so each peak RSS is that run's alone. Prints both and their
   ratio: memory must not grow with the book (target <= 1.2). Uses the real default engine when it is
   available, else the tone engine, and says which.
2. Overhead: the same text through narrate() directly and as a job, with an engine that answers at
   once, so the difference is the job machinery (claim, progress, ETA, heartbeats, cancel checks,
   database writes). Printed per chunk (target < 5 ms), with the speech cache off and on.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from voxweave.config import Settings
from voxweave.tts.base import Availability, Speech, Voice

PARAGRAPH = (
    "The lighthouse keeper climbed the stairs at dusk, as he had done for thirty years. "
    "On the 3rd of March, 1921, the storm came early; the glass rattled, and the lamp flickered twice. "
    "He trimmed the wick, wound the clockwork, and wrote in the log: wind north-east, sea rising. "
    "Far below, a small boat was fighting its way toward the harbour, and he watched it until it was safe."
)
RATE = 24_000
#: The instant engine "speaks" this many seconds per character (about real speech).
SECONDS_PER_CHAR = 0.065


class InstantEngine:
    """Answers at once with silence as long as real speech would be: synthesis costs nothing."""

    name = "instant"
    tone = False
    max_chars = 400
    sample_rate = RATE

    def available(self) -> Availability:
        return Availability(True)

    def voices(self) -> list[Voice]:
        return [Voice(id="instant:a", name="a")]

    def default_voice(self) -> str:
        return "a"

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        frames = int(len(text) * SECONDS_PER_CHAR * RATE)
        if not self.tone:
            return Speech(np.zeros(frames, dtype=np.float32), RATE)
        t = np.arange(frames, dtype=np.float32) / RATE
        return Speech((0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32), RATE)


class ToneEngine(InstantEngine):
    """The fallback when no real engine runs here: a tone as long as speech would be."""

    name = "tone"
    tone = True


def resolver(settings: Settings):
    """Voices of the registry's engines, plus tone:a (the fallback engine of this benchmark)."""
    from voxweave.tts.registry import EngineRegistry
    from voxweave.tts.voices import parse_voice

    registry, tone = EngineRegistry(settings), ToneEngine()

    def resolve(voice: str):
        spec = parse_voice(voice)
        return (tone, spec) if spec.engine == "tone" else registry.resolve(voice)
    return resolve


def document_text(paragraphs: int) -> str:
    # Numbered paragraphs: no two chunks alike, so the speech cache cannot shorten the long run.
    return "# Benchmark\n\n" + "\n\n".join(f"Part {i + 1}. {PARAGRAPH}" for i in range(paragraphs)) + "\n"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# ----------------------------------------------------------------------------- child: one job


def child_job(voice: str, paragraphs: int, audio_format: str) -> dict:
    """Narrate as a job in this (fresh) process; report the run and this process's peak RSS."""
    from voxweave.jobs import JobQueue, NarrationRequest

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        resolve = resolver(settings)
        engine, spec = resolve(voice)
        engine.synthesize("Warm up.", spec.name)  # the model's own memory is not the job's
        baseline = peak_rss_mb()
        queue = JobQueue(settings)
        queue.start_runner(engines=resolve, poll_s=0.05)
        job_id = queue.submit_narration("bench", "bench.md", document_text(paragraphs).encode(),
                                        NarrationRequest(voice=voice, audio_format=audio_format))
        while (job := queue.job("bench", job_id)).status in ("queued", "running"):
            time.sleep(0.2)
        queue.close()
        if job.status != "done":
            raise SystemExit(f"the job ended {job.status}: {job.error}")
        return {"peak_rss_mb": peak_rss_mb(), "after_warm_up_mb": baseline, "seconds": job.finished - job.started,
                "characters": len(document_text(paragraphs)), "engine": str(spec)}


def run_child(voice: str, paragraphs: int, audio_format: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", "--voice", voice, "--paragraphs", str(paragraphs), "--format", audio_format],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- overhead


class Stopwatch:
    """Adds up the time spent inside some functions (patched in place while the benchmark runs)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, owner: object, name: str) -> None:
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(owner, name, timed)


def overhead(paragraphs: int, repeats: int) -> dict:
    """Per chunk: narrate() alone and as a job (wall time, best of `repeats`, interleaved), and the time
    measured inside the job machinery's per-chunk calls (progress, report, stop check, engine meter)."""
    from voxweave.jobs import JobQueue, NarrationRequest
    from voxweave.jobs.narration import MeteredEngine
    from voxweave.jobs.progress import NarrationProgress
    from voxweave.jobs.runner import JobContext
    from voxweave.narrate import NarrationOptions, narrate, plan_chunks
    from voxweave.text.ingest import read_document
    from voxweave.tts.voices import parse_voice

    engine = InstantEngine()
    text = document_text(paragraphs)
    best = {"direct": float("inf"), "job": float("inf"), "job+cache": float("inf")}
    inside = Stopwatch()
    chunks = 0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            source = root / "bench.md"
            source.write_text(text)
            document = read_document(source)
            options = NarrationOptions(voice="a", audio_format="wav", subtitle_formats=("srt",))
            chunks = len(plan_chunks(document, engine, options))
            started = time.perf_counter()
            for _ in narrate(document, engine, options, outdir=root / "direct", stem="bench"):
                pass
            best["direct"] = min(best["direct"], time.perf_counter() - started)

            for label in ("job", "job+cache"):
                queue = JobQueue(Settings(data_dir=root / label))
                runner = queue.start_runner(engines=lambda v: (engine, parse_voice(v)), poll_s=0.01)
                if label == "job":
                    runner.speech_cache = None
                job_id = queue.submit_narration("bench", "bench.md", source,
                                                NarrationRequest(voice="instant:a", audio_format="wav"))
                while (job := queue.job("bench", job_id)).status in ("queued", "running"):
                    time.sleep(0.01)
                queue.close()
                assert job.status == "done", job.error
                best[label] = min(best[label], job.finished - job.started)

    # The machinery's own per-chunk calls, timed from the inside (immune to a busy machine's noise).
    for owner, name in ((NarrationProgress, "update"), (JobContext, "report"), (JobContext, "check"),
                        (MeteredEngine, "synthesize")):
        inside.wrap(owner, name)
    engine_time = Stopwatch()
    engine_time.wrap(engine, "synthesize")
    with tempfile.TemporaryDirectory() as folder:
        queue = JobQueue(Settings(data_dir=Path(folder)))
        runner = queue.start_runner(engines=lambda v: (engine, parse_voice(v)), poll_s=0.01)
        runner.speech_cache = None
        job_id = queue.submit_narration("bench", "bench.md", text.encode(),
                                        NarrationRequest(voice="instant:a", audio_format="wav"))
        while queue.job("bench", job_id).status in ("queued", "running"):
            time.sleep(0.01)
        queue.close()
    measured = (inside.seconds - engine_time.seconds) / chunks
    return {"chunks": chunks, "inside": measured, **{k: v / chunks for k, v in best.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default=None, help="default: the settings' default voice, else tone")
    parser.add_argument("--paragraphs", type=int, default=1, help="paragraphs of the short text (~400 chars each)")
    parser.add_argument("--scale", type=int, default=10, help="how many times longer the long text is")
    parser.add_argument("--format", default="m4b")
    parser.add_argument("--overhead-paragraphs", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_job(args.voice, args.paragraphs, args.format)))
        return

    voice = args.voice or _default_voice()
    short = run_child(voice, args.paragraphs, args.format)
    long = run_child(voice, args.paragraphs * args.scale, args.format)
    print(f"engine            {short['engine']}")
    for label, run in (("short", short), (f"{args.scale}x longer", long)):
        print(f"{label:17s} {run['characters']:7d} chars  {run['seconds']:7.1f} s  peak RSS {run['peak_rss_mb']:7.1f} MB"
              f"  (after warm-up {run['after_warm_up_mb']:.1f} MB)")
    print(f"RSS ratio         {long['peak_rss_mb'] / short['peak_rss_mb']:.3f}  (target <= 1.2)")

    cost = overhead(args.overhead_paragraphs, repeats=5)
    print(f"overhead text     {cost['chunks']} chunks, instant engine, wav, best of 5")
    print(f"machinery inside  {cost['inside'] * 1000:6.3f} ms per chunk  (progress, ETA, report, stop check, meter;"
          " target < 5)")
    print(f"narrate() alone   {cost['direct'] * 1000:6.2f} ms per chunk")
    print(f"as a job          {cost['job'] * 1000:6.2f} ms per chunk  -> difference "
          f"{(cost['job'] - cost['direct']) * 1000:+.2f} ms per chunk (wall clock, noisy on a busy machine)")
    print(f"as a job + cache  {cost['job+cache'] * 1000:6.2f} ms per chunk  -> difference "
          f"{(cost['job+cache'] - cost['direct']) * 1000:+.2f} ms per chunk")


def _default_voice() -> str:
    from voxweave.tts.registry import EngineRegistry

    settings = Settings()
    try:
        EngineRegistry(settings).resolve(settings.default_voice)
        return settings.default_voice
    except Exception as e:  # noqa: BLE001 - any reason the real engine cannot run means: use the tone engine
        print(f"(default voice {settings.default_voice} not usable: {e}; using the tone engine)")
        return "tone:a"


if __name__ == "__main__":
    main()
