"""Pytest plugin, loaded before Django: the environment the test suite runs in.

Only defaults are set, so CI's DATABASE_URL (PostgreSQL) and any explicit
variable win. DJANGO_HTTPS is off because the test client speaks plain HTTP.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "k" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault("DJANGO_COLLECTED_STATIC", "false")
# Playwright's sync API runs an event loop in the test thread; Django's ORM guard
# would otherwise refuse the live server's database setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
