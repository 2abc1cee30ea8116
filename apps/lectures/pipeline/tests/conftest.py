import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", REPO.parent / "shared" / "fixtures"))


def _missing(message: str):
    # Outside CI a checkout without ../shared skips these tests; in CI the documents must be there.
    if os.environ.get("CI"):
        pytest.fail(message + " — CI must have the shared fixtures")
    pytest.skip(message)


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
