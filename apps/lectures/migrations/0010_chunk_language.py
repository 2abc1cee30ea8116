"""Each lecture's full-text language: its chunks' tsvectors are built with the lecture's own configuration
(detected at ingestion, apps/lectures/text_language.py), so French slides are stemmed and stop-worded as French
("représente" finds "représenter") instead of as English.

A generated column cannot be altered, so the full-text vector is dropped and added again, reading the chunk's
`language` (PostgreSQL computes it for every existing row; they all start as English, as before). Dropping it
drops both GIN indexes on it; 0011 restores the vector's inline storage and re-creates the scoped index.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

import apps.lectures.models

SCOPED_INDEX = (
    "CREATE INDEX chunk_scoped_search_gin ON lectures_chunk USING gin "
    "((search_vector || array_to_tsvector(ARRAY['#subject ' || subject_id, '#lecture ' || lecture_id])))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0009_chunk_pieces"),
    ]

    operations = [
        migrations.AddField(
            model_name="lecture",
            name="language",
            field=models.CharField(db_default="english", default="english", max_length=32),
        ),
        migrations.AddField(
            model_name="chunk",
            name="language",
            field=apps.lectures.models.TextSearchConfigField(db_default="english", default="english", max_length=32),
        ),
        migrations.RemoveIndex(model_name="chunk", name="chunk_search_gin"),
        migrations.RunSQL("DROP INDEX IF EXISTS chunk_scoped_search_gin", reverse_sql=SCOPED_INDEX),
        migrations.RemoveField(model_name="chunk", name="search_vector"),
        migrations.AddField(
            model_name="chunk",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector("title", config=models.F("language"), weight="A"),
                    "||",
                    django.contrib.postgres.search.SearchVector("text", config=models.F("language")),
                    django.contrib.postgres.search.SearchConfig(models.F("language")),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="chunk",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="chunk_search_gin"),
        ),
    ]
