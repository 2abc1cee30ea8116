"""Subtitle transcripts (SRT, WebVTT) and transcription segments cut into time-window pages."""

import re
import shutil
import subprocess

import pytest

from apps.lectures.pipeline import IngestError, clean_pages, detect_kind, extract, pages_from_segments
from apps.lectures.pipeline.detect import looks_like_audio
from apps.lectures.pipeline.transcripts import (
    MAX_WINDOW_S,
    MIN_WINDOW_S,
    collapse_repeats,
    cues_to_pages,
    format_timestamp,
    parse_subtitles,
    parse_timestamp,
)

from .conftest import fixture_path

# Independently of the parser: (first cue start, last spoken cue end, cue count with text) of each fixture,
# read off the files with `grep -c -- '-->'` and `tail`; the last cue of each is "(… music)".
FIXTURES = {
    "py4e_ch2_part1": {"cues": 216, "first": 0.707, "last_speech_end": 9 * 60 + 27.765, "music_cues": 1},
    "py4e_ch2_part2": {"cues": 487, "first": None, "last_speech_end": 19 * 60 + 40.216, "music_cues": 1},
}
_TIMING = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")


def _raw_cues(path):
    """A naive reading of a well-formed SRT file: (start, end, text) per cue."""
    blocks = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").strip().split("\n\n")
    cues = []
    for block in blocks:
        lines = block.split("\n")
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, _TIMING.match(lines[1]).groups())
        cues.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, " ".join(lines[2:])))
    return cues


def _words(text):
    return re.sub(r"^-\s*", "", text).split()


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_an_srt_fixture_becomes_time_windows_with_all_of_its_words(name):
    path = fixture_path(f"transcripts/{name}.srt")
    expected = FIXTURES[name]
    raw = _raw_cues(path)
    assert len(raw) == expected["cues"]
    assert detect_kind(path) == "transcript"

    pages = clean_pages(extract(path, "transcript"))

    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    spoken = [c for c in raw if not re.fullmatch(r"\(.*\)", c[2].strip())]
    assert len(raw) - len(spoken) == expected["music_cues"]
    # Every spoken word, in order, and nothing else (the cleaner removed no "header" from a transcript).
    assert [w for p in pages for w in p.text.split()] == [w for c in spoken for w in _words(c[2])]
    assert pages[0].start_s == pytest.approx(spoken[0][0])
    assert pages[-1].end_s == pytest.approx(expected["last_speech_end"])
    for before, after in zip(pages, pages[1:], strict=False):
        assert after.start_s >= before.end_s - 0.01  # consecutive, never overlapping
    durations = [p.end_s - p.start_s for p in pages]
    assert all(MIN_WINDOW_S <= d <= MAX_WINDOW_S for d in durations[:-1]), durations
    assert durations[-1] <= MAX_WINDOW_S + 30
    # Cut at sentence ends: every window of these well-punctuated subtitles ends one.
    assert all(re.search(r"[.!?]$", p.text) for p in pages), [p.text[-40:] for p in pages]
    assert expected["last_speech_end"] / len(pages) == pytest.approx(63, abs=10)


def test_a_phrase_is_found_in_the_window_of_its_time():
    pages = extract(fixture_path("transcripts/py4e_ch2_part2.srt"), "transcript")
    # cue 221, 00:09:12,583: "Integer division in Python"
    (page,) = [p for p in pages if p.start_s <= 9 * 60 + 12.583 < p.end_s]
    assert "Integer division in Python" in page.text


def test_timestamps():
    assert parse_timestamp("00:00:00,707") == pytest.approx(0.707)
    assert parse_timestamp("01:02:03.5") == pytest.approx(3723.5)
    assert parse_timestamp("02:03.250") == pytest.approx(123.25)
    assert parse_timestamp("100:00:00,000") == 360000
    assert format_timestamp(7.9) == "00:07"
    assert format_timestamp(754) == "12:34"
    assert format_timestamp(3599.99) == "59:59"
    assert format_timestamp(3600) == "1:00:00"
    assert format_timestamp(3723) == "1:02:03"


