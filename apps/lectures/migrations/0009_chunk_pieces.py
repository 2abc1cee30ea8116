"""Vectors for the pieces of each chunk (bullet points, sentence pairs: pipeline/pieces.py).

Existing lectures have none and rank as before until `manage.py reindex_lectures` (or a reprocess or re-embed)
builds them.
"""

import django.db.models.deletion
import pgvector.django.vector
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0008_chunk_scoped_search_gin"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChunkPiece",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("embedding", pgvector.django.vector.VectorField(dimensions=384)),
                (
                    "chunk",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="pieces", to="lectures.chunk"
                    ),
                ),
            ],
        ),
    ]
