"""The README's Python client example, taken from between its markers and run as a script, unchanged, against
the real server and a worker with a real lecture deck (offline: no model endpoint), then checked to have done
what it says: the lecture read, a question answered with pages, a quiz scored, cards graded."""

import os
import subprocess
import sys

import pytest

from apps.chat.models import Message
from apps.documents.models import QuizAttempt
from apps.flashcards.models import ReviewLog
from apps.lectures.models import Lecture
from tests.processes import ROOT, running_server, running_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
START, END = "<!-- client-example:start -->", "<!-- client-example:end -->"
DECK = "lectures/py4e_Pythonlearn-02-Expressions.pdf"
OFFLINE = {"OPENAI_BASE_URL": "", "CHAT_MODEL": "", "EMBEDDING_BACKEND": "local"}


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1, "README.md: one client example between the markers"
    block = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert block.startswith("```python\n") and block.endswith("\n```"), "the markers hold one ```python block"
    return block.removeprefix("```python\n").removesuffix("```")


def test_the_readme_python_client_example_runs_and_does_what_it_says(user, password, fixtures_dir, tmp_path):
    script = tmp_path / "client.py"
    script.write_text(readme_example(), encoding="utf-8")
    env = {
        **os.environ,
        "SMARTNOTES_LOGIN": user.username,
        "SMARTNOTES_PASSWORD": password,
        "LECTURE_FILE": str(fixtures_dir / DECK),
    }
    logs = tmp_path / "server.log", tmp_path / "worker.log"
    with running_server(logs[0], **OFFLINE) as base, running_worker(logs[1], **OFFLINE):
        result = subprocess.run(
            [sys.executable, str(script)],
            env={**env, "SMARTNOTES_URL": base},
            capture_output=True,
            text=True,
            timeout=900,
        )
    report = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, report + "\n".join(path.read_text()[-3000:] for path in logs)

    lecture = Lecture.objects.get(owner=user)
    assert lecture.status == "completed" and lecture.page_count == 35
    answer = Message.objects.filter(conversation__owner=user, role="assistant").get()
    assert answer.citations and all(c["lecture_id"] == lecture.pk for c in answer.citations)
    assert "| pages: [" in result.stdout and "| pages: []" not in result.stdout
    attempt = QuizAttempt.objects.get(owner=user)
    assert attempt.total == 10 and f"quiz: {attempt.score:.0f} %" in result.stdout
    graded = ReviewLog.objects.filter(owner=user)
    assert graded.count() == 5 and {r.rating for r in graded} == {3}
    assert result.stdout.count("graded:") == 5
