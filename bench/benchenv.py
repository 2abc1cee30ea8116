"""What every benchmark sets before Django loads: the repository importable, settings offline and quiet.

Import it first (``import benchenv``; a script run as ``python bench/x.py`` has bench/ on its path already).
Each benchmark then sets what is its own (its database name, DEBUG, MEDIA_ROOT) before importing Django.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", ROOT.parent / "shared" / "fixtures"))

for _path in (str(ROOT), str(ROOT / "bench")):
    if _path not in sys.path:
        sys.path.insert(0, _path)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnotes.settings.base")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# Questions a student asks of the py4e Expressions deck (bench/chat.py, bench/soak.py).
PY4E_QUESTIONS = [
    "What is operator precedence",
    "What does floor division do",
    "How do I convert a string to an integer",
    "What are the rules for variable names",
    "How do I read input from the user",
    "What happens when you add an int and a float",
    "How do comments work in Python",
    "What does the type function return",
    "What is an assignment statement",
    "What are reserved words",
]
