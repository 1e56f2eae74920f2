"""The page-quality checks every suite shares: the Nu HTML checker and axe-core.

``nu_errors`` validates many documents in one JVM start, with a known-invalid
canary so that a checker that ran on nothing cannot pass. ``axe_failure``
runs axe on the current tab and says what is wrong, or None.
"""

import json
import re
import subprocess

import pytest

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]},
    "resultTypes": ["violations"],
}
CANARY_NAME = "canary-invalid.html"
# A page with one known error (a <p> cannot hold a <div>): proves the checker really ran.
CANARY = '<!doctype html><html lang="en"><title>canary</title><p><div></div></p></html>'


def file_name(number, label):
    """A file name that says which page it holds: /en/bureaus/?q=ICT -> 044-en-bureaus-q-ICT.html."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-") or "home"
    return f"{number:03d}-{slug[:80]}.html"


def nu_errors(vnu_command, documents, directory):
    """Validate ``documents`` (label -> HTML bytes) in one run; one line per error."""
    saved = {}
    for number, (label, content) in enumerate(documents.items()):
        name = file_name(number, label)
        (directory / name).write_bytes(content)
        saved[name] = label
    (directory / CANARY_NAME).write_text(CANARY, encoding="utf-8")
    files = [str(directory / name) for name in [*saved, CANARY_NAME]]
    result = subprocess.run(
        vnu_command + ["--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(
            f"the Nu checker gave no JSON (exit {result.returncode}):\n{result.stderr}{result.stdout}"
        )
    errors, canary_errors = [], 0
    for message in messages:
        name = message.get("url", "").rsplit("/", 1)[-1]
        if name == CANARY_NAME:
            canary_errors += 1
            continue
        extract = message.get("extract", "").strip().replace("\n", "↵")
        errors.append(
            f"{saved.get(name, name)} ({name}:{message.get('lastLine', '?')}) "
            f"{message.get('type')}: {message.get('message')}"
            + (f"\n    {extract}" if extract else "")
        )
    assert canary_errors, f"the Nu checker did not flag the invalid canary page:\n{result.stderr}"
    return errors


def axe_failure(axe, tab):
    """None when axe finds no WCAG 2.1 A/AA violation on the tab, else the report."""
    results = axe.run(tab, options=AXE_OPTIONS)
    if not results.response["passes"]:
        return "axe passed no rule at all, so it checked nothing"
    if results.violations_count:
        return results.generate_report()
    return None
