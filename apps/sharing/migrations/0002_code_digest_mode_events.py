import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="sharelink", old_name="code", new_name="code_sha256"),
        migrations.AddField(
            model_name="sharelink",
            name="mode",
            field=models.CharField(
                choices=[("pages", "Pages"), ("chat", "Pages + chat")], default="pages", max_length=8
            ),
        ),
        migrations.AddConstraint(
            model_name="sharelink",
            constraint=models.CheckConstraint(
                condition=models.Q(("mode", "pages"), ("lecture__isnull", False), _connector="OR"),
                name="share_link_chat_needs_lecture",
            ),
        ),
        migrations.CreateModel(
            name="ShareEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("password", "Wrong password"), ("question", "Visitor question")], max_length=8
                    ),
                ),
                ("client", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "link",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="sharing.sharelink",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["link", "kind", "created_at"], name="share_event_link"),
                    models.Index(fields=["client", "kind", "created_at"], name="share_event_client"),
                    models.Index(fields=["created_at"], name="share_event_created"),
                ],
            },
        ),
    ]
