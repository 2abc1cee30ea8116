"""Keep each chunk's embedding inside its table row (MAIN storage instead of pgvector's EXTERNAL default).

A chunk row (a 1.5 KB 384-d vector, the text and its tsvector) is over PostgreSQL's 2 KB TOAST threshold, so
with EXTERNAL storage the vector, the biggest field, was moved out of line: every distance computed outside
the HNSW graph (an exact scan of a small scope, the distance column of every result) read it back through the
TOAST index, ~6 buffer reads per row. A MAIN column leaves the row only when the row would not fit in a page.
0007 does the same for the tsvector and rewrites the existing rows.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0003_lecture_role"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE lectures_chunk ALTER COLUMN embedding SET STORAGE MAIN",
            reverse_sql="ALTER TABLE lectures_chunk ALTER COLUMN embedding SET STORAGE EXTERNAL",
        ),
    ]
