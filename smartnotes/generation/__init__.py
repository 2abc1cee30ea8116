"""Generation of study documents from a student's material (no Django): cheat sheets, quizzes, past-paper
answers. With a model configured it calls ``smartnotes.ai.complete_json`` and validates every reply against a
pydantic schema (one repair round, then a regeneration, then a clear failure); offline it uses extractive
methods. The data it takes and returns is in ``types.py``.
"""
