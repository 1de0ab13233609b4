"""Keep secret status-link tokens out of every log line.

A seeker's status link (and the link of someone who raised a concern) is their only key; an access log or a "Not Found" warning that printed
it would let whoever reads the logs open the request.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

from gunicorn import glogging

# A seeker's request and a concern's sender each have a status link of this form.
_TOKEN_PATH = re.compile(r"(/(?:request|concern)/status/)[^/\s?\"']+")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(r"\1[redacted]", text)


class RedactTokensFilter(logging.Filter):
    """A logging filter that rewrites each record's message with tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class GunicornLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's logger with the request path and line redacted in access logs, and every
    time stamp in UTC with its offset.

    gunicorn writes local time, and its workers' local time is TIME_ZONE once Django has
    loaded (Django sets TZ) while the master's is the host's: one log mixed two zones.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if handler.formatter is not None:
                    handler.formatter.converter = time.gmtime

    def now(self) -> str:
        return datetime.now(UTC).strftime("[%d/%b/%Y:%H:%M:%S %z]")

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


class OneLineRefusalsFilter(logging.Filter):
    """Log a refused request (a 4xx answer: 403, a bad request) as its one line, without the
    traceback Django attaches.

    A refusal is the site working as meant, not a fault: a traceback per 403 buried the real
    errors and repeated, for each, the request's locals. The line keeps the status and the
    (token-redacted) path only.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
