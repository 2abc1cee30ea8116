import os
from pathlib import Path

import pytest

from smartnotes.generation.types import FigureRef, Material, Passage

FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", Path(__file__).resolve().parents[3] / "shared" / "fixtures"))
PY4E = FIXTURES / "lectures" / "py4e_Pythonlearn-02-Expressions.pdf"
LECTURE = "Variables, Expressions, and Statements"


def material_from_pdf(path: Path, figure_dir: Path, title: str, lecture_id: int = 7) -> Material:
    """A real deck read by the ingestion pipeline, as the app builds its Material (apps/documents/material.py)."""
    from apps.lectures.pipeline import clean_pages, extract

    passages, figures, texts = [], [], {}
    for page in clean_pages(extract(str(path), "pdf")):
        for block in page.blocks:
            if block.text.strip():
                passages.append(Passage(page.number, block.text, block.kind, lecture_id, title))
        texts[page.number] = page.text
        for figure in page.figures:
            image = figure_dir / f"p{page.number}-{figure.index}.png"
            image.write_bytes(figure.png)
            figures.append(FigureRef(page.number, str(image), figure.width, figure.height))
    return Material(title, passages, figures, texts)


@pytest.fixture(scope="module")
def py4e(tmp_path_factory) -> Material:
    if not PY4E.is_file():
        message = f"the shared fixture {PY4E} is absent"
        pytest.fail(message + " — the suite needs ../shared beside the project")
    material = material_from_pdf(PY4E, tmp_path_factory.mktemp("figures"), LECTURE)
    assert len(material.page_texts) == 35
    return material
