"""Model fields whose values are encrypted before they reach the database."""

from __future__ import annotations

from typing import Any

from django.db import models

from kollega.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field stored as a Fernet token; the clear text never reaches the database.

    Encrypted values cannot be searched, ordered or compared in SQL. Empty strings are stored
    as empty strings so that "nothing was written" stays visible without decrypting.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt_str(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return None if value is None else ""
        return crypto.encrypt_str(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) keeps the ciphertext, never the clear text.
        value = self.value_from_object(obj)
        return crypto.encrypt_str(value) if value else ""


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [field for field in model._meta.get_fields() if isinstance(field, EncryptedTextField)]
