"""Typed access to environment variables.

Every setting the app reads from the environment goes through these helpers so that a bad value stops
start-up with a message naming the variable, instead of surfacing later as an odd bug. Secrets may be given
as `NAME_FILE` pointing at a file (Docker/Kubernetes secrets).
"""

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ImproperEnv(ValueError):
    pass


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    file_path = (environ.get(f"{name}_FILE") or "").strip()
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperEnv(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return environ.get(name)


def env_secret(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE (which wins); None when neither."""
    value = _raw(name, environ)
    return value.strip() if value is not None else None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperEnv(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperEnv(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperEnv(f"{name}={number} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperEnv(f"{name}={number} must be at most {maximum}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperEnv(f"{name}={value!r} is not a number") from None
    if minimum is not None and number < minimum:
        raise ImproperEnv(f"{name}={number} must be at least {minimum}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_pattern(name: str, pattern: str, default: str, expected: str) -> str:
    """The value when it matches ``pattern`` in full (``default`` when unset or empty); ``expected`` describes it."""
    value = (_raw(name) or "").strip() or default
    if not re.fullmatch(pattern, value):
        raise ImproperEnv(f"{name}={value!r} is not valid: expected {expected}")
    return value


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default).strip().lower()
    if value not in choices:
        raise ImproperEnv(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def check_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    """``value`` when it is an absolute URL with one of ``schemes`` and a host; else ImproperEnv naming ``name``."""
    expected = " or ".join(f"{scheme}://" for scheme in schemes)
    problem = None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        problem = "is not a valid URL"
    else:
        if any(char.isspace() for char in value):
            problem = "contains spaces"
        elif parts.scheme.lower() not in schemes:
            problem = "has no scheme" if "://" not in value else f"has the scheme {parts.scheme!r}"
        elif not parts.hostname and parts.scheme.lower() != "unix":
            problem = "has no host"
    if problem:
        example = f"{schemes[0]}://host:port/"
        raise ImproperEnv(f"{name}={value!r} {problem}: expected a URL starting with {expected}, such as {example}")
    return value


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL (trailing slashes kept) or ``default`` when unset or empty."""
    value = (_raw(name) or "").strip()
    return check_url(name, value, schemes) if value else default


@contextmanager
def stop_on_improper_env() -> Iterator[None]:
    """Turn a bad setting into one clear line on stderr and exit status 1 instead of a traceback (entry points:
    manage.py, the ASGI application)."""
    try:
        yield
    except ImproperEnv as exc:
        raise SystemExit(f"Configuration error: {exc}\n(see README.md, section Configuration)") from None
