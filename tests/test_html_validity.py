"""The Nu HTML checker over every public page, both languages, and the 404 page.

All pages are saved first and checked in a single run, because starting the
JVM costs seconds. A deliberately invalid page goes along with them: if the
checker does not report it, the run checked nothing and the test says so.
"""

import json
import re
import subprocess

import pytest

from bureaus.models import Duty
from tests.conftest import all_public_paths

# A page with one known error (a <p> cannot hold a <div>): proves the checker really ran.
CANARY_NAME = "canary-invalid.html"
CANARY = '<!doctype html><html lang="en"><title>canary</title><p><div></div></p></html>'


# The 404 page in each language (Japanese is unprefixed).
NOT_FOUND_PATHS = ["/no-such-page/", "/en/no-such-page/"]


def file_name(number, path):
    """A file name that says which page it holds: /en/bureaus/?q=ICT -> 044-en-bureaus-q-ICT.html."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
    return f"{number:03d}-{slug}.html"


@pytest.mark.django_db
def test_every_public_page_is_valid_html(client, tmp_path, vnu_command):
    assert Duty.objects.published().exists(), "no seed data, so no bureau or duty page to check"
    pages = [(path, 200) for path in all_public_paths()]
    pages += [(path, 404) for path in NOT_FOUND_PATHS]

    saved = {}  # file name -> the page's path
    for number, (path, status) in enumerate(pages):
        response = client.get(path)
        assert response.status_code == status, f"{path}: HTTP {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), path
        name = file_name(number, path)
        (tmp_path / name).write_bytes(response.content)
        saved[name] = path
    (tmp_path / CANARY_NAME).write_text(CANARY, encoding="utf-8")

    files = [str(tmp_path / name) for name in [*saved, CANARY_NAME]]
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

    errors = []
    canary_errors = 0
    for message in messages:
        name = message.get("url", "").rsplit("/", 1)[-1]
        if name == CANARY_NAME:
            canary_errors += 1
            continue
        where = f"{saved.get(name, name)} ({name}:{message.get('lastLine', '?')}"
        where += f":{message.get('firstColumn', message.get('lastColumn', '?'))})"
        extract = message.get("extract", "").strip().replace("\n", "↵")
        errors.append(
            f"{where} {message.get('type')}: {message.get('message')}"
            + (f"\n    {extract}" if extract else "")
        )
    assert canary_errors, f"the Nu checker did not flag the invalid canary page:\n{result.stderr}"

    for error in errors:
        print(error)
    assert not errors, f"{len(errors)} HTML error(s) in {len(saved)} pages:\n" + "\n".join(errors)
