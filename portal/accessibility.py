"""The latest automated accessibility results, as `make accessibility` recorded them.

tests/test_accessibility.py runs axe-core, the Nu HTML checker and the page
checks of tests/page_checks.js over every public page and every state of the
form; with RECORD_ACCESSIBILITY_RESULTS=true (`make accessibility`) it also
writes RESULTS_FILE. The committed file is what the accessibility page shows in
production, one row per check: the criteria, what was checked, how, how many
things and how many findings, in the words the test recorded. The file is read
once per change.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from core.content import active_language

logger = logging.getLogger(__name__)

RESULTS_FILE = Path(settings.BASE_DIR) / "static" / "accessibility" / "results.json"
# The texts each check carries, per language.
TEXTS = ("title", "what", "how", "unit")


def texts(value):
    """{language: text} with a Japanese text at least; ValueError otherwise."""
    if not isinstance(value, dict) or not isinstance(value.get("ja"), str) or not value["ja"]:
        raise ValueError(f"no Japanese text in {value!r}")
    return {str(language): str(text) for language, text in value.items()}


@dataclass(frozen=True)
class CheckResult:
    """One check over the whole run, as the test described and counted it.

    ``title``, ``what`` (what was checked), ``how`` and ``unit`` (what ``items``
    counts) map a language code to the text; they come from the test that ran
    the check (tests/quality.py), so the page says exactly what was measured.
    """

    id: str
    criteria: tuple
    title: dict
    what: dict
    how: dict
    unit: dict
    items: int
    findings: int

    def text(self, name):
        texts = getattr(self, name)
        return texts.get(active_language()) or texts["ja"]

    @property
    def title_text(self):
        return self.text("title")

    @property
    def what_text(self):
        return self.text("what")

    @property
    def how_text(self):
        return self.text("how")

    @property
    def unit_text(self):
        return self.text("unit")


@dataclass(frozen=True)
class AuditResults:
    """One automated run over the public pages and the states of the form."""

    checked_at: datetime
    pages: int
    languages: tuple
    browser: str
    axe_version: str
    axe_tags: tuple
    nu_version: str
    checks: tuple

    def count(self, check_id):
        """The findings of one check, or None when the run did not include it."""
        return next((check.findings for check in self.checks if check.id == check_id), None)

    def as_document(self):
        """The JSON document RESULTS_FILE holds."""
        return {
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "pages": self.pages,
            "languages": list(self.languages),
            "browser": self.browser,
            "axe": {"version": self.axe_version, "tags": list(self.axe_tags)},
            "nu": {"version": self.nu_version},
            "checks": [
                {
                    "id": check.id,
                    "criteria": list(check.criteria),
                    **{name: dict(getattr(check, name)) for name in TEXTS},
                    "items": check.items,
                    "findings": check.findings,
                }
                for check in self.checks
            ],
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
            nu_version=str(document["nu"]["version"]),
            checks=tuple(
                CheckResult(
                    id=str(check["id"]),
                    criteria=tuple(str(criterion) for criterion in check["criteria"]),
                    **{name: texts(check[name]) for name in TEXTS},
                    items=int(check["items"]),
                    findings=int(check["findings"]),
                )
                for check in document["checks"]
            ),
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
