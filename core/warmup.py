"""Work every new gunicorn worker would otherwise repeat on its first requests."""

from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from core.release import release_id


def warm_up():
    """Build the URL resolvers of each language, compile the project's templates and
    work out the release id.

    Run in the gunicorn master after the application is loaded (preload_app): the
    workers forked from it, including those that replace recycled workers
    (max_requests), start with both in memory instead of spending ~100 ms of
    their first requests on them. Nothing here touches the database, whose
    connections must not be opened before the fork.
    """
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 (built per language on first access)
    release_id()  # Reads every source file once.
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            get_template(path.relative_to(directory).as_posix())
