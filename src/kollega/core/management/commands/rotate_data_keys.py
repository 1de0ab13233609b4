from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from kollega.core.crypto import rotators
from kollega.core.fields import encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value and file under the first key in KOLLEGA_DATA_KEYS. "
        "Afterwards the old keys can be removed from the list."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            names = [field.attname for field in fields]
            # Reading decrypts with any listed key; writing encrypts with the first one.
            with transaction.atomic():
                rows = model._default_manager.values_list("pk", *names)
                for pk, *values in rows.iterator():
                    updates = {
                        name: value for name, value in zip(names, values, strict=True) if value
                    }
                    if updates:
                        model._default_manager.filter(pk=pk).update(**updates)
                        total += 1
        self.stdout.write(f"Re-encrypted {total} rows.")
        files = sum(rotate() for rotate in rotators())
        self.stdout.write(f"Re-encrypted {files} files.")
