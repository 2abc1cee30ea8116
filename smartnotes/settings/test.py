"""Test settings: same real PostgreSQL + pgvector, faster hashing, throwaway media, locmem email."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Server processes started by tests inherit this: a test that needs the model at start-up sets it to 1.
os.environ.setdefault("EMBEDDINGS_WARM_UP", "0")

from .base import *  # noqa: E402,F403
from .base import CHANNEL_LAYERS, DATABASES, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Shared with worker subprocesses started by tests through the inherited environment.
if not os.environ.get("MEDIA_ROOT"):
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="smartnotes-media-")
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])  # noqa: F405
# Metrics in multiprocess mode, as scripts/run.sh runs them: worker subprocesses write beside this process.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="smartnotes-metrics-")
    atexit.register(shutil.rmtree, os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)

# pytest-django runs against test_<NAME>; the channel layer must follow it, except when a subprocess was
# handed the test database directly through DATABASE_URL.
TEST_DB_NAME = DATABASES["default"].get("TEST", {}).get("NAME") or (
    DATABASES["default"]["NAME"]
    if DATABASES["default"]["NAME"].startswith("test_")
    else "test_" + DATABASES["default"]["NAME"]
)
if not REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["NAME"] = TEST_DB_NAME
