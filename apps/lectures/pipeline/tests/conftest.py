import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", REPO.parent / "shared" / "fixtures"))


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared test documents not found at {FIXTURES} (set SMARTNOTES_FIXTURES)")
    return FIXTURES


def fixture_path(rel: str) -> Path:
    path = FIXTURES / rel
    if not path.exists():
        pytest.skip(f"fixture {rel} not found under {FIXTURES} (set SMARTNOTES_FIXTURES)")
    return path
