"""OCR of one page image with Tesseract: deskew, automatic rotation, text + confidence, layout blocks.

Design notes
- Tesseract runs as a CLI subprocess (pytesseract). Parallelism across pages comes from running several of
  those subprocesses from a thread pool (see ``ocr_many``); ``OMP_THREAD_LIMIT=1`` keeps each of them on one
  core so ``ocr_processes`` really means "cores used".
- Rotation: Tesseract's own orientation detection (OSD) is used inside the recognition pass
  (``--psm 1`` = automatic page segmentation *with* OSD). This is the same OSD model as
  ``image_to_osd`` but costs one Tesseract process per page instead of two, and when OSD is unsure (sparse
  pages) Tesseract simply keeps the page upright instead of failing. ``detect_orientation`` (a guarded
  ``image_to_osd`` call) is kept for callers that want the angle explicitly.
- Deskew: a projection-profile search over +/-15 degrees on a downscaled binarised copy, scoring both
  horizontal and vertical text lines so that pages rotated by 90/270 degrees are deskewed too.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

# Must be set before any Tesseract process starts; pytesseract passes os.environ to the subprocess.
os.environ["OMP_THREAD_LIMIT"] = "1"

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from .errors import IngestError  # noqa: E402
from .models import Block  # noqa: E402

cv2.setNumThreads(1)

LANG = os.environ.get("SMARTNOTES_OCR_LANG", "eng")
LOW_CONFIDENCE = 60.0
BULLETS = set("•●▪◦‣∙·*-–—►▸➢✓")
# how Tesseract often reads round bullets; only trusted at the start of a line of 3+ words
BULLET_LOOKALIKES = {"¢", "©", "®", "«", "e", "o", "°", "»"}
_NUMBERED = re.compile(r"^\(?\d{1,3}[.)]$|^[a-z][.)]$")


@dataclass
class OcrResult:
    blocks: list[Block] = field(default_factory=list)
    confidence: float | None = None
    words: int = 0
    skew_angle: float = 0.0
    # (left, top, width, height) of large regions without text, in the OCRed (deskewed) image
    picture_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------- deskew
def _ink_points(gray: np.ndarray, max_side: int = 1200) -> np.ndarray | None:
    h, w = gray.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small = (
        cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
        if scale < 1
        else gray
    )
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = binary > 0
    frac = ink.mean()
    if frac < 0.002 or frac > 0.5:
        return None
    # remove big blobs (pictures, thick rules) that do not follow text lines
    ys, xs = np.nonzero(ink)
    pts = np.column_stack([xs, ys]).astype(np.float32)
    if len(pts) > 150_000:
        idx = np.random.default_rng(0).choice(len(pts), 150_000, replace=False)
        pts = pts[idx]
    return pts


def _profile_score(pts: np.ndarray, angle_deg: float) -> float:
    t = np.deg2rad(angle_deg)
    c, s = np.cos(t), np.sin(t)
    best = 0.0
    # horizontal text lines: project on the rotated y axis; vertical ones: on the rotated x axis
    for proj in (pts[:, 1] * c - pts[:, 0] * s, pts[:, 0] * c + pts[:, 1] * s):
        proj = proj - proj.min()
        hist = np.bincount(proj.astype(np.int64))
        best = max(best, float(np.dot(hist, hist)))
    return best


def estimate_skew(gray: np.ndarray, max_angle: float = 15.0) -> float:
    """Angle in degrees (counter-clockwise positive) to rotate ``gray`` by so text lines are level."""
    pts = _ink_points(gray)
    if pts is None or len(pts) < 500:
        return 0.0
    coarse = np.arange(-max_angle, max_angle + 0.01, 1.0)
    scores = [_profile_score(pts, a) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 1.0, best + 1.001, 0.1)
    fscores = [_profile_score(pts, a) for a in fine]
    angle = float(fine[int(np.argmax(fscores))])
    # require a real improvement over "no rotation" to avoid rotating noise
    if _profile_score(pts, angle) < _profile_score(pts, 0.0) * 1.02:
        return 0.0
    return round(angle, 2)


def rotate_gray(gray: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate counter-clockwise by ``angle_deg``, expanding the canvas, white background."""
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)


