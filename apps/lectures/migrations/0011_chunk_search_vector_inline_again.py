"""0010 re-created the full-text vector, which resets its storage: set MAIN again (why: 0007), rewrite the rows
with it, then re-create the scoped full-text index (0008) once, on the rewritten table. VACUUM FULL cannot run
in a transaction, hence `atomic = False`."""

from django.db import migrations

SCOPED_INDEX = (
    "CREATE INDEX chunk_scoped_search_gin ON lectures_chunk USING gin "
    "((search_vector || array_to_tsvector(ARRAY['#subject ' || subject_id, '#lecture ' || lecture_id])))"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("lectures", "0010_chunk_language"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE lectures_chunk ALTER COLUMN search_vector SET STORAGE MAIN",
            reverse_sql="ALTER TABLE lectures_chunk ALTER COLUMN search_vector SET STORAGE EXTENDED",
        ),
        migrations.RunSQL("VACUUM FULL lectures_chunk", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(SCOPED_INDEX, reverse_sql="DROP INDEX IF EXISTS chunk_scoped_search_gin"),
    ]
