import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", REPO.parent / "shared" / "fixtures"))


def _missing(message: str):
    # The suite needs ../shared (README): a missing document fails, never skips.
    pytest.fail(message + " — the suite needs ../shared beside the project")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        _missing(f"shared test documents not found at {FIXTURES} (set SMARTNOTES_FIXTURES)")
    return FIXTURES


def fixture_path(rel: str) -> Path:
    path = FIXTURES / rel
    if not path.exists():
        _missing(f"fixture {rel} not found under {FIXTURES} (set SMARTNOTES_FIXTURES)")
    return path
