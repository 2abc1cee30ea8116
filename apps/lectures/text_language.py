"""Which PostgreSQL full-text configuration a lecture's text is written in ("english", "french", …), so its chunks
are stemmed and stop-worded in their own language (models.Chunk.search_vector).

Detection counts, for each configuration PostgreSQL has with a stop-word list, how many of the text's words are
that language's stop words: "le", "de", "est", "une" in French,
"the", "of", "is" in English. Stop words are the most frequent words of every language, so a few thousand
characters decide it; slides are terse, so a language must hold a clear share of the words and clearly beat
English to be chosen. Configurations that stem ASCII words as English (russian, hindi, …) tie with it and lose.
"""

from django.db import connection

from apps.lectures.models import DEFAULT_TEXT_LANGUAGE

SAMPLE_CHARS = 6000
# A language is chosen over English when at least this share of the sample's words are its stop words …
MIN_STOPWORD_SHARE = 0.08
# … and it has at least this many times English's stop words in the same sample.
MIN_LEAD_OVER_ENGLISH = 1.5


def sample(texts: list[str], limit: int = SAMPLE_CHARS) -> str:
    """Up to `limit` characters taken evenly from the pages' texts (a deck's title slide alone says little)."""
    texts = [t for t in texts if t and t.strip()]
    if not texts:
        return ""
    share = max(200, limit // len(texts))
    return "\n".join(t[:share] for t in texts)[:limit]


def detect(text: str) -> str:
    """The configuration name for `text`; DEFAULT_TEXT_LANGUAGE when no language clearly leads."""
    if not text or not text.strip():
        return DEFAULT_TEXT_LANGUAGE
    with connection.cursor() as cursor:
        # A configuration drops its stop words from the tsvector but keeps every other word's position, so the
        # words it drops are the positions `simple` (no stop words) keeps minus the positions it keeps.
        cursor.execute(
            """
            WITH positions AS (
                SELECT cfg.cfgname,
                       (SELECT coalesce(sum(cardinality(t.positions)), 0)
                        FROM unnest(to_tsvector(cfg.oid::regconfig, %(text)s)) t) AS kept
                FROM pg_ts_config cfg
            )
            SELECT p.cfgname, s.kept - p.kept, s.kept
            FROM positions p, positions s
            WHERE s.cfgname = 'simple' AND p.cfgname <> 'simple'
            """,
            {"text": text[:SAMPLE_CHARS]},
        )
        counts = {name: (stop, words) for name, stop, words in cursor.fetchall()}
    english = counts.get(DEFAULT_TEXT_LANGUAGE, (0, 0))[0]
    best, (stop, words) = max(counts.items(), key=lambda item: (item[1][0], item[0] == DEFAULT_TEXT_LANGUAGE))
    if best == DEFAULT_TEXT_LANGUAGE or not words:
        return DEFAULT_TEXT_LANGUAGE
    if stop / words >= MIN_STOPWORD_SHARE and stop >= MIN_LEAD_OVER_ENGLISH * english:
        return best
    return DEFAULT_TEXT_LANGUAGE
