"""The page checks of tests/page_checks.js find each defect they exist for, and nothing on
a page without them.

The canary (tests/quality.PAGE_CANARY) has one defect per check; the clean page
has the same content done right, so a check that flags everything fails too.
"""

import pytest

from tests.quality import CHECKS, PAGE_CANARY, WIDE, Tally, check_page

pytestmark = pytest.mark.browser

CLEAN_PAGE = """<!doctype html><html lang="en"><head><title>clean</title><style>
  body { margin: 0; font: 16px/1.5 sans-serif; }
  .wide { max-width: 500px; }
  .scroller { overflow-x: auto; }
  .scroller table { width: 600px; }
  .reference { white-space: nowrap; }
  input:not([type=checkbox]) { border: 1px solid rgba(0, 0, 0, 0.6); min-height: 2.5rem; }
  input[type=checkbox] { appearance: none; width: 24px; height: 24px; margin: 0;
    border: 2px solid #666; }
  button { min-width: 24px; min-height: 24px; border: 1px solid #0017c1; background: #0017c1;
    color: #fff; }
  :focus-visible { outline: 4px solid #000; outline-offset: 2px; }
  .error { color: #ce0000; }
  .error::before { content: ""; display: inline-block; width: 1em; height: 1em;
    background: currentcolor; mask-image: linear-gradient(#000, #000); }
  .roomy { min-height: 1.5em; }
</style></head><body>
  <div class="wide">A box no wider than its screen.</div>
  <div class="scroller"><table><tr><td>A wide table scrolls in its own box.</td></tr></table></div>
  <p><span class="reference">KR-2026-000123</span></p>
  <label>Name <input></label>
  <button type="button">Go</button>
  <label><input type="checkbox"> Inside its label</label>
  <p><a href="#somewhere">A link in a sentence</a> may be small.</p>
  <label>Phone <input aria-invalid="true" aria-describedby="phone-error"></label>
  <p id="phone-error" class="error">A sentence with an icon.</p>
  <p class="roomy">A line in a box that grows with it.</p>
  <div class="roomy">Two lines<br>in a box that grows</div><p>and the next.</p>
</body></html>"""


def measure(browser, html):
    context = browser.new_context(viewport=WIDE)
    try:
        tab = context.new_page()
        tab.set_content(html)
        tally = Tally()
        check_page(tab, tally, "page")
        return tally
    finally:
        context.close()


def test_each_check_finds_the_defect_it_exists_for(browser):
    tally = measure(browser, PAGE_CANARY)
    found = {check: "\n".join(lines) for check, lines in tally.findings.items()}
    expected = {
        "reflow": ["the page is 500 px wide at 320 px: div.wide", "reference number breaks"],
        "control-contrast": [
            "input.faint[type=text]: edge 1.30:1",
            "input.small[type=checkbox]",
            "drawn by the browser",
        ],
        "target-size": [
            'button.small "x": 16.0 x 16.0 px',
            "not inside its label",
        ],
        "focus-visible": ['a "A link with no focus indicator": looks the same'],
        "error-cues": ["no visible error with an icon and text"],
        "text-spacing": ["p.short", "text cut off", "text overlaps: div.squeezed"],
    }
    assert set(expected) == set(CHECKS) - {"axe", "nu"}
    for check, phrases in expected.items():
        for phrase in phrases:
            assert phrase in found.get(check, ""), f"{check} missed {phrase!r}:\n{found.get(check)}"


def test_a_page_without_those_defects_gives_no_finding(browser):
    tally = measure(browser, CLEAN_PAGE)
    assert tally.all_findings() == []
    # Each check did look: the clean page has something for every one of them.
    assert all(tally.items[check] for check in set(CHECKS) - {"axe", "nu"}), dict(tally.items)


def test_a_half_transparent_edge_is_measured_over_what_is_behind_it(browser):
    faint = CLEAN_PAGE.replace("rgba(0, 0, 0, 0.6)", "rgba(0, 0, 0, 0.2)")
    findings = measure(browser, faint).findings["control-contrast"]
    assert findings and all("edge 1.6" in line for line in findings), findings


def test_a_focus_indicator_that_barely_shows_is_a_finding(browser):
    pale = CLEAN_PAGE.replace("outline: 4px solid #000", "outline: 4px solid #eee")
    findings = measure(browser, pale).findings["focus-visible"]
    assert findings and all("the focus indicator has only" in line for line in findings)
