"""Cut every link from the anonymous statistics rows back to the cases they came from.

"Delete my data" used to record `{"statistic": <id>}` in its audit row, next to the deleted
case's id and audit trail: the detail goes. And statistics rows had keys in insertion order,
which lined them up with the audit trail's times; they get random keys, as new rows do.
"""

import secrets

from django.db import migrations

LOW, HIGH = 2**32, 2**52


def strip_statistic_details(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    changed = []
    for event in AuditEvent.objects.filter(action="service.case.delete_data").iterator():
        if isinstance(event.details, dict) and "statistic" in event.details:
            event.details = {k: v for k, v in event.details.items() if k != "statistic"}
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["details"], batch_size=500)


def rekey_statistics(apps, schema_editor):
    CaseStatistic = apps.get_model("service", "CaseStatistic")
    old_keys = list(CaseStatistic.objects.filter(pk__lt=LOW).values_list("pk", flat=True))
    taken = set(CaseStatistic.objects.filter(pk__gte=LOW).values_list("pk", flat=True))
    for old in old_keys:
        new = secrets.randbelow(HIGH - LOW) + LOW
        while new in taken:
            new = secrets.randbelow(HIGH - LOW) + LOW
        taken.add(new)
        CaseStatistic.objects.filter(pk=old).update(id=new)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("service", "0006_merge_away_and_translations"),
    ]

    operations = [
        migrations.RunPython(strip_statistic_details, migrations.RunPython.noop),
        migrations.RunPython(rekey_statistics, migrations.RunPython.noop),
    ]
