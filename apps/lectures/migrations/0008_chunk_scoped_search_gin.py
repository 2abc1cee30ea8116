"""A full-text index that knows each chunk's subject and lecture, so a search reads only its scope's matches.

Every full-text search is scoped to a subject or a lecture, but the plain GIN index on `search_vector` returns
the matches of the whole table: in a 1M-chunk table shared by 100 students, a question with common words
("variables loop python") built a bitmap of ~390,000 rows to keep the ~4,000 in one student's semester (220 ms).
This index adds two lexemes per row, '#subject <id>' and '#lecture <id>' (with a space, so no parsed word can
equal them), and retrieval.text_ids ANDs the scope's lexeme into its queries: GIN then walks the scope's short
posting list and skips through the words' long ones (the same question: ~20 ms).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0007_chunk_search_vector_inline"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX chunk_scoped_search_gin ON lectures_chunk USING gin "
            "((search_vector || array_to_tsvector(ARRAY['#subject ' || subject_id, '#lecture ' || lecture_id])))",
            reverse_sql="DROP INDEX IF EXISTS chunk_scoped_search_gin",
        ),
    ]
