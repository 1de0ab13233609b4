import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import kollega.core.fields


def spread_colours(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Existing groups get the palette in turn, per analysis, in their panel order."""
    code_group = apps.get_model("workbench", "CodeGroup")
    seen: dict[int, int] = {}
    for group in code_group.objects.order_by("analysis_id", "position", "pk"):
        n = seen.get(group.analysis_id, 0)
        seen[group.analysis_id] = n + 1
        code_group.objects.filter(pk=group.pk).update(colour=n % 8 + 1)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("workbench", "0003_coding_rounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="codegroup",
            name="colour",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="colour"),
        ),
        migrations.RunPython(spread_colours, migrations.RunPython.noop),
        migrations.CreateModel(
            name="UndoStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("unit_delete", "delete a unit"),
                            ("unit_sort", "sort a unit"),
                            ("group_merge", "merge code groups"),
                            ("group_delete", "delete a code group"),
                            ("group_move", "move a code group"),
                        ],
                        max_length=20,
                    ),
                ),
                ("payload", kollega.core.fields.EncryptedTextField(default="{}")),
                ("created", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "analysis",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workbench.analysis",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created", "-pk"]},
        ),
    ]
