"""Every step of the pre-consultation form, in both languages: the Nu checker and structure.

The pages are the empty form, the form with errors, the confirm page, the done
page, the privacy page the form links to, and the 429 page a client sees once
its hourly allowance is spent, as the Django test client gets them; the Nu
checker validates all files in one run. axe and the page checks run on the same
states in Chromium, in the site-wide pass of tests/test_accessibility.py.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

from bureaus.models import Duty
from tests.applications.helpers import (
    INVALID,
    form_data,
    give_allowance_back,
    spend_hourly_allowance,
)
from tests.quality import nu_errors

PREFIXES = {"ja": "", "en": "/en"}  # Japanese is unprefixed.


@pytest.fixture(autouse=True)
def quick_form(settings):
    """No minimum fill time and high hourly limits; the 429 page is reached by
    spending the allowance, which is given back after."""
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1000
    settings.CONSULTATION_DRAFTS_PER_HOUR = 1000


# --- The pages, through the test client. ----------------------------------------------


def form_pages(client: Client, settings) -> list[tuple[str, str, object]]:
    """(state, path, response) for every step of the form in both languages."""
    pages = []

    def keep(state, path, response, status=200):
        assert response.status_code == status, f"{state} {path}: HTTP {response.status_code}"
        pages.append((state, path, response))

    for language, prefix in PREFIXES.items():
        form = f"{prefix}/consultation/"
        confirm = f"{prefix}/consultation/confirm/"
        keep(f"{language} form", form, client.get(form))
        keep(f"{language} form with errors", form, client.post(form, form_data(client, **INVALID)))

        response = client.post(form, form_data(client))
        assert response.status_code == 302 and response.url == confirm, response.status_code
        response = client.get(confirm)
        keep(f"{language} confirm", confirm, response)
        keep(f"{language} form, edited", f"{form}?edit=1", client.get(f"{form}?edit=1"))
        response = client.post(confirm, {"draft": response.context["draft_digest"]})
        assert response.status_code == 302, response.status_code
        keep(f"{language} done", response.url, client.get(response.url))
        keep(f"{language} privacy", f"{prefix}/privacy/", client.get(f"{prefix}/privacy/"))

        client.post(form, form_data(client))
        token = client.get(confirm).context["draft_digest"]
        spend_hourly_allowance(settings)
        keep(f"{language} too many requests", confirm, client.post(confirm, {"draft": token}), 429)
        give_allowance_back(settings)
    return pages


class Outline(HTMLParser):
    """The <h1>s, the <title>, the ids, the error summary's links and the lang of a page."""

    def __init__(self, html):
        super().__init__()
        self.h1s, self.titles, self.ids, self.summary_links = [], [], set(), []
        self.lang = None
        self._text_of = None
        self._in_summary = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("h1", "title"):
            self._text_of = (self.h1s if tag == "h1" else self.titles, [])
        if tag == "div" and "error-summary" in (attrs.get("class") or "").split():
            self._in_summary = 1
        elif tag == "div" and self._in_summary:
            self._in_summary += 1
        if tag == "a" and self._in_summary:
            self.summary_links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("h1", "title") and self._text_of:
            found, text = self._text_of
            found.append(" ".join("".join(text).split()))
            self._text_of = None
        if tag == "div" and self._in_summary:
            self._in_summary -= 1

    def handle_data(self, data):
        if self._text_of:
            self._text_of[1].append(data)


@pytest.mark.django_db
def test_every_step_has_one_h1_a_title_and_working_summary_links(client, settings):
    problems = []
    pages = form_pages(client, settings)
    for state, path, response in pages:
        outline = Outline(response.content.decode())
        language = state.split()[0]
        if outline.lang != language:
            problems.append(f"{state} ({path}): <html lang={outline.lang!r}>")
        if len(outline.h1s) != 1 or not outline.h1s[0]:
            problems.append(f"{state} ({path}): <h1> {outline.h1s}")
        if len(outline.titles) != 1 or not outline.titles[0]:
            problems.append(f"{state} ({path}): <title> {outline.titles}")
        has_errors = "errors" in state
        if has_errors != bool(outline.summary_links):
            problems.append(f"{state} ({path}): error summary links {outline.summary_links}")
        if has_errors and not outline.titles[0].startswith(("エラー: ", "Error: ")):
            problems.append(f"{state} ({path}): the title does not say there are errors")
        for href in outline.summary_links:
            if not href.startswith("#") or href[1:] not in outline.ids:
                problems.append(f"{state} ({path}): summary link {href} leads nowhere")
    assert len(pages) == 14
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_error_summary_links_to_a_duty_that_is_no_longer_offered(client):
    """A duty unpublished while the form was open: its error must link to the duty list."""
    data = form_data()
    Duty.objects.filter(slug="hydrogen-society").update(publication_state="withdrawn")
    response = client.post("/consultation/", data)
    assert response.status_code == 200
    outline = Outline(response.content.decode())
    assert outline.summary_links, "no error summary"
    broken = [href for href in outline.summary_links if href[1:] not in outline.ids]
    assert not broken, f"error summary links to no element: {broken}"


@pytest.mark.django_db
def test_error_summary_lists_the_errors_in_the_order_of_the_page(client):
    """A keyboard user follows the summary top to bottom, as the fields come."""
    data = form_data(duties=None, desired_months="", acknowledge=None, company_name="")
    response = client.post("/consultation/", data)
    html = response.content.decode()
    outline = Outline(html)
    assert len(outline.summary_links) == 4, outline.summary_links
    positions = [html.index(f'id="{href[1:]}"') for href in outline.summary_links]
    assert positions == sorted(positions), (
        f"summary order {outline.summary_links} is not the order of the fields on the page"
    )


@pytest.mark.django_db
def test_every_step_is_valid_html(client, settings, tmp_path, vnu_command):
    documents = {}
    for state, path, response in form_pages(client, settings):
        assert response["Content-Type"].startswith("text/html"), path
        documents[f"{state} ({path})"] = response.content
    errors = nu_errors(vnu_command, documents, tmp_path)
    assert not errors, f"{len(errors)} HTML error(s) in {len(documents)} pages:\n" + "\n".join(
        errors
    )
