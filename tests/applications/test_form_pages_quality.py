"""Every step of the pre-consultation form, in both languages: axe, the Nu checker, structure.

The pages are the empty form, the form with errors, the confirm page, the done
page, the privacy page the form links to, and the 429 page a client sees once
its hourly allowance is spent. axe runs in Chromium on one live server (CSP
bypassed for this context only, so axe can be injected), the Nu checker on the
HTML the Django test client gets, all files in one run; both collect every
failure before failing once.
"""

from html.parser import HTMLParser

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from bureaus.models import Duty
from core.models import RateCounter
from tests.applications.helpers import form_data, next_month
from tests.quality import axe_failure, nu_errors

PREFIXES = {"ja": "", "en": "/en"}  # Japanese is unprefixed.

# Wrong on purpose: an address without a domain, a phone number too short, no consent.
INVALID = {"email": "hanako.yamada@", "phone": "12-34", "company_name": "", "acknowledge": None}


@pytest.fixture(autouse=True)
def quick_form(settings):
    """No minimum fill time and high hourly limits; the 429 page is reached by
    spending the allowance, which is given back after."""
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1000
    settings.CONSULTATION_DRAFTS_PER_HOUR = 1000


def spend_hourly_allowance(settings):
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 0


def give_allowance_back(settings):
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1000
    RateCounter.objects.all().delete()


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
    Duty.objects.filter(slug="hydrogen-society").update(is_published=False)
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


# --- axe in Chromium. ----------------------------------------------------------------------


def fill_valid(tab):
    """Fill the form with a valid request by the controls' ids (the same in both languages)."""
    for name, value in {
        "company_name": "Tokyo Energy Co., Ltd.",
        "main_business": "Electricity retail",
        "contact_name": "Hanako Yamada",
        "department": "Human Resources",
        "email": "hanako.yamada@energy.example",
        "phone": "03-5388-2374",
        "desired_start": next_month(),
        "desired_months": "12",
    }.items():
        tab.locator(f"#id_{name}").fill(value)
    tab.locator("#id_industry").select_option("energy")
    tab.locator("#id_bureaus_0").check()
    tab.locator("#id_licensing_relation_0").check()
    tab.locator("#id_subsidy_relation_2").check()  # unsure: the confirm page shows a concern
    tab.locator("#id_contract_relation_1").check()  # yes: and another
    tab.locator("#id_acknowledge").check()


def submit(tab, button="main form button[type=submit]"):
    with tab.expect_navigation() as navigation:
        tab.locator(button).click()
    return navigation.value


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_step_has_no_wcag_violations(browser, live_server, settings):
    axe = Axe()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    failures, checked = [], []

    def check(state, response, status=200):
        checked.append(state)
        got = response.status if response else "no response"
        if got != status:
            failures.append(f"{state} ({tab.url}): expected HTTP {status}, got {got}")
            return
        if tab.locator("h1").count() != 1 or not tab.title().strip():
            failures.append(f"{state} ({tab.url}): not exactly one <h1>, or no <title>")
        if failure := axe_failure(axe, tab):
            failures.append(f"{state} ({tab.url}): {failure}")

    try:
        for language, prefix in PREFIXES.items():
            check(f"{language} form", tab.goto(f"{prefix}/consultation/"))

            for name, value in INVALID.items():
                if value:
                    tab.locator(f"#id_{name}").fill(value)
            response = submit(tab)
            assert tab.locator(".error-summary").count() == 1, "the invalid form was accepted"
            check(f"{language} form with errors", response)

            fill_valid(tab)
            response = submit(tab)
            assert tab.url.endswith(f"{prefix}/consultation/confirm/"), tab.url
            check(f"{language} confirm", response)

            response = submit(tab)
            assert tab.url.endswith(f"{prefix}/consultation/done/"), tab.url
            check(f"{language} done", response)

            check(f"{language} privacy", tab.goto(f"{prefix}/privacy/"))

            tab.goto(f"{prefix}/consultation/")
            fill_valid(tab)
            submit(tab)
            spend_hourly_allowance(settings)
            check(f"{language} too many requests", submit(tab), status=429)
            give_allowance_back(settings)
    finally:
        context.close()

    assert len(checked) == 12
    for failure in failures:
        print(failure, end="\n\n")
    assert not failures, (
        f"{len(failures)} of {len(checked)} pages fail axe (WCAG 2.1 A/AA):\n\n"
        + "\n\n".join(failures)
    )
