"""The arguments of one composing ffmpeg run: its inputs, the filtergraph ending in [v], the codecs.

The picture is clips (each cut to whole frames of its span, then concatenated), or the still
background (sparse frames, or a steady rate when something moves), then an optional waveform and
burned subtitles. Moving content runs at MOTION_FPS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from voxweave.video.background import background_image, parse_color
from voxweave.video.captions import PreparedSubtitles, subtitles_filter
from voxweave.video.spec import CompositionSpec
from voxweave.video.stills import STILL_TIMEBASE, still_frames

#: Frame rate of moving content (clips, waveform).
MOTION_FPS = 25
#: Seconds between forced keyframes, so that players can seek in a sparse still video.
KEYFRAME_INTERVAL_S = 4.0
_TO_YUV = "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"
#: Tags the picture as HD video (BT.709, limited range), which is how every stage converts it.
_BT709 = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"


@dataclass(frozen=True)
class EncodeJob:
    """One composition being made: the spec, its resolved format and size, and where to work."""

    spec: CompositionSpec
    fmt: str
    size: tuple[int, int]
    duration: float
    work: Path
    out_path: Path
    #: The narration's codec when known: the same codec as the output's is copied, not re-encoded.
    audio_codec: str | None = None


def ffmpeg_args(job: EncodeJob, subs: PreparedSubtitles | None, burn: bool, output: Path) -> list[str]:
    """The whole argument list of the run that writes `output`."""
    spec = job.spec
    inputs, graph, still = video_graph(job, subs, burn)
    audio_index = inputs.count("-i")
    inputs += ["-i", abs_path(spec.narration)]
    outputs = ["-map", "[v]", "-map", f"{audio_index}:a:0"]
    if subs is not None and not burn:
        inputs += ["-i", abs_path(subs.srt)]
        outputs += ["-map", f"{audio_index + 1}:s:0", "-c:s", "webvtt" if job.fmt == "webm" else "mov_text"]
    outputs += codec_args(job.fmt, sparse=still and spec.still_fps is None, still=still)
    outputs += audio_args(job.fmt, job.audio_codec)
    outputs += ["-t", f"{job.duration:.3f}"]
    if spec.title:
        outputs += ["-metadata", f"title={spec.title}"]
    return [*inputs, "-filter_complex", graph, *outputs, "-f", job.fmt, str(output)]


def video_graph(job: EncodeJob, subs: PreparedSubtitles | None, burn: bool) -> tuple[list[str], str, bool]:
    """Input arguments, the filtergraph ending in [v], and whether the picture is still."""
    spec, size = job.spec, job.size
    moving = bool(spec.clips) or spec.waveform or (burn and subs is not None and subs.animated)
    if spec.clips:
        inputs, chains = clip_inputs(spec, size, job.duration)
    else:
        background = background_image(spec.background, size)
        fps = MOTION_FPS if moving else spec.still_fps
        if fps:
            background.save(job.work / "background.png", format="PNG", compress_level=1)
            inputs = ["-i", abs_path(job.work / "background.png")]
            chains = [f"[0:v]{_TO_YUV},loop=loop=-1:size=1,setpts=N/{fps:g}/TB[base]"]
        else:
            listing = still_frames(background, job.work, job.duration, subs.changes if subs else ())
            inputs = ["-f", "concat", "-i", abs_path(listing)]
            chains = ["[0:v]null[base]"]
    label = "base"
    if spec.waveform:
        chains += waveform(inputs.count("-i"), size, spec.waveform_color, label)
        label = "waved"
    burning = [subtitles_filter(abs_path(subs.ass))] if burn and subs is not None else []
    chains.append(f"[{label}]" + ",".join([*burning, "format=yuv420p", _BT709]) + "[v]")
    return inputs, ";".join(chains), not moving


def clip_inputs(spec: CompositionSpec, size: tuple[int, int], duration: float) -> tuple[list[str], list[str]]:
    """Each clip cut (looped, or its last frame held) to whole frames of its span, then concatenated."""
    width, height = size
    starts = [0.0] + [max(0.0, c.start) for c in spec.clips[1:]]
    ends = starts[1:] + [duration]
    inputs: list[str] = []
    chains: list[str] = []
    for clip, start, end in zip(spec.clips, starts, ends):
        frames = round(min(end, duration) * MOTION_FPS) - round(start * MOTION_FPS)
        if frames <= 0:
            continue
        seconds = frames / MOTION_FPS
        index = inputs.count("-i")
        loop = ["-stream_loop", "-1"] if spec.clip_fill == "loop" else []
        inputs += [*loop, "-t", f"{seconds + 1:.3f}", "-i", abs_path(clip.path)]
        hold = f",tpad=stop_mode=clone:stop_duration={seconds:.3f}" if spec.clip_fill == "hold" else ""
        chains.append(
            f"[{index}:v]fps={MOTION_FPS}{hold},scale={width}:{height}:force_original_aspect_ratio=increase"
            f":out_color_matrix=bt709:out_range=tv,crop={width}:{height},setsar=1,format=yuv420p,"
            f"trim=end_frame={frames},setpts=PTS-STARTPTS[c{len(chains)}]"
        )
    if not chains:
        raise ValueError("no clip covers any of the narration")
    chains.append("".join(f"[c{i}]" for i in range(len(chains))) + f"concat=n={len(chains)}:v=1:a=0[base]")
    return inputs, chains


def waveform(audio_index: int, size: tuple[int, int], color: str, base: str) -> list[str]:
    width, height = size
    r, g, b = parse_color(color)
    wave_height = (height // 5) // 2 * 2
    return [
        f"[{audio_index}:a]showwaves=s={width}x{wave_height}:mode=cline:rate={MOTION_FPS}:scale=sqrt:draw=full"
        f":colors=0x{r:02x}{g:02x}{b:02x}@0.8,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[wave]",
        # blending in YUV: converting the whole frame to RGB for the overlay costs 4x more
        f"[{base}][wave]overlay=0:{int(height * 0.6)}:shortest=1:format=yuv420[waved]",
    ]


def codec_args(fmt: str, sparse: bool, still: bool) -> list[str]:
    """Video encoder settings: quick on 2 cores, sharp for still pictures, seekable."""
    keyframes = ["-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_INTERVAL_S:g})"]
    timing = ["-fps_mode", "vfr", "-enc_time_base:v", f"1:{STILL_TIMEBASE}"] if sparse else []
    if fmt == "webm":
        video = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
                 "-b:v", "0", "-crf", "32"]
        container: list[str] = []
    else:
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", *(["-tune", "stillimage"] if still else []),
                 *(["-bf", "0"] if sparse else [])]  # without B-frames the last frame keeps its 1 ms
        container = ["-movflags", "+faststart"]
    return [*video, "-pix_fmt", "yuv420p", *keyframes, *timing, *container]


def audio_args(fmt: str, codec: str | None) -> list[str]:
    """Copy narration already in the container's codec (an m4b into mp4); else encode it.

    ffmpeg's AAC "fast" coder: 3x less CPU than the default on speech-like audio, same SNR at 160k.
    """
    if codec == ("opus" if fmt == "webm" else "aac"):
        return ["-c:a", "copy"]
    if fmt == "webm":
        return ["-c:a", "libopus", "-b:a", "96k"]
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k"]


def abs_path(path: Path | str) -> str:
    """An absolute path, so that ffmpeg never reads `name:` as a protocol."""
    return os.path.abspath(path)