# ---------------------------------------------------------------------------------------- orientation
def detect_orientation(image: Image.Image, timeout_s: float = 30) -> int:
    """Degrees (0/90/180/270) to rotate counter-clockwise, via Tesseract OSD. 0 when OSD is unsure."""
    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", timeout=max(1, int(timeout_s)))
    except (pytesseract.TesseractError, RuntimeError):
        return 0
    rot = re.search(r"Rotate:\s*(\d+)", osd)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", osd)
    if not rot or not conf or float(conf.group(1)) < 2.0:
        return 0
    return (360 - int(rot.group(1))) % 360


# ----------------------------------------------------------------------------------------- recognition
def _run_tesseract_data(gray: np.ndarray, dpi: int | None, timeout_s: float, psm: int = 1) -> dict:
    config = f"--psm {psm}"
    if dpi:
        config += f" --dpi {int(dpi)}"
    fd, path = tempfile.mkstemp(prefix="smartnotes_ocr_", suffix=".pgm")
    os.close(fd)
    try:
        cv2.imwrite(path, gray)
        return pytesseract.image_to_data(
            path,
            lang=LANG,
            config=config,
            output_type=pytesseract.Output.DICT,
            timeout=max(1, int(timeout_s)),
        )
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def _normalise_bullet(line: str) -> str:
    head, _, rest = line.partition(" ")
    if rest and (head in BULLET_LOOKALIKES or (len(head) == 1 and head in BULLETS)):
        return "• " + rest
    return line


def data_to_blocks(d: dict) -> tuple[list[Block], float | None, int]:
    """Rebuild paragraphs/lines in Tesseract's reading order; classify headings and list items."""
    n = len(d["text"])
    paragraphs: dict[tuple[int, int], dict[int, list[int]]] = {}
    line_heights: dict[tuple[int, int, int], int] = {}
    confs: list[float] = []
    for i in range(n):
        key = (d["block_num"][i], d["par_num"][i])
        if d["level"][i] == 4:
            line_heights[(key[0], key[1], d["line_num"][i])] = d["height"][i]
        word = (d["text"][i] or "").strip()
        if d["level"][i] != 5 or not word:
            continue
        conf = float(d["conf"][i])
        if conf >= 0:
            confs.append(conf)
        paragraphs.setdefault(key, {}).setdefault(d["line_num"][i], []).append(i)

    heights = [h for h in line_heights.values() if h > 0]
    median_h = statistics.median(heights) if heights else 0
    blocks: list[Block] = []
    for key, lines in paragraphs.items():
        texts = [" ".join(d["text"][i].strip() for i in idxs) for idxs in lines.values()]
        if not any(t.strip() for t in texts):
            continue
        words = sum(len(idxs) for idxs in lines.values())
        hs = [line_heights.get((key[0], key[1], ln), 0) for ln in lines]
        mean_h = sum(hs) / len(hs) if hs else 0
        first_line = next(iter(lines.values()))
        first = d["text"][first_line[0]].strip()
        if median_h and len(lines) <= 2 and words <= 14 and mean_h >= 1.4 * median_h:
            kind = "heading"
        elif (
            first in BULLETS
            or _NUMBERED.match(first)
            or first[:1] in "•●▪◦‣►▸➢"
            or (first in BULLET_LOOKALIKES and len(first_line) >= 3)
        ):
            kind = "list"
        else:
            kind = "text"
        if kind == "list":
            texts = [_normalise_bullet(t) for t in texts]
        if kind == "list" and blocks and blocks[-1].kind == "list":
            blocks[-1] = Block(blocks[-1].text + "\n" + "\n".join(texts), "list")
        else:
            blocks.append(Block("\n".join(texts), kind))
    confidence = round(sum(confs) / len(confs), 2) if confs else None
    return blocks, confidence, len(confs)


