"""Test settings: the real settings plus a test-only app holding a model of
country data, so the access policy is checked against real queries."""

import tempfile
from pathlib import Path

from observatory.config.settings import *  # noqa: F403
from observatory.config.settings import INSTALLED_APPS

# Uploaded originals and the analytics store of a test run stay out of var/.
VAR_DIR = Path(tempfile.mkdtemp(prefix="observatory-test-"))
MEDIA_ROOT = VAR_DIR / "media"

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fast hashing in tests; test_settings checks that production uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
