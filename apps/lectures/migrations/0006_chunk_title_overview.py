"""Chunks keep their page's title (weighted A in the full-text vector) and whether the page is an overview.

A generated column cannot be altered, so the full-text vector is dropped and added again with the title in
it (PostgreSQL computes it for every existing row). Existing chunks get an empty title and no overview mark
until `manage.py reindex_chunks` (or a reprocess) fills them; they keep working meanwhile.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0005_transcript_times"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="chunk", name="chunk_search_gin"),
        migrations.RemoveField(model_name="chunk", name="search_vector"),
        migrations.AddField(
            model_name="chunk",
            name="title",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="chunk",
            name="is_overview",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="chunk",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector("title", config="english", weight="A"),
                    "||",
                    django.contrib.postgres.search.SearchVector("text", config="english"),
                    django.contrib.postgres.search.SearchConfig("english"),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="chunk",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="chunk_search_gin"),
        ),
    ]