def _picture_boxes(d: dict, shape: tuple[int, int], min_frac: float = 0.02) -> list[tuple[int, int, int, int]]:
    """Tesseract blocks without any recognised word that cover a large share of the page (pictures)."""
    h, w = shape
    has_text: set[int] = set()
    for i, word in enumerate(d["text"]):
        if d["level"][i] == 5 and (word or "").strip() and float(d["conf"][i]) > 30:
            has_text.add(d["block_num"][i])
    boxes = []
    for i in range(len(d["text"])):
        if d["level"][i] != 2 or d["block_num"][i] in has_text:
            continue
        bw, bh = d["width"][i], d["height"][i]
        if bw * bh >= min_frac * w * h and bw >= 64 and bh >= 64 and bw < 0.98 * w:
            boxes.append((d["left"][i], d["top"][i], bw, bh))
    return boxes


def ocr_image(
    image: Image.Image | np.ndarray,
    *,
    dpi: int | None = None,
    timeout_s: float = 60,
    deskew: bool = True,
    find_pictures: bool = True,
) -> tuple[OcrResult, np.ndarray]:
    """OCR one page. Returns the result and the (deskewed) grayscale array that was recognised."""
    if isinstance(image, Image.Image):
        if image.mode != "L":
            image = image.convert("L")
        gray = np.asarray(image)
    else:
        gray = image
    deadline = time.monotonic() + timeout_s
    angle = estimate_skew(gray) if deskew else 0.0
    if abs(angle) >= 0.3:
        gray = rotate_gray(gray, angle)
    data = _recognise(gray, dpi, deadline)
    if data is None:
        return OcrResult(skew_angle=angle), gray
    blocks, conf, nwords = data_to_blocks(data)
    if conf is not None and conf < LOW_CONFIDENCE and nwords >= 10 and deadline - time.monotonic() > 5:
        # Poor result: maybe an orientation the in-pass OSD was not sure enough about. Ask OSD explicitly
        # (with a lower confidence bar) and keep the rotated reading only if it is clearly better.
        quarter = detect_orientation(Image.fromarray(gray), timeout_s=min(30, deadline - time.monotonic()))
        if quarter:
            rotated = np.ascontiguousarray(np.rot90(gray, quarter // 90))
            data2 = _recognise(rotated, dpi, deadline)
            if data2 is not None:
                blocks2, conf2, nwords2 = data_to_blocks(data2)
                if conf2 is not None and conf2 > conf + 10:
                    gray, data, blocks, conf, nwords = rotated, data2, blocks2, conf2, nwords2
    boxes = _picture_boxes(data, gray.shape) if find_pictures else []
    return OcrResult(blocks=blocks, confidence=conf, words=nwords, skew_angle=angle, picture_boxes=boxes), gray


def _recognise(gray: np.ndarray, dpi: int | None, deadline: float) -> dict | None:
    """image_to_data within the page deadline; None when Tesseract finds nothing it can process."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise IngestError("timeout", "Reading one page took too long and was stopped.")
    try:
        return _run_tesseract_data(gray, dpi, remaining)
    except RuntimeError as exc:  # pytesseract: 'Tesseract process timeout'
        if "timeout" in str(exc).lower():
            raise IngestError("timeout", "Reading one page took too long and was stopped.") from exc
        raise
    except pytesseract.TesseractError as exc:
        if exc.status in (-9, -6, -11):  # killed (memory limit) / abort / segfault
            raise IngestError("too_much_memory", "Text recognition ran out of memory on one page.") from exc
        return None  # e.g. an empty page: no text on this page


def make_ocr_pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, int(workers)), thread_name_prefix="smartnotes-ocr")
