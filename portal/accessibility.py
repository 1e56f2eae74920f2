"""The latest automated accessibility results, as the test run recorded them.

tests/test_accessibility.py runs axe-core and the Nu HTML checker over
every public page and writes RESULTS_FILE; the committed file is what the
accessibility page shows in production. The file is read once per change.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

RESULTS_FILE = Path(settings.BASE_DIR) / "static" / "accessibility" / "results.json"


@dataclass(frozen=True)
class AuditResults:
    """One automated run over the public pages."""

    checked_at: datetime
    pages: int
    languages: tuple
    browser: str
    axe_version: str
    axe_tags: tuple
    axe_violations: int
    nu_version: str
    nu_errors: int

    def as_document(self):
        """The JSON document RESULTS_FILE holds."""
        return {
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "pages": self.pages,
            "languages": list(self.languages),
            "browser": self.browser,
            "axe": {
                "version": self.axe_version,
                "tags": list(self.axe_tags),
                "violations": self.axe_violations,
            },
            "nu": {"version": self.nu_version, "errors": self.nu_errors},
        }

    @classmethod
    def from_document(cls, document):
        """Read a document written by as_document; KeyError, TypeError or ValueError if malformed."""
        checked_at = datetime.fromisoformat(document["checked_at"])
        if checked_at.tzinfo is None:
            raise ValueError("checked_at has no time zone")
        return cls(
            checked_at=checked_at,
            pages=int(document["pages"]),
            languages=tuple(document["languages"]),
            browser=str(document["browser"]),
            axe_version=str(document["axe"]["version"]),
            axe_tags=tuple(document["axe"]["tags"]),
            axe_violations=int(document["axe"]["violations"]),
            nu_version=str(document["nu"]["version"]),
            nu_errors=int(document["nu"]["errors"]),
        )


def write_results(results, path=None):
    """Record a run in RESULTS_FILE (or ``path``)."""
    path = Path(path or RESULTS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(results.as_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


# ((path, modification time, size), results): the page costs a stat, not a parse.
# One tuple, replaced whole, so threads never see a key without its results.
_loaded = (None, None)


def latest_results(path=None):
    """The recorded run, or None when none is recorded yet (or the file is unreadable)."""
    global _loaded
    path = Path(path or RESULTS_FILE)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    loaded_key, loaded = _loaded
    if loaded_key == key:
        return loaded
    try:
        results = AuditResults.from_document(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, KeyError, TypeError, ValueError):
        logger.warning("unreadable accessibility results in %s", path, exc_info=True)
        results = None
    _loaded = (key, results)
    return results
