"""One condensate per subgroup and one analytic text per code group or category.

Two researchers saving a new one at once could both add it; the constraints stop that. Rows a
race already doubled are first joined into the newest one (latest ``updated``, then highest id):
the others' words are appended to it, their links (units; condensates and quotes) carried over,
so no researcher's text is lost, and the joined row can be edited down in step 3 or 4.
"""

from django.conf import settings
from django.db import migrations, models

DOUBLED = (
    # (model, the target it belongs to, its many-to-many links)
    ("Condensate", "subgroup_id", ("units",)),
    ("AnalyticText", "code_group_id", ("condensates", "quotes")),
    ("AnalyticText", "category_id", ("condensates", "quotes")),
)


def join_doubles(apps, schema_editor):
    """Join every condensate or analytic text a race doubled into the newest of its target."""
    for name, target, links in DOUBLED:
        model = apps.get_model("workbench", name)
        kept = {}
        rows = model.objects.filter(**{f"{target}__isnull": False}).order_by(
            target, "-updated", "-pk"
        )
        for row in rows:
            keep = kept.setdefault(getattr(row, target), row)
            if keep.pk == row.pk:
                continue
            if row.text.strip() and row.text.strip() not in keep.text:
                keep.text = f"{keep.text}\n\n{row.text}"
                keep.save(update_fields=["text"])
            for link in links:
                getattr(keep, link).add(*getattr(row, link).all())
            if name == "Condensate":
                for analytic in row.analytic_texts.all():
                    analytic.condensates.add(keep)
            row.delete()


class Migration(migrations.Migration):
    # The join runs in its own transaction: PostgreSQL cannot add the constraints' indexes in
    # the one whose deletions still have deferred foreign-key checks pending.
    atomic = False

    dependencies = [
        ("workbench", "0001_analysis_and_four_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(join_doubles, migrations.RunPython.noop),
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
