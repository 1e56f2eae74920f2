"""The Nu HTML checker over every public page, both languages, and the 404 page.

All pages are saved first and checked in a single run, because starting the
JVM costs seconds. A deliberately invalid page goes along with them: if the
checker does not report it, the run checked nothing and the test says so.
"""

import pytest

from bureaus.models import Duty
from tests.conftest import all_public_paths
from tests.quality import nu_errors

# The 404 page in each language (Japanese is unprefixed).
NOT_FOUND_PATHS = ["/no-such-page/", "/en/no-such-page/"]


@pytest.mark.django_db
def test_every_public_page_is_valid_html(client, tmp_path, vnu_command):
    assert Duty.objects.published().exists(), "no seed data, so no bureau or duty page to check"
    pages = [(path, 200) for path in all_public_paths()]
    pages += [(path, 404) for path in NOT_FOUND_PATHS]
    documents = {}
    for path, status in pages:
        response = client.get(path)
        assert response.status_code == status, f"{path}: HTTP {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), path
        documents[path] = response.content
    errors = nu_errors(vnu_command, documents, tmp_path)
    for error in errors:
        print(error)
    assert not errors, f"{len(errors)} HTML error(s) in {len(documents)} pages:\n" + "\n".join(
        errors
    )
