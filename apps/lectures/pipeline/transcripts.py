"""Subtitle transcripts (SubRip ``.srt``, WebVTT ``.vtt``) and transcribed recordings -> time-window pages.

A recording has no pages, so a "page" is a time window of ~60–90 s of speech: windows are cut at a sentence end
once they are ``MIN_WINDOW_S`` long, and at a cue boundary when no sentence ends before ``MAX_WINDOW_S``. Each
page keeps its start and end time, so a citation can read "12:34" and the page view can show the transcript
around it.

Parsing is lenient where real files are sloppy: a BOM, CRLF or CR line ends, UTF-16 or Latin-1 text, missing
blank lines or cue numbers, ``.`` or ``,`` before the milliseconds, styling tags (``<i>``, ``<font>``, ``<v
Speaker>``, ``<c.class>``, inline ``<00:00:01.000>`` timestamps, ``{\\an8}``), WebVTT headers, ``NOTE``/``STYLE``/
``REGION`` blocks and cue settings. Rolling captions (each cue repeating the previous cue's lines, or growing
it word by word, as YouTube's automatic captions do) and duplicated cues are collapsed into the spoken text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IngestError
from .models import Block, Page

MIN_WINDOW_S = 60.0
MAX_WINDOW_S = 90.0
# A last window shorter than this joins the one before it (a closing "see you next time" is no page of its own).
MIN_TAIL_S = 20.0
MAX_FILE_BYTES = 20 * 1024 * 1024

_STAMP = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
TIMING_RE = re.compile(rf"^\s*({_STAMP})\s*-->\s*({_STAMP})(?:[ \t].*)?$")
_TAG = re.compile(r"<[^<>\n]{0,200}>")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
# A cue that is only a sound description: "(soft music)", "[Applause]", "♪♪".
_SOUND_ONLY = re.compile(r"^\s*(?:[\[(][^\[\]()]{0,60}[\])]|[♪♫#\s]+)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[¿¡]?[A-Z0-9À-Ý])")
_WORD_EDGE = re.compile(r"^\W+|\W+$")


@dataclass
class Cue:
    start: float
    end: float
    text: str
    lines: list[str] = field(default_factory=list)


def parse_timestamp(stamp: str) -> float:
    """ "01:02:03,456", "1:02:03.4", "02:03.456" or "02:03" -> seconds."""
    stamp = stamp.strip().replace(",", ".")
    parts = stamp.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) > 2 else 0
    return hours * 3600 + minutes * 60 + seconds


def format_timestamp(seconds: float) -> str:
    """12:34 under an hour (minutes zero-padded, "00:07"), 1:02:03 from an hour on."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def decode_subtitles(data: bytes) -> str:
    """Bytes of a subtitle file -> text with "\\n" line ends (UTF-8, UTF-16 with a BOM, else Latin-1)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def looks_like_subtitles(head: bytes) -> bool:
    """True when the sample starts like a WebVTT file ("WEBVTT") or a SubRip file (a cue number and/or a
    "00:00:01,000 --> 00:00:02,000" timing line first)."""
    text = decode_subtitles(head[:4096])
    if re.match(r"WEBVTT(?:[ \t\n]|$)", text):
        return True
    lines = [line for line in text.split("\n")[:12] if line.strip()]
    if not lines:
        return False
    if TIMING_RE.match(lines[0]):
        return True
    return len(lines) > 1 and lines[0].strip().isdigit() and bool(TIMING_RE.match(lines[1]))


def clean_cue_line(line: str) -> str:
    line = _ASS_OVERRIDE.sub("", line)
    line = _TAG.sub("", line)
    line = html.unescape(line).replace("\u200e", "").replace("\u200f", "").replace("\xa0", " ")
    line = " ".join(line.split())
    return re.sub(r"^[-–—]\s*", "", line)  # dialogue dash: "- Hello and welcome"


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_vtt_metadata(first: str) -> bool:
    return first.startswith("WEBVTT") or re.match(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)", first) is not None


def parse_subtitles(text: str) -> list[Cue]:
    """SubRip or WebVTT text -> cues in time order, text cleaned (empty and sound-only cues dropped)."""
    is_vtt = text.startswith("WEBVTT")
    cues: list[Cue] = []
    for block in _blocks(text.split("\n")):
        if is_vtt and _is_vtt_metadata(block[0].strip()):
            continue
        timings = [i for i, line in enumerate(block) if TIMING_RE.match(line)]
        if not timings:
            # SubRip text that contains a blank line continues its cue (a lone number is a stray index).
            if cues and not is_vtt and not all(line.strip().isdigit() for line in block):
                cues[-1].lines.extend(block)
            continue
        for n, at in enumerate(timings):
            stop = timings[n + 1] if n + 1 < len(timings) else len(block)
            body = block[at + 1 : stop]
            if n + 1 < len(timings) and body and body[-1].strip().isdigit():
                body = body[:-1]  # the next cue's number (a file without blank lines between cues)
            match = TIMING_RE.match(block[at])
            start, end = parse_timestamp(match.group(1)), parse_timestamp(match.group(2))
            cues.append(Cue(start=start, end=max(start, end), text="", lines=list(body)))
    out = []
    for cue in cues:
        lines = [clean_cue_line(line) for line in cue.lines]
        lines = [line for line in lines if line and not _SOUND_ONLY.match(line)]
        if lines:
            out.append(Cue(cue.start, cue.end, " ".join(lines), lines))
    out.sort(key=lambda c: (c.start, c.end))
    return out


def _norm_words(text: str) -> list[str]:
    return [_WORD_EDGE.sub("", w).casefold() for w in text.split()]


def collapse_repeats(cues: list[Cue]) -> list[Cue]:
    """Drop what a cue repeats of the text before it: identical cues, the previous cue's lines shown again
    (rolling captions), a cue that grows the previous one word by word, and three or more words that a cue
    shown over the previous one repeats from it."""
    out: list[Cue] = []
    spoken: list[str] = []  # normalised words emitted so far (the tail is what a new cue may repeat)
    previous: Cue | None = None
    for cue in cues:
        words = cue.text.split()
        norm = _norm_words(cue.text)
        drop = 0
        if previous is not None:
            prev_norm = _norm_words(previous.text)
            if norm[: len(prev_norm)] == prev_norm:
                drop = len(prev_norm)  # the same text again, or grown from it
            else:
                # leading lines that repeat the previous cue's trailing lines
                lines_dropped = 0
                for k in range(min(len(cue.lines), len(previous.lines)), 0, -1):
                    if [_norm_words(x) for x in cue.lines[:k]] == [_norm_words(x) for x in previous.lines[-k:]]:
                        lines_dropped = k
                        break
                drop = sum(len(line.split()) for line in cue.lines[:lines_dropped])
            if cue.start < previous.end - 0.05:
                # Shown while the previous cue is still on screen: words it repeats are the same words (a
                # speaker who really repeats herself does so in a later cue, and keeps her words).
                tail = spoken[-60:]
                for k in range(min(len(tail), len(norm)), max(drop, 2), -1):
                    if tail[-k:] == norm[:k]:
                        drop = k
                        break
        previous = cue
        if drop >= len(words):
            if out:
                out[-1].end = max(out[-1].end, cue.end)
            continue
        kept = words[drop:]
        start = max(cue.start, out[-1].start) if out else cue.start
        out.append(Cue(start, max(start, cue.end), " ".join(kept), [" ".join(kept)]))
        spoken.extend(norm[drop:])
    return out


def _sentence_pieces(cues: list[Cue]) -> list[Cue]:
    """Split cues at sentence ends inside them; times are shared out by the length of each piece."""
    pieces = []
    for cue in cues:
        parts = [p for p in _SENTENCE_END.split(cue.text) if p.strip()]
        if len(parts) == 1:
            pieces.append(cue)
            continue
        total = sum(len(p) for p in parts)
        t = cue.start
        for part in parts:
            end = t + (cue.end - cue.start) * len(part) / total
            pieces.append(Cue(t, end, part.strip()))
            t = end
    return pieces


def _ends_sentence(text: str) -> bool:
    return re.search(r"[.!?…][\"'”’)\]]*$", text.strip()) is not None


def time_windows(cues: list[Cue], min_s: float = MIN_WINDOW_S, max_s: float = MAX_WINDOW_S) -> list[list[Cue]]:
    """Group consecutive cues into windows of ``min_s``–``max_s`` seconds, cut at a sentence end when one
    falls in that range, else at the last sentence end after ``min_s / 2``, else at the last cue that fits."""
    pieces = _sentence_pieces(cues)
    windows: list[list[Cue]] = []
    i = 0
    while i < len(pieces):
        t0 = pieces[i].start
        fits = i
        while fits + 1 < len(pieces) and pieces[fits + 1].end - t0 <= max_s:
            fits += 1
        cut = None
        if pieces[fits].end - t0 < min_s:
            cut = fits  # everything that is left (or up to a long gap) is shorter than a window
        else:
            for j in range(i, fits + 1):
                if pieces[j].end - t0 >= min_s and _ends_sentence(pieces[j].text):
                    cut = j
                    break
            if cut is None:
                ends = [
                    j for j in range(i, fits + 1) if pieces[j].end - t0 >= min_s / 2 and _ends_sentence(pieces[j].text)
                ]
                cut = ends[-1] if ends else fits
        windows.append(pieces[i : cut + 1])
        i = cut + 1
    if len(windows) > 1:
        last, before = windows[-1], windows[-2]
        if last[-1].end - last[0].start < MIN_TAIL_S and last[-1].end - before[0].start <= max_s + MIN_TAIL_S:
            before.extend(windows.pop())
    return windows


def windows_to_pages(windows: list[list[Cue]]) -> list[Page]:
    pages = []
    for window in windows:
        text = " ".join(c.text for c in window).strip()
        if not text:
            continue
        pages.append(
            Page(
                number=len(pages) + 1,
                blocks=[Block(text, "text")],
                method="native",
                start_s=round(window[0].start, 3),
                end_s=round(max(c.end for c in window), 3),
            )
        )
    return pages


def cues_to_pages(cues: list[Cue]) -> list[Page]:
    return windows_to_pages(time_windows(collapse_repeats(cues)))


def pages_from_segments(segments) -> list[Page]:
    """Transcription segments (objects or dicts with ``start``, ``end``, ``text``) -> time-window pages."""
    cues = []
    for segment in segments:
        get = segment.get if isinstance(segment, dict) else lambda key, s=segment: getattr(s, key, None)
        text = clean_cue_line(str(get("text") or ""))
        start, end = float(get("start") or 0.0), float(get("end") or 0.0)
        if text and not _SOUND_ONLY.match(text):
            cues.append(Cue(start, max(start, end), text, [text]))
    cues.sort(key=lambda c: (c.start, c.end))
    return cues_to_pages(cues)


def read_subtitle_cues(path) -> list[Cue]:
    """The cues of a subtitle file; IngestError("corrupt") when it has none with text."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise IngestError("too_much_memory", "This subtitle file is too large to process.")
    cues = parse_subtitles(decode_subtitles(path.read_bytes()))
    if not cues:
        raise IngestError(
            "corrupt",
            "This subtitle file has no readable captions: no cue with a timing line such as "
            "“00:01:02,000 --> 00:01:05,000” followed by text was found.",
        )
    return cues


def extract_transcript(path) -> list[Page]:
    return cues_to_pages(read_subtitle_cues(path))
