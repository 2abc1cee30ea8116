"""Share codes: 256 random bits, URL-safe; only their SHA-256 is ever stored or looked up."""

import hashlib
import re
import secrets

CODE_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
_PLAUSIBLE = re.compile(r"[A-Za-z0-9_-]{40,64}")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def plausible(code: str) -> bool:
    """A cheap shape check before touching the database (anything else is simply not a link)."""
    return bool(_PLAUSIBLE.fullmatch(code or ""))
