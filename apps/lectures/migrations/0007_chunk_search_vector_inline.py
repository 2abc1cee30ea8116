"""Keep each chunk's tsvector inside its row too (MAIN storage), and rewrite existing rows with it.

0006 re-created `search_vector` (a generated column cannot be altered), which resets its storage. With the
vector inline (0004) and the tsvector EXTENDED, a typical row still exceeds the 2 KB TOAST target and the
tsvector went out of line: full-text filtering and ts_rank_cd, which read it for every candidate row (up to
TEXT_POOL per tier), paid ~4 TOAST buffer reads each. With MAIN only the text, read for the few rows returned,
moves out: for a 3-word question in a 90,000-chunk subject the full-text part went from 8,600 to 460 buffer
reads. If a later migration re-creates either column, it must set MAIN again
(apps/lectures/tests/test_retrieval_scale.py checks it).

VACUUM FULL rewrites existing rows with the new storage (and rebuilds the table's indexes); it cannot run in
a transaction, hence `atomic = False`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("lectures", "0006_chunk_title_overview"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE lectures_chunk ALTER COLUMN embedding SET STORAGE MAIN, "
            "ALTER COLUMN search_vector SET STORAGE MAIN",
            reverse_sql="ALTER TABLE lectures_chunk ALTER COLUMN search_vector SET STORAGE EXTENDED",
        ),
        migrations.RunSQL("VACUUM FULL lectures_chunk", reverse_sql=migrations.RunSQL.noop),
    ]
