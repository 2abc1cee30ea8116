"""Document builders: plain data from smartnotes.generation.types in, a DOCX or PDF file out (no Django)."""

from .cheat_sheet import build_cheat_sheet_docx
from .past_paper import build_past_paper_docx, build_past_paper_pdf
from .quiz_pdf import build_quiz_pdf

__all__ = ["build_cheat_sheet_docx", "build_past_paper_docx", "build_past_paper_pdf", "build_quiz_pdf"]
