"""Hypothesis settings for the fuzz suite.

`make test` runs the short profile ("fuzz"); `make fuzz` sets KOLLEGA_FUZZ=long and runs the
same tests with many more examples ("fuzz-long").
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz",
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-long",
    max_examples=int(os.environ.get("KOLLEGA_FUZZ_EXAMPLES", "1000")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FUZZ = settings.get_profile("fuzz-long" if os.environ.get("KOLLEGA_FUZZ") == "long" else "fuzz")
# Parsers are cheap: give them more examples than the web forms in the short profile.
PARSERS = settings(FUZZ, max_examples=FUZZ.max_examples * 5)
