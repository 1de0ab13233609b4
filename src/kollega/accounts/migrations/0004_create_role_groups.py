"""Create the roles (Django groups) so that they exist after `kollega migrate` (issue 24).

Until now a group came into being only when someone was first given its role; an operator who
looked for the coordinator role on a fresh install found none. The names are written out here,
not imported, so that this migration keeps meaning what it meant when the roles change.
"""

from django.db import migrations

ROLES = ("counsellor", "coordinator", "researcher", "administrator", "county_leader")


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_counties"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Backwards keeps the groups: people may hold them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
