"""The page-quality checks every suite shares: the Nu HTML checker, axe-core, and ours.

``nu_errors`` validates many documents in one JVM start, with a known-invalid
canary so that a checker that ran on nothing cannot pass. ``axe_failure``
runs axe on the current tab and says what is wrong, or None. ``check_page``
measures what neither sees (tests/page_checks.js: reflow at 320 px, control
edges, target sizes, focus, error cues, text spacing) into a ``Tally``;
tests/test_page_checks.py proves each of those checks fails on a bad page.
"""

import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from portal.accessibility import CheckResult

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


# --- What axe and the Nu checker do not see: tests/page_checks.js. ------------------------

PAGE_CHECKS = (Path(__file__).parent / "page_checks.js").read_text(encoding="utf-8")
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}
# WCAG 2.1 1.4.12's four overrides, as its Understanding document states them.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
    " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)


# A page with one known defect for each page check (inline styles: set_content has no CSP),
# so that a check that measured nothing cannot pass. tests/test_page_checks.py says which
# finding each defect must give.
PAGE_CANARY = """<!doctype html><html lang="en"><head><title>canary</title><style>
  body { margin: 0; font: 16px/1.5 sans-serif; }
  .wide { width: 500px; }
  .reference { display: block; width: 4em; }
  .faint { border: 1px solid #dee2e6; background: #fff; }
  .small { width: 16px; height: 16px; padding: 0; border: 2px solid #000; }
  a:focus, a:focus-visible { outline: none; }
  .short { height: 1.5em; overflow: hidden; }
  .squeezed { height: 1.2em; }
</style></head><body>
  <div class="wide">A box wider than a phone.</div>
  <p class="reference">KR-2026-000123</p>
  <label>Name <input class="faint"></label>
  <button class="small" type="button">x</button>
  <input type="checkbox" class="small" aria-label="alone">
  <p><a href="#nowhere">A link with no focus indicator</a></p>
  <label>Phone <input aria-invalid="true" aria-describedby="phone-error"></label>
  <p id="phone-error">Only this sentence, with no icon.</p>
  <p class="short">A line that the box cuts off once the line height grows.</p>
  <div class="squeezed">Two lines<br>forced into one line's height</div><p>overlap the next.</p>
</body></html>"""


class Tally:
    """Per check: how many things were examined and what was found, over many page states."""

    def __init__(self):
        self.items = defaultdict(int)
        self.findings = defaultdict(list)

    def add(self, label, results):
        for check, result in results.items():
            self.items[check] += result["items"]
            self.findings[check] += [f"{label}: {finding}" for finding in result["findings"]]

    def all_findings(self):
        return [finding for check in sorted(self.findings) for finding in self.findings[check]]


def with_text_spacing(tab):
    """The page's results under the 1.4.12 overrides (the tab's context must bypass the CSP)."""
    style = tab.add_style_tag(content=TEXT_SPACING)
    try:
        return tab.evaluate(PAGE_CHECKS, "spacing")
    finally:
        style.evaluate("element => element.remove()")


def run_axe(axe, tab, tally, label):
    """axe on the tab's current state: one finding per rule it finds violated."""
    results = axe.run(tab, options=AXE_OPTIONS)
    assert results.response["passes"], f"{label}: axe passed no rule, so it checked nothing"
    tally.items["axe"] += 1
    tally.findings["axe"] += [
        f"{label}: {rule['id']} ({len(rule['nodes'])} elements): {rule['help']}"
        for rule in results.response["violations"]
    ]


def check_page(tab, tally, label, axe=None):
    """Run every page check, and axe when given, on the tab's current state at 1280 and at
    320 CSS px (where tables scroll and controls stack, so axe sees other things too).

    Leaves the tab at 1280 px. The focus check moves the focus and takes it away.
    """
    for size, task in ((WIDE, "controls"), (NARROW, "narrow")):
        width = f"{size['width']} px"
        tab.set_viewport_size(size)
        try:
            if axe is not None:
                run_axe(axe, tab, tally, f"{label} ({width})")
            tally.add(f"{label} ({width})", tab.evaluate(PAGE_CHECKS, task))
            tally.add(f"{label} ({width}, text spacing)", with_text_spacing(tab))
        finally:
            tab.set_viewport_size(WIDE)


