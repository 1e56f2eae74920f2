"""Which deployment is running: stored pages and ETags of another one are never reused."""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings


def source_folders(root):
    """The project's own apps (those at the top of the project, not the packages of a
    virtualenv inside it), its settings, templates and translations."""
    own_apps = [
        Path(config.path) for config in apps.get_app_configs() if Path(config.path).parent == root
    ]
    return [*own_apps, root / "config", root / "templates", root / "locale"]


@functools.cache
def source_digest():
    """A digest of what makes a page: the code, templates, translations, the static
    manifest (the fingerprinted file names pages link to) and the requirements."""
    root = Path(settings.BASE_DIR)
    files = sorted(
        path
        for folder in source_folders(root)
        for path in folder.rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".mo"}
    )
    files.append(root / "requirements.txt")
    if settings.STATIC_ROOT:
        files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def release_id():
    """Eight hex digits naming this deployment and the settings that shape a stored
    page's headers: a page stored or an ETag given by another one is never reused."""
    return _release_id(
        settings.RELEASE_ID or source_digest(),
        settings.PAGE_MAX_AGE_SECONDS,
        settings.X_FRAME_OPTIONS,
    )


@functools.lru_cache(maxsize=8)
def _release_id(release, *settings_values):
    return hashlib.sha256(repr((release, settings_values)).encode()).hexdigest()[:8]