VTT = (
    "\ufeffWEBVTT - Lecture 4: hash tables\r\n"
    "Kind: captions\r\n"
    "Language: en\r\n"
    "\r\n"
    "STYLE\r\n"
    "::cue { color: yellow }\r\n"
    "\r\n"
    "NOTE This file was exported by a captioning tool.\r\n"
    "It has two lines of notes.\r\n"
    "\r\n"
    "intro\r\n"
    "00:01.000 --> 00:04.000 align:start position:10% line:0\r\n"
    "<v Prof. Ada>A hash table maps keys to values.</v>\r\n"
    "\r\n"
    "00:04.000 --> 00:07.500\r\n"
    "<c.yellow>Collisions</c> are resolved by <i>chaining</i> &amp; probing.\r\n"
    "\r\n"
    "3\r\n"
    "00:07.500 --> 00:09.000\r\n"
    "Lookups take <00:00:08.000><c>constant</c> <00:00:08.500><c>time</c>\r\n"
    "\r\n"
    "00:08.000 --> 00:11.000\r\n"
    "Lookups take constant time\r\n"
    "on average.\r\n"
    "\r\n"
    "00:11.000 --> 00:13.000\r\n"
    "on average.\r\n"
    "Resizing doubles the table.\r\n"
    "\r\n"
    "01:00:02.000 --> 01:00:05.000\r\n"
    "[Applause]\r\n"
)


def test_webvtt_headers_notes_styles_settings_tags_and_rolling_lines():
    cues = collapse_repeats(parse_subtitles(VTT.lstrip("\ufeff").replace("\r\n", "\n")))
    assert [c.text for c in cues] == [
        "A hash table maps keys to values.",
        "Collisions are resolved by chaining & probing.",
        "Lookups take constant time",
        "on average.",
        "Resizing doubles the table.",
    ]
    assert (cues[0].start, cues[0].end) == (1.0, 4.0)


def test_a_webvtt_file_is_detected_and_read_from_disk(tmp_path):
    path = tmp_path / "lecture.vtt"
    path.write_bytes(VTT.encode("utf-8"))
    assert detect_kind(path) == "transcript"
    (page,) = extract(path, "transcript")
    assert page.text == (
        "A hash table maps keys to values. Collisions are resolved by chaining & probing. Lookups take "
        "constant time on average. Resizing doubles the table."
    )
    assert (page.start_s, page.end_s) == (1.0, 13.0)


def test_sloppy_srt_is_read(tmp_path):
    srt = (
        '1\r\n00:00:01,000 --> 00:00:03,000\r\n<i>Welcome</i> to <font color="#ff0">Algorithms</font>.\r\n\r\n'
        "2\r\n00:00:03,000 --> 00:00:05,000\r\n{\\an8}- Today: sorting.\r\n"  # no blank line before the next cue
        "3\r\n00:00:05,000 --> 00:00:07,000\r\nToday: sorting.\r\n\r\n"  # a duplicate cue
        "4\r\n00:00:06,000 --> 00:00:07,000\r\nMerge\r\n\r\n"  # captions growing word by word, overlapping
        "5\r\n00:00:06,500 --> 00:00:08,000\r\nMerge sort\r\n\r\n"
        "6\r\n00:00:07,000 --> 00:00:09,500\r\nMerge sort splits the list in halves.\r\n\r\n"
        "7\r\n00:00:09,500 --> 00:00:11,000\r\nCafé au lait, naïve résumé.\r\n\r\n"
        "8\r\n00:00:11,000 --> 00:00:12,000\r\n\r\n\r\n"  # an empty cue
    )
    path = tmp_path / "latin1.srt"
    path.write_bytes(srt.encode("cp1252"))  # not UTF-8: an old subtitle editor's Windows-1252
    assert detect_kind(path) == "transcript"
    (page,) = extract(path, "transcript")
    assert page.text == (
        "Welcome to Algorithms. Today: sorting. Merge sort splits the list in halves. Café au lait, naïve résumé."
    )
    assert (page.start_s, page.end_s) == (1.0, 11.0)


def test_rolling_captions_that_repeat_the_previous_line_are_collapsed():
    rolling = "WEBVTT\n\n"
    lines = ["so today we look at", "binary search trees", "every node has a key", "smaller keys go left."]
    for i in range(len(lines)):
        shown = lines[max(0, i - 1) : i + 1]  # two lines on screen: the previous one scrolls up
        rolling += f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 2:02d}.000\n" + "\n".join(shown) + "\n\n"
    (page,) = cues_to_pages(parse_subtitles(rolling))
    assert page.text == "so today we look at binary search trees every node has a key smaller keys go left."


