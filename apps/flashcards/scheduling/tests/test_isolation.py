import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_importing_the_package_pulls_no_django():
    code = "import apps.flashcards.scheduling, sys; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_importing_the_package_pulls_no_torch():
    code = "import apps.flashcards.scheduling, sys; assert 'torch' not in sys.modules, 'optimizer imported eagerly'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
