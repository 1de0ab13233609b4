"""A model used only by the tests of the encryption machinery."""

from django.db import models

from kollega.core.fields import EncryptedTextField


class Note(models.Model):
    text = EncryptedTextField(blank=True)
    label = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.label