# What the accessibility page says about each check, recorded with its counts
# (portal.accessibility): the page claims only what these checks measured.
CHECKS = {
    "axe": {
        "criteria": AXE_OPTIONS["runOnly"]["values"],
        "title": {
            "ja": "WCAG 2.1 の A と AA のうち、axe-core が自動で判定できる達成基準",
            "en": "The WCAG 2.1 A and AA success criteria that axe-core can decide automatically",
        },
        "what": {
            "ja": "代替テキスト、文字のコントラスト比、ラベル、見出しと構造、言語の指定など、axe-core の WCAG 2.1 A・AA の規則",
            "en": "axe-core's WCAG 2.1 A and AA rules: text alternatives, text contrast, labels, headings and structure, language and more",
        },
        "how": {
            "ja": "Chromium で開いた各ページで、幅 1280 と 320 CSS ピクセルのそれぞれで axe-core を実行",
            "en": "axe-core run on each page open in Chromium, at widths of 1280 and 320 CSS pixels",
        },
        "unit": {"ja": "ページ表示", "en": "page views"},
    },
    "nu": {
        "criteria": ["4.1.1"],
        "title": {"ja": "4.1.1 構文解析", "en": "4.1.1 Parsing"},
        "what": {
            "ja": "HTML が仕様どおりに書かれていること",
            "en": "The HTML follows the specification",
        },
        "how": {
            "ja": "各ページの HTML を Nu HTML Checker で検証",
            "en": "Each page's HTML validated with the Nu HTML Checker",
        },
        "unit": {"ja": "ページ", "en": "pages"},
    },
    "reflow": {
        "criteria": ["1.4.10"],
        "title": {"ja": "1.4.10 リフロー", "en": "1.4.10 Reflow"},
        "what": {
            "ja": "幅 320 CSS ピクセルで横スクロールが生じないこと（幅の広い表は、表の枠の中でスクロール）。受付番号が途中で折り返さないこと",
            "en": "No horizontal scrolling at a width of 320 CSS pixels (a wide table scrolls inside its own box); the reference number never breaks across lines",
        },
        "how": {
            "ja": "Chromium の表示幅を 320 CSS ピクセルにして、文書の幅、画面からはみ出す要素、受付番号の行数を測定",
            "en": "Chromium's viewport set to 320 CSS pixels; the document's width, any element beyond the screen and the lines of the reference number measured",
        },
        "unit": {"ja": "ページ", "en": "pages"},
    },
    "control-contrast": {
        "criteria": ["1.4.11"],
        "title": {"ja": "1.4.11 非テキストのコントラスト", "en": "1.4.11 Non-text Contrast"},
        "what": {
            "ja": "入力欄、選択欄、チェックボックス、ラジオボタン、ボタンの境界が、背景に対して 3:1 以上のコントラスト比をもつこと",
            "en": "The edges of text boxes, selects, checkboxes, radio buttons and buttons have a contrast ratio of at least 3:1 against their background",
        },
        "how": {
            "ja": "各コントロールの枠線（枠線のないものは塗り）の色と、その後ろにあるいちばん近い不透明な背景の色とのコントラスト比を、幅 1280 と 320 CSS ピクセルで計算",
            "en": "The contrast ratio between each control's border (or fill, where it has no border) and the nearest opaque background behind it, computed at widths of 1280 and 320 CSS pixels",
        },
        "unit": {"ja": "コントロール", "en": "controls"},
    },
    "text-spacing": {
        "criteria": ["1.4.12"],
        "title": {"ja": "1.4.12 テキストの間隔", "en": "1.4.12 Text Spacing"},
        "what": {
            "ja": "行の高さを文字の 1.5 倍、段落の後を 2 倍、文字の間隔を 0.12 倍、単語の間隔を 0.16 倍に広げても、文字が切れたり重なったりしないこと",
            "en": "No text is cut off or overlaps when line height is set to 1.5 times the font size, spacing after paragraphs to 2 times, letter spacing to 0.12 times and word spacing to 0.16 times",
        },
        "how": {
            "ja": "この 4 つのスタイルをすべての要素に当て、はみ出しを隠す要素での文字の切れと、文字の行どうしの重なりを、幅 1280 と 320 CSS ピクセルで測定",
            "en": "Those four styles applied to every element; text cut off by boxes that hide their overflow, and lines of text drawn over each other, measured at widths of 1280 and 320 CSS pixels",
        },
        "unit": {"ja": "ページ表示", "en": "page views"},
    },
    "focus-visible": {
        "criteria": ["2.4.7"],
        "title": {"ja": "2.4.7 フォーカスの可視化", "en": "2.4.7 Focus Visible"},
        "what": {
            "ja": "キーボードで移動できるすべての箇所で、フォーカスを受けると見た目が変わり、その変化（枠、影、塗り）が背景に対して 3:1 以上であること",
            "en": "Every place the keyboard can reach looks different when focused, and the change (an outline, a ring or a fill) has at least 3:1 against the background",
        },
        "how": {
            "ja": "各箇所に順にフォーカスを移し、フォーカスの前後で Chromium が計算したスタイルを、幅 1280 と 320 CSS ピクセルで比較",
            "en": "The focus moved to each place in turn, and the styles Chromium computed before and during focus compared, at widths of 1280 and 320 CSS pixels",
        },
        "unit": {"ja": "フォーカス位置", "en": "focusable places"},
    },
    "target-size": {
        "criteria": ["2.5.8"],
        "title": {
            "ja": "2.5.8 ターゲットのサイズ（最低限）（WCAG 2.2）",
            "en": "2.5.8 Target Size (Minimum) (WCAG 2.2)",
        },
        "what": {
            "ja": "ボタン、入力欄、選択欄、チェックボックス、ラジオボタンと、文中にないリンクが 24 × 24 CSS ピクセル以上であること（文中のリンクは対象外）。チェックボックスとラジオボタンはラベルの中にあり、ラベルも押せること",
            "en": "Buttons, text boxes, selects, checkboxes, radio buttons and links outside running text are at least 24 by 24 CSS pixels (links in a sentence are exempt); checkboxes and radio buttons sit inside their label, which can be pressed too",
        },
        "how": {
            "ja": "各要素の表示上の大きさを、幅 1280 と 320 CSS ピクセルで測定",
            "en": "The size of each element as drawn, measured at widths of 1280 and 320 CSS pixels",
        },
        "unit": {"ja": "ターゲット", "en": "targets"},
    },
    "error-cues": {
        "criteria": ["1.4.1", "3.3.1"],
        "title": {
            "ja": "1.4.1 色の使用、3.3.1 エラーの特定",
            "en": "1.4.1 Use of Color, 3.3.1 Error Identification",
        },
        "what": {
            "ja": "誤りのある入力欄ごとに、アイコンと文章のエラー表示が結び付いていること（色だけで示さないこと）",
            "en": "Each field in error is tied to an error shown with an icon and words, not by colour alone",
        },
        "how": {
            "ja": "誤りとされた入力欄（aria-invalid）ごとに、aria-describedby が指す表示中の要素に文章とアイコンがあるかを確認",
            "en": "For each field marked invalid (aria-invalid), the visible element its aria-describedby names checked for words and an icon",
        },
        "unit": {"ja": "入力欄", "en": "fields"},
    },
}


def check_result(check_id, items, findings):
    """A check's outcome with the words CHECKS gives it, as the results file records it."""
    texts = CHECKS[check_id]
    return CheckResult(
        id=check_id,
        criteria=tuple(texts["criteria"]),
        title=texts["title"],
        what=texts["what"],
        how=texts["how"],
        unit=texts["unit"],
        items=items,
        findings=findings,
    )