def test_words_repeated_by_an_overlapping_cue_are_dropped_but_a_speaker_repeating_herself_is_kept():
    overlapping = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nwe start with arrays and\n\n"
        "00:00:02.500 --> 00:00:05.000\nwith arrays and linked lists.\n"
    )
    assert [c.text for c in collapse_repeats(parse_subtitles(overlapping))] == [
        "we start with arrays and",
        "linked lists.",
    ]
    repeated = (  # py4e part 1, cues 87-88: said twice, one cue after the other
        "87\n00:03:52,319 --> 00:03:54,503\none of things about variables,\nis we get to choose the name;\n\n"
        "88\n00:03:54,503 --> 00:03:57,678\nwe get to choose the name\nx, choose the name y,\n"
    )
    assert [c.text for c in collapse_repeats(parse_subtitles(repeated))] == [
        "one of things about variables, is we get to choose the name;",
        "we get to choose the name x, choose the name y,",
    ]


def test_windows_past_an_hour_and_long_silences():
    segments = [{"start": 10.0 * i, "end": 10.0 * i + 9, "text": f"Sentence number {i}."} for i in range(420)]
    pages = pages_from_segments(segments)  # 70 minutes of speech
    assert len(pages) == pytest.approx(4200 / 70, abs=10)
    assert all(MIN_WINDOW_S <= p.end_s - p.start_s <= MAX_WINDOW_S for p in pages[:-1])
    assert format_timestamp(pages[-1].start_s).count(":") == 2  # "1:09:00"
    # A long pause never makes a window longer than MAX_WINDOW_S of wall-clock time.
    paused = pages_from_segments(
        [{"start": 0.0, "end": 5.0, "text": "Before the break."}, {"start": 600.0, "end": 605.0, "text": "After it."}]
    )
    assert [(p.start_s, p.end_s, p.text) for p in paused] == [
        (0.0, 5.0, "Before the break."),
        (600.0, 605.0, "After it."),
    ]


def test_a_long_sentence_without_punctuation_is_cut_at_a_cue():
    segments = [{"start": 3.0 * i, "end": 3.0 * i + 3, "text": f"and then word{i}"} for i in range(100)]
    pages = pages_from_segments(segments)
    assert all(p.end_s - p.start_s <= MAX_WINDOW_S for p in pages)
    assert " ".join(p.text for p in pages) == " ".join(s["text"] for s in segments)


def test_transcription_segments_as_objects():
    class Segment:
        def __init__(self, start, end, text):
            self.start, self.end, self.text = start, end, text

    pages = pages_from_segments([Segment(0.0, 2.0, " Hello."), Segment(2.0, 3.0, " (music) "), Segment(3, 4, "Bye.")])
    assert [(p.text, p.start_s, p.end_s) for p in pages] == [("Hello. Bye.", 0.0, 4.0)]


@pytest.mark.parametrize(
    "content",
    [
        b"WEBVTT\n\nThis has no timing lines at all.\n",
        b"WEBVTT\n\n00:01.000 --> 00:02.000\n\n",  # a cue without text
        b"1\n00:00:01,000 --> 00:00:02,000\n(music)\n",  # nothing spoken
    ],
)
def test_a_subtitle_file_without_readable_cues_is_corrupt(tmp_path, content):
    path = tmp_path / "broken.vtt"
    path.write_bytes(content)
    assert detect_kind(path) == "transcript"
    with pytest.raises(IngestError) as info:
        extract(path, "transcript")
    assert info.value.code == "corrupt" and "00:01:02,000 --> 00:01:05,000" in info.value.message


def test_text_that_merely_mentions_a_timing_is_not_a_transcript(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("My notes\n\nThe SRT format writes 00:00:01,000 --> 00:00:02,000 before each caption.\n")
    assert detect_kind(path) == "text"


def test_recordings_are_recognised_by_their_magic_bytes(tmp_path):
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required (scripts/setup.sh --test installs it)"
    wav = tmp_path / "speech.wav"
    subprocess.run([espeak, "-w", str(wav), "A short test recording."], check=True, capture_output=True)
    assert detect_kind(wav) == "audio"
    mp3_frame = bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(400)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    assert looks_like_audio(mp3_frame)
    assert looks_like_audio(b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3_frame)
    assert looks_like_audio(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00")
    assert looks_like_audio(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00")
    assert not looks_like_audio(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00")  # a HEIF photo
    assert not looks_like_audio(bytes([0xFF, 0xFF, 0xFF, 0xFF]) + bytes(100))  # reserved bits: not a frame
    assert not looks_like_audio(b"RIFF\x00\x00\x00\x00AVI LIST")  # a RIFF video is not a WAV
    assert not looks_like_audio(b"ID3")  # truncated tag


def test_an_audio_file_is_never_decoded_by_the_pipeline(tmp_path):
    path = tmp_path / "a.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
    with pytest.raises(IngestError) as info:
        extract(path, "audio")
    assert info.value.code == "unsupported"
