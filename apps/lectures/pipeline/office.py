"""PPTX (python-pptx) and DOCX (python-docx) extraction. No rendering here: thumbnails are None."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile

from PIL import Image

from .errors import IngestError
from .figures import FigureCollector, is_worth_keeping
from .models import Block, Limits, Page
from .scheduler import Deadline, ProgressReporter

log = logging.getLogger(__name__)

MAX_ZIP_ENTRIES = 20_000
MAX_ZIP_RATIO = 200  # uncompressed/compressed for a single large member: zip bomb


# ------------------------------------------------------------------------------------------- safety
def check_zip(path, limits: Limits) -> None:
    """Refuse zip bombs before python-pptx/python-docx load every part into memory."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise IngestError("corrupt", "This Office file is damaged (its ZIP container cannot be read).") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise IngestError("corrupt", "This Office file contains an implausible number of parts.")
    total = sum(i.file_size for i in infos)
    budget = limits.memory_mb * 1024 * 1024 // 4
    if total > budget:
        raise IngestError(
            "too_much_memory", f"This file unpacks to {total // (1024 * 1024)} MB, more than can be processed safely."
        )
    for info in infos:
        if info.file_size > 50 * 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(1, info.compress_size):
            raise IngestError(
                "too_much_memory", "This file contains a part that unpacks to an implausible size (a zip bomb)."
            )


def _picture_to_collector(
    figures: FigureCollector, page: int, blob: bytes, limits: Limits, cache: dict[str, tuple[bytes, int, int] | None]
) -> None:
    digest = hashlib.blake2b(blob, digest_size=16).hexdigest()
    if digest not in cache:
        cache[digest] = None
        try:
            with Image.open(io.BytesIO(blob)) as im:
                w, h = im.size  # header only; decide before decoding
                if w * h <= limits.max_page_pixels and is_worth_keeping(w, h):
                    if im.format == "PNG":
                        cache[digest] = (blob, w, h)
                    else:
                        im.load()
                        frame = im.convert("RGBA" if "A" in im.getbands() else "RGB")
                        buf = io.BytesIO()
                        frame.save(buf, format="PNG")
                        cache[digest] = (buf.getvalue(), w, h)
        except Exception:  # noqa: BLE001 - EMF/WMF/SVG/broken images are not figures we can show
            cache[digest] = None
    entry = cache[digest]
    if entry is not None:
        figures.add_png(page, entry[0], digest, entry[1], entry[2])


# --------------------------------------------------------------------------------------------- PPTX
_TYPED_BULLET = re.compile(r"^(?:[-–•*▪◦]\s+|\d{1,2}[.)]\s+)\S")


def _pptx_para_is_bullet(paragraph, in_body_placeholder: bool) -> bool:
    ppr = paragraph._p.pPr
    if ppr is not None:
        tags = {child.tag.rsplit("}", 1)[-1] for child in ppr}
        if "buNone" in tags:
            return False
        if "buChar" in tags or "buAutoNum" in tags or "buBlip" in tags:
            return True
    return in_body_placeholder or paragraph.level > 0


def _pptx_text_blocks(shape, is_title: bool, in_body: bool) -> list[Block]:
    blocks: list[Block] = []
    kind = None
    buf: list[str] = []

    def flush():
        nonlocal buf, kind
        if buf:
            blocks.append(Block("\n".join(buf), kind))
        buf, kind = [], None

    for para in shape.text_frame.paragraphs:
        text = para.text.replace("\x0b", "\n").replace("\v", "\n").strip()
        if not text:
            flush()
            continue
        if is_title:
            k, line = "heading", text
        elif _TYPED_BULLET.match(text):
            k, line = "list", "  " * para.level + text
        elif _pptx_para_is_bullet(para, in_body):
            k, line = "list", "  " * para.level + "• " + text
        else:
            k, line = "text", text
        if k != kind:
            flush()
            kind = k
        buf.append(line)
    flush()
    if is_title and blocks:
        blocks = [Block(" ".join(b.text.replace("\n", " ") for b in blocks), "heading")]
    return blocks


def _shape_sort_key(shape):
    top = shape.top if shape.top is not None else 0
    left = shape.left if shape.left is not None else 0
    return (int(top), int(left))


