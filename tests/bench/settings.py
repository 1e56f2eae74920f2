"""The benchmark's settings: the site's own, with its reference views mounted (tests/bench/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
