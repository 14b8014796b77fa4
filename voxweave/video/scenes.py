"""Planning the scenes of a narrated video from its timeline: where clips change, and what each shows.

Pure functions. The input is the narration's timeline as (text, start, end) spans, in seconds:
sentences with their measured times, or paragraphs, or chapters. The output is a tuple of Scenes
that cover [0, total] with no gap and no overlap, each about one clip long, cutting in the pauses
between spans where it can, each with a prompt (<= PROMPT_LIMIT characters) drawn from its text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: Longest prompt the video services accept (Z.AI: 512 characters).
PROMPT_LIMIT = 512
#: Generated clips last this long, in seconds; a scene's target length must lie in between.
MIN_CLIP_SECONDS = 4.0
MAX_CLIP_SECONDS = 10.0
#: Longest style suffix kept, so that the narration's own words always have room.
STYLE_LIMIT = 160
#: A prompt summarises a scene with at most this many of its first sentences.
SUMMARY_SENTENCES = 3
#: What a scene shows when the text under it has no words at all.
FALLBACK_SUBJECT = "A calm, atmospheric scene"

_MARKUP = re.compile(r"[#*_`>|~\[\]{}<>]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class TextSpan:
    """A piece of the narration and where it is heard, in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Scene:
    """One stretch of the video, shown by one clip. `source_text` is the narration it covers."""

    index: int
    start: float
    end: float
    prompt: str
    source_text: str

    @property
    def duration(self) -> float:
        return self.end - self.start


def plan_scenes(
    spans: Iterable[Any],
    *,
    style: str = "",
    clip_seconds: float = 5.0,
    max_scenes: int = 12,
    total: float | None = None,
) -> tuple[Scene, ...]:
    """Scenes covering [0, total] (total defaults to the last span's end), about `clip_seconds` each.

    `spans` are TextSpans, (text, start, end) tuples, or anything with .text/.start/.end (the
    narration's TimedText). At most `max_scenes` scenes: a long narration gets longer scenes,
    which the composer fills by looping their clips.
    """
    if not MIN_CLIP_SECONDS <= clip_seconds <= MAX_CLIP_SECONDS:
        raise ValueError(f"clip_seconds must lie in [{MIN_CLIP_SECONDS}, {MAX_CLIP_SECONDS}], not {clip_seconds}")
    if max_scenes < 1:
        raise ValueError(f"max_scenes must be at least 1, not {max_scenes}")
    items = normalise_spans(spans)
    end = total if total is not None else max((s.end for s in items), default=0.0)
    if not end > 0 or not math.isfinite(end):
        raise ValueError("the narration has no length: give spans with times, or a finite total > 0")
    count = min(max_scenes, max(1, round(end / clip_seconds)))
    cuts = _cut_points(items, end, count)
    bounds = [0.0, *cuts, end]
    texts = _assign_texts(items, bounds)
    return tuple(
        Scene(i, bounds[i], bounds[i + 1], build_prompt(text, style), text) for i, text in enumerate(texts)
    )


def normalise_spans(spans: Iterable[Any]) -> list[TextSpan]:
    """The spans as TextSpans sorted by start, times clamped to >= 0, end >= start."""
    out = []
    for span in spans:
        if isinstance(span, Sequence) and not isinstance(span, str) and len(span) == 3:
            text, start, end = span
        else:
            text, start, end = span.text, span.start, span.end
        if not (math.isfinite(float(start)) and math.isfinite(float(end))):
            raise ValueError(f"a span's times must be finite numbers, not {start!r}..{end!r}")
        start = max(0.0, float(start))
        out.append(TextSpan(str(text), start, max(start, float(end))))
    return sorted(out, key=lambda s: (s.start, s.end))


def build_prompt(text: str, style: str = "", limit: int = PROMPT_LIMIT) -> str:
    """A short clean prompt: the first sentence(s) of `text`, then the style; never empty, <= limit."""
    style = clean_text(style)[:STYLE_LIMIT].strip(" ,.")
    suffix = f", {style}" if _has_words(style) else ""
    subject = summarise(text, limit - len(suffix)).rstrip(" .!?…;:,")
    if not _has_words(subject):
        subject = FALLBACK_SUBJECT
    return f"{subject}{suffix}"[:limit]


def summarise(text: str, limit: int) -> str:
    """Up to SUMMARY_SENTENCES leading sentences of `text` that fit in `limit`; else the first, cut at a word."""
    sentences = [s for s in _SENTENCE_END.split(clean_text(text)) if s][:SUMMARY_SENTENCES]
    summary = ""
    for sentence in sentences:
        candidate = f"{summary} {sentence}".strip()
        if len(candidate) > limit:
            break
        summary = candidate
    if summary or not sentences:
        return summary
    cut = sentences[0][: max(0, limit - 1)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return f"{cut.rstrip(' ,;:')}…" if cut else ""


def clean_text(text: str) -> str:
    """Text without markup symbols, control characters or runs of spaces."""
    text = _CONTROL.sub(" ", _MARKUP.sub(" ", text))
    return " ".join(text.split())


# --- helpers ---------------------------------------------------------------------------------------


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _cut_points(spans: list[TextSpan], total: float, count: int) -> list[float]:
    """count-1 increasing cuts near equal divisions of [0, total], snapped to a pause between spans
    within a third of a scene (so no scene is shorter than a third of the others)."""
    pauses = sorted(
        (a.end + b.start) / 2 for a, b in zip(spans, spans[1:]) if 0 < (a.end + b.start) / 2 < total
    )
    step = total / count
    cuts: list[float] = []
    for k in range(1, count):
        target = k * step
        low = cuts[-1] if cuts else 0.0
        near = [p for p in pauses if low < p < total and abs(p - target) <= step / 3]
        cut = min(near, key=lambda p: abs(p - target)) if near else target
        if cut > low and not math.isclose(cut, low) and not math.isclose(cut, total):
            cuts.append(cut)
    return cuts


def _assign_texts(spans: list[TextSpan], bounds: list[float]) -> list[str]:
    """The text of each scene: the spans whose middle falls in it, else the span heard at its middle."""
    texts: list[list[str]] = [[] for _ in bounds[1:]]
    for span in spans:
        middle = (span.start + span.end) / 2
        for i in range(len(texts)):
            if bounds[i] <= middle < bounds[i + 1] or (i == len(texts) - 1 and middle >= bounds[-1]):
                texts[i].append(span.text)
                break
    out = []
    for i, parts in enumerate(texts):
        if not any(p.strip() for p in parts):
            parts = [_heard_at(spans, (bounds[i] + bounds[i + 1]) / 2)]
        out.append(clean_text(" ".join(parts)))
    return out


def _heard_at(spans: list[TextSpan], moment: float) -> str:
    """The span playing at `moment`, else the nearest one; "" when there are no spans."""
    if not spans:
        return ""
    def distance(span: TextSpan) -> float:
        return 0.0 if span.start <= moment <= span.end else min(abs(span.start - moment), abs(span.end - moment))

    return min(spans, key=distance).text
