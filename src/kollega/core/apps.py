from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

_tightened: set[str] = set()


def make_sqlite_files_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Make an SQLite database and its WAL and shared-memory files readable by us only.

    New files are private through the umask set in settings; this mends files that an older
    version left world-readable, once per process and database.
    """
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name in _tightened or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(name + suffix)
        if path.exists() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    _tightened.add(name)


class CoreConfig(AppConfig):
    name = "kollega.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Inside ready(): these modules import models, which load only once the registry is.
        from kollega.core import checks  # noqa: F401  (registers the system checks)
        from kollega.core.schedule import register_periodic
        from kollega.core.tasks import prune_task_results

        register_periodic(prune_task_results, every=timedelta(hours=1))
        connection_created.connect(make_sqlite_files_private)
