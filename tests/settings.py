"""Settings for the test suite: the production settings with fixed synthetic secrets.

Environment variables still win, so .ci/run can point DATABASE_URL and REDIS_URL elsewhere.
"""

import os
import tempfile

# Two fixed keys: the first encrypts, both decrypt (rotation is tested by swapping them).
TEST_DATA_KEYS = (
    "aSmzt-6wBJq1uEy8a7uWh9JQGuI7XNqMt2ckX2mCdHY=",
    "L6SxqSeMLrOfj7gb5lqkYkZxV9otaOUg-EdmZfg42kM=",
)
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("KOLLEGA_DATA_KEYS", ",".join(TEST_DATA_KEYS))
os.environ.setdefault("KOLLEGA_VAR_DIR", tempfile.mkdtemp(prefix="kollega-test-"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("KOLLEGA_HTTPS", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from kollega.settings import *  # noqa: E402,F403
from kollega.settings import DATABASES, INSTALLED_APPS  # noqa: E402

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # speed only; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that tests can read the bytes the database really stores.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["KOLLEGA_VAR_DIR"], "test.sqlite3")
    }
