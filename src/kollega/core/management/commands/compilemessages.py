"""Django's compilemessages, leaving the compiled catalogues readable by every user."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.commands import compilemessages


class Command(compilemessages.Command):
    """Compile the `.po` catalogues, then make each `.mo` readable by all (0644).

    Kollega's settings set a private umask (0077) for everything it writes, which would leave
    the catalogues readable only by whoever compiled them: root on a server, where the services
    run as `kollega` and then fail on the first translated page. Translations hold no secrets.
    """

    def compile_messages(
        self, locations: list[tuple[str | os.PathLike[str], str | os.PathLike[str]]]
    ) -> None:
        super().compile_messages(locations)
        for directory, name in locations:
            compiled = (Path(directory) / name).with_suffix(".mo")
            if compiled.exists():
                compiled.chmod(0o644)