def _pptx_shapes(shapes, out_blocks: list[Block], pictures: list[bytes]) -> None:
    from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

    title_types = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE}
    body_types = {
        PP_PLACEHOLDER.BODY,
        PP_PLACEHOLDER.OBJECT,
        PP_PLACEHOLDER.VERTICAL_BODY,
        PP_PLACEHOLDER.VERTICAL_OBJECT,
    }
    skip_types = {PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.HEADER}
    try:
        ordered = sorted(shapes, key=_shape_sort_key)
    except Exception:  # noqa: BLE001 - broken geometry: keep document order
        ordered = list(shapes)
    for shape in ordered:
        try:
            stype = shape.shape_type
        except Exception:  # noqa: BLE001 - unknown/broken shape element
            stype = None
        try:
            if stype == MSO_SHAPE_TYPE.GROUP:
                _pptx_shapes(shape.shapes, out_blocks, pictures)
                continue
            is_title = in_body = False
            if shape.is_placeholder:
                try:
                    ph_type = shape.placeholder_format.type
                except Exception:  # noqa: BLE001
                    ph_type = None
                if ph_type in skip_types:
                    continue  # slide number / footer / date: page furniture, not content
                is_title = ph_type in title_types
                in_body = ph_type in body_types
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = []
                for row in shape.table.rows:
                    cells = [c.text.replace("\n", " ").strip() for c in row.cells]
                    if any(cells):
                        rows.append(" | ".join(cells))
                if rows:
                    out_blocks.append(Block("\n".join(rows), "table"))
                continue
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                if chart.has_title and chart.chart_title.has_text_frame:
                    title = chart.chart_title.text_frame.text.strip()
                    if title:
                        out_blocks.append(Block(f"Chart: {title}", "text"))
                continue
            if shape.has_text_frame:
                out_blocks.extend(_pptx_text_blocks(shape, is_title, in_body))
            image = None
            if stype == MSO_SHAPE_TYPE.PICTURE or (shape.is_placeholder and hasattr(shape, "image")):
                image = shape.image
            if image is not None:
                pictures.append(image.blob)
        except (KeyError, AttributeError, ValueError, IndexError, NotImplementedError):
            continue  # missing relationship / unsupported element: keep what we can read


def extract_pptx(path, *, limits: Limits, reporter_cb=None, deadline: Deadline | None = None) -> list[Page]:
    from pptx import Presentation

    deadline = deadline or Deadline(limits.total_timeout_s)
    check_zip(path, limits)
    try:
        prs = Presentation(str(path))
        slides = list(prs.slides)
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, AttributeError, TypeError) as exc:
        raise IngestError("corrupt", "This PowerPoint file is damaged and could not be opened.") from exc
    except Exception as exc:  # lxml XMLSyntaxError and friends
        if type(exc).__name__ in ("XMLSyntaxError", "PackageNotFoundError", "InvalidXmlError"):
            raise IngestError("corrupt", "This PowerPoint file is damaged and could not be opened.") from exc
        raise
    n = len(slides)
    if n == 0:
        raise IngestError("no_text", "This presentation has no slides.")
    if n > limits.max_pages:
        raise IngestError("too_many_pages", f"This presentation has {n} slides; the limit is {limits.max_pages}.")
    reporter = ProgressReporter(n, reporter_cb)
    figures = FigureCollector()
    cache: dict = {}
    pages: list[Page] = []
    for i, slide in enumerate(slides, start=1):
        deadline.check()
        blocks: list[Block] = []
        pictures: list[bytes] = []
        try:
            _pptx_shapes(slide.shapes, blocks, pictures)
        except Exception:  # noqa: BLE001 - a broken slide must not lose the others
            log.warning("slide %d could not be read completely", i, exc_info=True)
        notes = ""
        try:
            if slide.has_notes_slide:
                frame = slide.notes_slide.notes_text_frame
                notes = frame.text.strip() if frame is not None else ""
        except Exception:  # noqa: BLE001
            notes = ""
        for blob in pictures:
            _picture_to_collector(figures, i, blob, limits, cache)
        pages.append(Page(number=i, blocks=blocks, method="native", notes=notes))
        reporter.step(f"Reading slide {i} of {n}", finished_page=True)
    reporter.step("Extracting figures")
    figures.assign(pages)
    return pages


# --------------------------------------------------------------------------------------------- DOCX
def _docx_tags():
    from docx.oxml.ns import qn

    return {
        "p": qn("w:p"),
        "tbl": qn("w:tbl"),
        "t": qn("w:t"),
        "tab": qn("w:tab"),
        "br": qn("w:br"),
        "cr": qn("w:cr"),
        "lrpb": qn("w:lastRenderedPageBreak"),
        "type": qn("w:type"),
        "blip": qn("a:blip"),
        "embed": qn("r:embed"),
        "pPr": qn("w:pPr"),
        "numPr": qn("w:numPr"),
        "pageBreakBefore": qn("w:pageBreakBefore"),
        "pStyle": qn("w:pStyle"),
        "val": qn("w:val"),
        "outlineLvl": qn("w:outlineLvl"),
        "tr": qn("w:tr"),
        "tc": qn("w:tc"),
        "sdt": qn("w:sdt"),
        "sdtContent": qn("w:sdtContent"),
        "vMerge": qn("w:vMerge"),
        "tcPr": qn("w:tcPr"),
    }


_SKIP_SUBTREES = (
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",  # duplicate of mc:Choice
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}del",  # tracked deletion
)


def _iter_content(element):
    """Depth-first document-order iteration that skips duplicate/deleted content."""
    stack = [iter([element])]
    while stack:
        for el in stack[-1]:
            if el.tag in _SKIP_SUBTREES:
                continue
            yield el
            stack.append(iter(el))
            break
        else:
            stack.pop()


