"""Local video speed: one 60 s narration with ~20 burned subtitles at 1280x720, three ways.

Run: .venv/bin/python bench/bench_video.py [--seconds 60] [--cues 20] [--resolution 720p] [--keep DIR]

1. voxweave.video.compose as shipped: a still background encoded as sparse frames (one at each
   subtitle change, at least one a second), libass burning, x264 veryfast + stillimage.
2. the same composer forced to a steady 25 fps (`still_fps=25`): what a plain ffmpeg command does.
3. the way a frame-by-frame compositor does it (moviepy: ImageClip + subtitle TextClips + audio,
   25 fps), which tools like MoneyPrinterTurbo use. Needs the bench extra: pip install moviepy
   (skipped with a message when it is missing).

Prints wall time and speed as a multiple of real time for each, the ratios, file sizes, and the
PSNR of the shipped render against the 25 fps one (same pictures at the same times = no visible loss).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile

from voxweave.ffmpeg import ffmpeg_binary
from voxweave.video.compose import FONT_FILE, Background, CompositionSpec, compose_video, render_background

logger = logging.getLogger("bench_video")

RATE = 24_000
TEXT = (
    "The lighthouse keeper climbed the stairs at dusk, as he had done for thirty years. "
    "The storm came early; the glass rattled and the lamp flickered twice. "
    "He trimmed the wick, wound the clockwork, and wrote in the log: wind north-east, sea rising. "
    "Far below, a small boat was fighting its way toward the harbour, and he watched it until it was safe."
).split()


def make_narration(path: Path, seconds: float) -> Path:
    """Speech-like audio: noise shaped by a 4 Hz syllable envelope over a low hum (no TTS needed)."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * t))
    signal = 0.25 * envelope * rng.standard_normal(t.size) + 0.05 * np.sin(2 * np.pi * 140 * t)
    soundfile.write(path, signal.astype(np.float32), RATE)
    return path


def make_srt(path: Path, seconds: float, cues: int) -> Path:
    """`cues` cues spread over the narration: each shown for 80% of its slot, a gap after it."""
    def stamp(x: float) -> str:
        ms = round(x * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    slot = seconds / cues
    blocks = []
    for i in range(cues):
        words = " ".join(TEXT[(i * 7) % len(TEXT):][:9])
        blocks.append(f"{i + 1}\n{stamp(i * slot + 0.1)} --> {stamp(i * slot + 0.1 + 0.8 * slot)}\n{words}\n")
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg): a figure that load does not inflate."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and CPU seconds that `work` took."""
    started, cpu = time.perf_counter(), cpu_seconds()
    work()
    return time.perf_counter() - started, cpu_seconds() - cpu


def render_moviepy(
    background: Path, narration: Path, srt: Path, out: Path, size: tuple[int, int]
) -> tuple[float, float] | None:
    """The frame-by-frame way (moviepy 2): every one of the 25 frames a second is composed in Python."""
    try:
        from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip
        from moviepy.video.tools.subtitles import SubtitlesClip
    except ImportError:
        print("moviepy           not installed: skipped (pip install moviepy, a bench extra)")
        return None
    width, height = size

    def make_text(text: str) -> TextClip:
        return TextClip(font=str(FONT_FILE), text=text, font_size=round(0.055 * height), color="white",
                        stroke_color="black", stroke_width=3, method="caption", size=(int(width * 0.88), None))

    def work() -> None:
        audio = AudioFileClip(str(narration))
        still = ImageClip(str(background)).with_duration(audio.duration)
        subtitles = SubtitlesClip(str(srt), make_textclip=make_text, encoding="utf-8")
        video = CompositeVideoClip([still, subtitles.with_position(("center", 0.8), relative=True)], size=size)
        video.with_audio(audio).with_duration(audio.duration).write_videofile(
            str(out), fps=25, codec="libx264", preset="veryfast", audio_codec="aac", threads=2, logger=None
        )

    return timed(work)


def psnr(a: Path, b: Path) -> str:
    """Average PSNR of `a` against `b`, both resampled to 25 fps (how a player shows them)."""
    graph = "[0:v]fps=25[a];[1:v]fps=25[b];[a][b]psnr"
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(a), "-i", str(b),
               "-lavfi", graph, "-f", "null", "-"]
    err = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False).stderr
    found = re.search(r"PSNR y:([\d.inf]+) u:([\d.inf]+) v:([\d.inf]+) average:([\d.inf]+)", err)
    return f"average {found.group(4)} dB (y {found.group(1)})" if found else "n/a"


def report(name: str, seconds: tuple[float, float], audio: float, out: Path) -> None:
    wall, cpu = seconds
    size = out.stat().st_size / 1e6 if out.exists() else float("nan")
    print(f"{name:<17} {wall:6.2f} s  {audio / wall:6.1f}x real time  cpu {cpu:6.2f} s  {size:5.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--cues", type=int, default=20)
    parser.add_argument("--resolution", default="720p")
    parser.add_argument("--keep", type=Path, default=None, help="write the videos here instead of a temporary folder")
    parser.add_argument("--skip-moviepy", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        narration = make_narration(folder / "narration.wav", args.seconds)
        srt = make_srt(folder / "narration.srt", args.seconds, args.cues)
        spec = CompositionSpec(narration, srt, resolution=args.resolution)
        size = spec.size
        compose_video(CompositionSpec(narration, srt, resolution=(320, 180)), folder / "warmup.mp4")

        print(f"narration         {args.seconds:.0f} s, {args.cues} burned cues, {size[0]}x{size[1]}")
        sparse_out, steady_out, movie_out = folder / "sparse.mp4", folder / "steady25.mp4", folder / "moviepy.mp4"
        sparse = timed(lambda: compose_video(spec, sparse_out))
        report("voxweave (sparse)", sparse, args.seconds, sparse_out)
        steady = timed(lambda: compose_video(CompositionSpec(narration, srt, resolution=args.resolution, still_fps=25),
                                             steady_out))
        report("ffmpeg 25 fps", steady, args.seconds, steady_out)
        print(f"sparse vs 25 fps  {psnr(sparse_out, steady_out)}")
        movie = None
        if not args.skip_moviepy:
            background = render_background(Background(), size, folder / "background.png")
            movie = render_moviepy(background, narration, srt, movie_out, size)
        if movie is not None:
            report("moviepy 25 fps", movie, args.seconds, movie_out)
            print(f"ratio (wall)      moviepy / voxweave = {movie[0] / sparse[0]:.1f}x, "
                  f"25 fps ffmpeg / voxweave = {steady[0] / sparse[0]:.1f}x")
            print(f"ratio (cpu)       moviepy / voxweave = {movie[1] / sparse[1]:.1f}x, "
                  f"25 fps ffmpeg / voxweave = {steady[1] / sparse[1]:.1f}x")
        else:
            print(f"ratio (wall)      25 fps ffmpeg / voxweave = {steady[0] / sparse[0]:.1f}x")
        load = os.getloadavg()[0]
        print(f"load average      {load:.1f} on {os.cpu_count()} cores (a shared machine makes wall times noisy)")


if __name__ == "__main__":
    main()
