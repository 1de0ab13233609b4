"""Take the counsellor, coordinator and researcher roles, and any per-person permissions, from
administrators (issue 18): until now the admin let an administrator give themself those roles
and read seekers' data. Each change is written to the audit log, as the actions would."""

from django.db import migrations

READER_ROLES = ("counsellor", "coordinator", "researcher")


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    AuditEvent = apps.get_model("core", "AuditEvent")
    readers = list(Group.objects.filter(name__in=READER_ROLES))
    administrators = User.objects.filter(is_superuser=True) | User.objects.filter(
        groups__name="administrator"
    )
    for user in administrators.distinct():
        taken = sorted(group.name for group in user.groups.all() if group.name in READER_ROLES)
        permissions = user.user_permissions.count()
        if not taken and not permissions:
            continue
        user.groups.remove(*readers)
        user.user_permissions.clear()
        AuditEvent.objects.create(
            actor=None,
            actor_label="system",
            action="accounts.remove_reading_roles",
            object_type="accounts.user",
            object_id=str(user.pk),
            details={"roles_removed": taken, "permissions_removed": permissions},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
