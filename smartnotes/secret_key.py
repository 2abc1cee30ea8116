"""The production rule for SECRET_KEY: long, random-looking, and not a placeholder copied from an example.

Django's own deploy check (security.W009) only warns below 50 characters or 5 distinct ones; sessions,
password-reset links, API tokens and share-link rate limits are all signed with this key, so production refuses
to start with a key anyone could guess.
"""

MIN_LENGTH = 50
# A random hex key (16 symbols) of 50+ characters nearly always shows 12 or more of them.
MIN_DISTINCT = 10
# Words of placeholders in examples and tutorials; a random key contains one of them by chance (about once
# in 10^5 for a 67-character token): it is then refused with this message and the operator draws another.
PLACEHOLDER_WORDS = (
    "change-me",
    "changeme",
    "change_me",
    "changethis",
    "example",
    "secret",
    "placeholder",
    "insecure",
    "replace-me",
    "replaceme",
    "your-key",
    "dummy",
)
HOW_TO_MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _share_of_repeated_trigrams(key: str) -> float:
    trigrams = [key[i : i + 3] for i in range(len(key) - 2)]
    return 1 - len(set(trigrams)) / len(trigrams)


def _share_in_runs(key: str, length: int = 4) -> float:
    """Share of the characters inside runs such as "abcd" or "4321" of at least ``length`` characters."""
    inside, run, step = 0, 1, 0
    for a, b in zip(key, key[1:], strict=False):
        new_step = ord(b) - ord(a)
        if new_step in (-1, 1) and (run == 1 or new_step == step):
            run += 1
        else:
            inside += run if run >= length else 0
            run = 2 if new_step in (-1, 1) else 1
        step = new_step
    inside += run if run >= length else 0
    return inside / len(key)


def weakness(key: str) -> str | None:
    """Why ``key`` is not fit for production, or None when it is."""
    lowered = key.lower()
    for word in PLACEHOLDER_WORDS:
        if word in lowered:
            return f"looks like a placeholder (it contains {word!r})"
    if len(key) < MIN_LENGTH:
        return f"is {len(key)} characters long; at least {MIN_LENGTH} are needed"
    if len(set(key)) < MIN_DISTINCT:
        return f"uses only {len(set(key))} different characters; at least {MIN_DISTINCT} are needed"
    if _share_of_repeated_trigrams(key) > 0.25:
        return "repeats itself (a pattern, not a random value)"
    if _share_in_runs(key) > 0.3:
        return "is mostly runs such as 'abcd' or '1234' (not a random value)"
    return None


def production_secret_key_error(key: str) -> str | None:
    """The start-up message for a SECRET_KEY production must refuse, or None."""
    if not key:
        return f"SECRET_KEY must be set in production to a long random value ({HOW_TO_MAKE_ONE})"
    problem = weakness(key)
    if problem is None:
        return None
    return f"SECRET_KEY {problem}: production needs a long random value ({HOW_TO_MAKE_ONE})"