def extract_docx(path, *, limits: Limits, reporter_cb=None, deadline: Deadline | None = None) -> list[Page]:
    import docx

    deadline = deadline or Deadline(limits.total_timeout_s)
    check_zip(path, limits)
    try:
        document = docx.Document(str(path))
        body = document.element.body
    except Exception as exc:  # noqa: BLE001 - any failure to open is a damaged/unsupported file
        raise IngestError("corrupt", "This Word file is damaged and could not be opened.") from exc
    T = _docx_tags()
    style_names: dict[str, str] = {}
    try:
        for style in document.styles:
            if style.style_id:
                style_names[style.style_id] = (style.name or "").lower()
    except Exception:  # noqa: BLE001 - styles are only used to recognise headings/lists
        log.info("docx styles unreadable", exc_info=True)
    related = document.part.related_parts

    reporter = ProgressReporter(0, reporter_cb)
    figures = FigureCollector()
    cache: dict = {}
    pages: list[Page] = [Page(number=1, method="native")]
    page_has_content = [False]
    pending_pics: list[tuple[int, bytes]] = []

    def new_page():
        if page_has_content[0]:
            pages.append(Page(number=len(pages) + 1, method="native"))
            page_has_content[0] = False

    def add_block(text: str, kind: str):
        text = text.strip()
        if text:
            pages[-1].blocks.append(Block(text, kind))
            page_has_content[0] = True

    def para_kind(p) -> str:
        ppr = p.find(T["pPr"])
        style = ""
        if ppr is not None:
            ps = ppr.find(T["pStyle"])
            if ps is not None:
                sid = ps.get(T["val"]) or ""
                style = style_names.get(sid, sid.lower())
            outline = ppr.find(T["outlineLvl"])
            level = (outline.get(T["val"]) or "9") if outline is not None else "9"
            if level.isdigit() and int(level) < 9:
                return "heading"
        if style.startswith("heading") or style in ("title", "subtitle") or style.startswith("titre"):
            return "heading"
        if (ppr is not None and ppr.find(T["numPr"]) is not None) or "list" in style:
            return "list"
        return "text"

    def walk_paragraph(p):
        kind = para_kind(p)
        ppr = p.find(T["pPr"])
        if ppr is not None and ppr.find(T["pageBreakBefore"]) is not None:
            new_page()
        parts: list[str] = []
        for el in _iter_content(p):
            tag = el.tag
            if tag == T["t"]:
                parts.append(el.text or "")
            elif tag == T["tab"]:
                parts.append("\t")
            elif tag == T["cr"]:
                parts.append("\n")
            elif tag == T["br"]:
                if el.get(T["type"]) == "page":
                    add_block("".join(parts), kind)
                    parts = []
                    new_page()
                else:
                    parts.append("\n")
            elif tag == T["lrpb"]:
                add_block("".join(parts), kind)
                parts = []
                new_page()
            elif tag == T["blip"]:
                rid = el.get(T["embed"])
                part = related.get(rid) if rid else None
                blob = getattr(part, "blob", None)
                if blob:
                    pending_pics.append((len(pages), blob))
                    page_has_content[0] = True
        text = "".join(parts)
        if kind == "list" and text.strip():
            text = "• " + text.strip()
        add_block(text, kind)

    def walk_table(tbl):
        rows = []
        for tr in tbl.iter(T["tr"]):
            if tr.getparent() is not None and tr.getparent() is not tbl and tr.getparent().tag != T["sdtContent"]:
                continue  # nested table rows are read through their cell text
            cells = []
            for tc in tr.findall(T["tc"]):
                text = " ".join("".join(t.text or "" for t in p.iter(T["t"])) for p in tc.iter(T["p"])).strip()
                cells.append(text)
            if any(cells):
                rows.append(" | ".join(cells))
        if rows:
            add_block("\n".join(rows), "table")

    def walk(container):
        for child in container:
            deadline.check()
            if child.tag == T["p"]:
                walk_paragraph(child)
            elif child.tag == T["tbl"]:
                walk_table(child)
            elif child.tag == T["sdt"]:
                content = child.find(T["sdtContent"])
                if content is not None:
                    walk(content)

    walk(body)
    # merge list paragraphs that follow each other into one list block
    for page in pages:
        merged: list[Block] = []
        for block in page.blocks:
            if merged and block.kind == "list" and merged[-1].kind == "list":
                merged[-1] = Block(merged[-1].text + "\n" + block.text, "list")
            else:
                merged.append(block)
        page.blocks = merged
    if len(pages) > 1 and not pages[-1].blocks and not any(p for p, _ in pending_pics if p == len(pages)):
        pages.pop()
    if len(pages) > limits.max_pages:
        raise IngestError("too_many_pages", f"This document has {len(pages)} pages; the limit is {limits.max_pages}.")
    for page_no, blob in pending_pics:
        _picture_to_collector(figures, page_no, blob, limits, cache)
    reporter.total = len(pages)
    reporter.done = len(pages) - 1
    reporter.step("Reading document", finished_page=True)
    figures.assign(pages)
    return pages
