"""The privacy suites reuse the service's and the research app's cast additions."""

from tests.research.conftest import studied  # noqa: F401
from tests.service.conftest import accepted, profiles, proposed, seeker  # noqa: F401
