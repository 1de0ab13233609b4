"""One condensate per subgroup and one analytic text per code group or category.

Two researchers saving a new one at once could both add it; the constraints stop that. Rows a
race already doubled are reduced first to the newest one (latest ``updated``, then highest id).
"""

from django.conf import settings
from django.db import migrations, models


def keep_newest(apps, schema_editor):
    """Delete all but the newest condensate of a subgroup and analytic text of a target."""
    Condensate = apps.get_model("workbench", "Condensate")
    AnalyticText = apps.get_model("workbench", "AnalyticText")
    for model, field in (
        (Condensate, "subgroup_id"),
        (AnalyticText, "code_group_id"),
        (AnalyticText, "category_id"),
    ):
        seen = set()
        rows = model.objects.filter(**{f"{field}__isnull": False}).order_by(
            field, "-updated", "-pk"
        )
        for pk, owner in rows.values_list("pk", field):
            if owner in seen:
                model.objects.filter(pk=pk).delete()
            seen.add(owner)


class Migration(migrations.Migration):
    dependencies = [
        ("workbench", "0001_analysis_and_four_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_newest, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="analytictext",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code_group__isnull", False)),
                fields=("code_group",),
                name="one_analytic_text_per_code_group",
            ),
        ),
        migrations.AddConstraint(
            model_name="analytictext",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", False)),
                fields=("category",),
                name="one_analytic_text_per_category",
            ),
        ),
        migrations.AddConstraint(
            model_name="condensate",
            constraint=models.UniqueConstraint(
                fields=("subgroup",), name="one_condensate_per_subgroup"
            ),
        ),
    ]
