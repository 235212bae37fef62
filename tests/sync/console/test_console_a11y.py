"""Accessibility of the console, checked in headless Chromium on every page in both languages: every field has a
label (an accessible name), all text meets WCAG AA contrast (4.5:1, 3:1 for large text) against what is really
behind it, and the console is usable with the keyboard alone (skip link, visible focus, sign-in, filters)."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from sync.central.console import charts
from tests.sync.console.consolekit import navigates, navigates_by, sign_in

PAGES = ("/", "/kiosks/gate-ok", "/kiosks/gate-new", "/checks", "/checks?interval=hour&by=verdict", "/publish",
         "/tokens", "/audit", "/users")

UNLABELLED = """
const bad = [];
for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
  let name = el.labels ? [...el.labels].map(l => l.textContent.trim()).join(' ') : '';
  name = name || (el.getAttribute('aria-label') || '').trim();
  const by = el.getAttribute('aria-labelledby');
  if (!name && by) name = by.split(' ').map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  if (!name && el.tagName === 'BUTTON') name = el.textContent.trim();
  if (!name) bad.push(el.outerHTML.slice(0, 160));
}
return bad;
"""

LOW_CONTRAST = """
function parse(c) { const m = (c || '').match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; }
function lum(c) { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
function behind(el) { for (; el && el.nodeType === 1; el = el.parentElement) {
  const c = parse(getComputedStyle(el).backgroundColor); if (c && c.a > 0.99) return c; }
  return {r: 255, g: 255, b: 255, a: 1}; }
const out = []; let checked = 0;
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode; if (!node.textContent.trim()) continue;
  const el = node.parentElement; if (el.closest('title, script, style, option')) continue;
  const cs = getComputedStyle(el); if (cs.visibility === 'hidden' || cs.display === 'none') continue;
  const box = el.getBoundingClientRect(); if (box.width < 2 || box.height < 2) continue;
  const svg = el.closest('svg');
  const fg = parse(svg ? cs.fill : cs.color); const bg = behind(svg || el);
  const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
  const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
  const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  checked++;
  if (ratio < need) out.push(node.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2) + ' < ' + need);
}
return [checked, out];
"""


def _contrast(c1: str, c2: str = "#ffffff") -> float:
    def lum(hex_colour: str) -> float:
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    a, b = sorted((lum(c1), lum(c2)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_chart_colours_stand_out_from_the_white_plot():
    for colour in (*charts.PALETTE.values(), *charts.OTHER_COLOURS):
        assert _contrast(colour) >= 4.5, colour  # used for bars (3:1 needed) and as legend swatches


def _preview_page(seeded, browser) -> None:
    bundle = seeded.folder / "bundle.ktb"
    bundle.write_bytes(seeded.material.bundle(2))
    browser.get(seeded.url + "/publish")
    browser.find_element(By.ID, "upload").send_keys(str(bundle))
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/publish/preview'] button"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_has_labelled_fields_and_aa_contrast(seeded, browser, lang):
    browser.get(f"{seeded.url}/lang/{lang}?next=/login")
    problems = {}
    for check in ("labels", "contrast"):
        found = browser.execute_script(UNLABELLED) if check == "labels" else browser.execute_script(LOW_CONTRAST)[1]
        if found:
            problems[("/login", check)] = found
    sign_in(browser, seeded.url, "ada")
    for path in (*PAGES, "preview"):
        if path == "preview":
            _preview_page(seeded, browser)
        else:
            browser.get(seeded.url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text
        unlabelled = browser.execute_script(UNLABELLED)
        checked, low = browser.execute_script(LOW_CONTRAST)
        assert checked > 10, path
        if unlabelled:
            problems[(path, "labels")] = unlabelled
        if low:
            problems[(path, "contrast")] = low
    assert not problems
    # and the checks do find faults: a grey-on-white line and an unnamed field, added to the page, are reported
    browser.execute_script("const p = document.createElement('p'); p.textContent = 'faint text here'; "
                           "p.style.color = '#aaaaaa'; document.querySelector('main').append(p); "
                           "document.querySelector('main').append(document.createElement('input'));")
    assert any("faint text here" in line for line in browser.execute_script(LOW_CONTRAST)[1])
    assert len(browser.execute_script(UNLABELLED)) == 1


def _focused(browser):
    return browser.switch_to.active_element


def _tab_to(browser, predicate, limit: int = 40):
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        element = _focused(browser)
        if predicate(element):
            return element
    raise AssertionError("keyboard focus never reached the element")


def _focus_is_visible(browser, element) -> bool:
    style = browser.execute_script("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];",
                                   element)
    return style[0] != "none" and float(style[1].rstrip("px")) >= 2


def test_keyboard_only_sign_in_skip_link_navigation_and_filters(seeded, browser):
    browser.get(seeded.url + "/lang/en?next=/login")
    user = _tab_to(browser, lambda e: e.get_attribute("id") == "username")
    assert _focus_is_visible(browser, user)
    ActionChains(browser).send_keys("vera").send_keys(Keys.TAB).perform()
    assert _focused(browser).get_attribute("id") == "password"
    navigates_by(browser, ActionChains(browser).send_keys("correct horse battery staple").send_keys(Keys.ENTER).perform)
    assert browser.current_url == seeded.url + "/"
    # the first Tab reaches the skip link, which is then visible and moves focus to the content
    ActionChains(browser).send_keys(Keys.TAB).perform()
    skip = _focused(browser)
    assert skip.text == "Skip to content" and skip.rect["x"] >= 0 and _focus_is_visible(browser, skip)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert _focused(browser).get_attribute("id") == "main"
    # the navigation is reachable and shows where focus is
    browser.get(seeded.url + "/")
    checks = _tab_to(browser, lambda e: e.text == "Checks")
    assert _focus_is_visible(browser, checks)
    navigates_by(browser, ActionChains(browser).send_keys(Keys.ENTER).perform)
    assert browser.current_url.endswith("/checks")
    # a filter is chosen and applied with keys alone
    outcome = _tab_to(browser, lambda e: e.get_attribute("id") == "c-outcome")
    assert _focus_is_visible(browser, outcome)
    ActionChains(browser).send_keys(Keys.ARROW_DOWN).perform()  # All -> PASS
    show = _tab_to(browser, lambda e: e.tag_name == "button" and e.text == "Show")
    assert _focus_is_visible(browser, show)
    navigates_by(browser, ActionChains(browser).send_keys(Keys.ENTER).perform)
    assert "outcome=PASS" in browser.current_url
