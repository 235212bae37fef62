"""The administrators' console in a real headless Chromium: sign in, the fleet with a stale kiosk's alert,
publishing with a preview, disabling a kiosk, lockout after wrong passwords (kept across a restart), a viewer
refused, the checks chart and its CSV, the language switch."""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from selenium.webdriver.common.by import By

from sync.central.admin import audit
from sync.central.console import fleet_source
from tests.sync.console.consolekit import PASSWORD, ConsoleServer, navigates, sign_in


def text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def audit_actions(store) -> list[tuple[str, str, str]]:
    with store.tx() as tx:
        return [(e["actor"], e["action"], e["target"]) for e in audit.entries(tx)]


def session_client(driver, base_url: str) -> httpx.Client:
    """An HTTP client carrying the browser's session cookie (to fetch the CSV the page links to)."""
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    return httpx.Client(base_url=base_url, cookies=cookies, headers={"Origin": base_url}, timeout=30)


def test_anonymous_is_sent_to_sign_in_then_back(seeded, browser):
    browser.get(seeded.url + "/checks")
    assert "/login?next=%2Fchecks" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("vera")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))
    assert browser.current_url == seeded.url + "/checks"
    cookie = browser.get_cookie("kc_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert ("vera", "login", "") in audit_actions(seeded.store)


def test_fleet_shows_the_stale_kiosk_first_with_its_alert_and_filters(seeded, browser):
    sign_in(browser, seeded.url, "vera")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr")
    ids = [r.find_element(By.CSS_SELECTOR, "th").text for r in rows]
    assert set(ids) == {"gate-stale", "gate-ok", "gate-east", "gate-new"}
    stale = rows[ids.index("gate-stale")]
    assert "silent" in stale.text  # no contact for three hours
    assert ids.index("gate-stale") < ids.index("gate-ok") and ids.index("gate-stale") < ids.index("gate-east")
    assert ids[:2] == ["gate-stale", "gate-new"] or ids[:2] == ["gate-new", "gate-stale"]  # both silent, worst first
    assert "OK" in rows[ids.index("gate-ok")].text
    browser.find_element(By.CSS_SELECTOR, "#f-alert option[value='silent']").click()
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button"))
    shown = {r.find_element(By.CSS_SELECTOR, "th").text
             for r in browser.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr")}
    assert shown == {"gate-stale", "gate-new"}
    browser.get(seeded.url + "/?site=east")
    shown = {r.find_element(By.CSS_SELECTOR, "th").text
             for r in browser.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr")}
    assert shown == {"gate-east", "gate-new"}


def test_fleet_shows_heartbeat_alerts_and_the_kiosk_its_history(seeded, browser):
    if not fleet_source.has_heartbeats():
        pytest.skip("this build has no fleet service (sync.central.admin.fleet): heartbeats arrive with it")
    sign_in(browser, seeded.url, "vera")
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr")
               if r.find_element(By.CSS_SELECTOR, "th").text == "gate-east")
    assert {"paused", "clock", "blind (device fault)"} <= {b.text for b in row.find_elements(By.CSS_SELECTOR, ".badge")}
    assert "+300 s" in row.text and "scanner ✗" in row.text
    navigates(browser, browser.find_element(By.LINK_TEXT, "gate-east"))
    history = browser.find_elements(By.CSS_SELECTOR, "#heartbeats tbody tr")
    assert len(history) == 2 and "40" in history[0].text  # newest first


def test_kiosk_page_shows_checks_per_hour(seeded, browser):
    sign_in(browser, seeded.url, "vera")
    navigates(browser, browser.find_element(By.LINK_TEXT, "gate-ok"))
    assert text(browser, "h1") == "Kiosk gate-ok"
    bars = browser.find_elements(By.CSS_SELECTOR, "svg#hourly rect[fill='#1a7f37']")
    assert len(bars) >= 24  # PASS in each of the last hours
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/disable']")  # a viewer cannot act


def test_publish_with_preview_then_kiosks_get_it(seeded, browser):
    bundle = seeded.folder / "bundle-v5.ktb"
    bundle.write_bytes(seeded.material.bundle(5, revoked_passes=3))
    sign_in(browser, seeded.url, "ada", next_path="/publish")
    browser.find_element(By.ID, "upload").send_keys(str(bundle))
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/publish/preview'] button"))
    assert text(browser, "#pv-kind") == "trust-bundle"
    assert text(browser, "#pv-version") == "5"
    assert text(browser, "#pv-signer") == seeded.material.root_kid_hex
    entries = {td.get_attribute("data-key"): td.text for td in browser.find_elements(By.CSS_SELECTOR, "#pv-entries td")}
    assert entries == {"keys": "1", "revoked_kids": "1", "revoked_passes": "3", "revoked_rids": "0"}
    assert "CN-CONSOLE-TEST" in text(browser, "#pv-issuers")
    assert text(browser, "#pv-target") == "every site"
    with seeded.store.tx() as tx:  # nothing is published by a preview
        assert tx.execute("SELECT COUNT(*) FROM files WHERE substr(name, 1, 1) <> '_'").fetchone()[0] == 0
    navigates(browser, browser.find_element(By.ID, "confirm-publish"))
    assert "Published trust-bundle" in text(browser, "p.success")
    with seeded.store.tx() as tx:
        assert bytes(tx.execute("SELECT body FROM files WHERE name = 'trust-bundle'").fetchone()[0]) == bundle.read_bytes()
    # a status list signed by the bundle's issuer: its signature is checked against the published bundle
    status = seeded.folder / "status-v9.ksl"
    status.write_bytes(seeded.material.status_list(9))
    browser.find_element(By.ID, "upload").send_keys(str(status))
    browser.find_element(By.CSS_SELECTOR, "#p-site option[value='north']").click()
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/publish/preview'] button"))
    assert text(browser, "#pv-kind") == "status-list" and text(browser, "#pv-version") == "9"
    assert text(browser, "#pv-signature").startswith("valid")
    entries = {td.get_attribute("data-key"): td.text for td in browser.find_elements(By.CSS_SELECTOR, "#pv-entries td")}
    assert entries == {"green": "2", "yellow": "1", "red": "1", "records": "4"}
    assert text(browser, "#pv-target") == "this site only: north"
    navigates(browser, browser.find_element(By.ID, "confirm-publish"))
    actions = audit_actions(seeded.store)
    assert ("ada", "publish", "trust-bundle") in actions and ("ada", "publish", "north/status-list") in actions
    assert ("ada", "publish_preview", "trust-bundle") in actions


def test_garbage_is_not_published(seeded, browser):
    junk = seeded.folder / "hello.txt"
    junk.write_bytes(b"hello")
    sign_in(browser, seeded.url, "ada", next_path="/publish")
    browser.find_element(By.ID, "upload").send_keys(str(junk))
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/publish/preview'] button"))
    assert "cannot be previewed" in text(browser, "p.error")
    assert not browser.find_elements(By.ID, "confirm-publish")


def test_operator_disables_a_kiosk(seeded, browser):
    if not fleet_source.can_disable():
        pytest.skip("this build has no fleet service (registry.disable_device): disabling arrives with it")
    sign_in(browser, seeded.url, "otto", next_path="/kiosks/gate-east")
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/kiosks/gate-east/disable'] button"))
    assert "disabled" in text(browser, "main").lower()
    assert "Kiosk gate-east is disabled." in text(browser, "main")
    browser.get(seeded.url + "/?alert=disabled")
    shown = [r.find_element(By.CSS_SELECTOR, "th").text for r in browser.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr")]
    assert shown == ["gate-east"]
    assert ("otto", "kiosk_disable", "gate-east") in audit_actions(seeded.store)


def test_operator_creates_enrolment_and_reenrolment_tokens(seeded, browser):
    sign_in(browser, seeded.url, "otto", next_path="/tokens")
    browser.find_element(By.ID, "t-site").send_keys("west")
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/tokens'] button"))
    token = text(browser, "#new-token")
    assert token.startswith("enr_")
    assert "west" in text(browser, "table tbody")
    browser.get(seeded.url + "/kiosks/gate-ok")
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/kiosks/gate-ok/reenrol'] button"))
    assert text(browser, "#new-token")
    actions = audit_actions(seeded.store)
    assert ("otto", "token_create", "west") in actions and ("otto", "kiosk_reenrol_token", "gate-ok") in actions


def test_five_wrong_passwords_lock_the_account_even_after_a_restart(seeded, browser):
    for attempt in range(5):
        sign_in(browser, seeded.url, "otto", password=f"wrong password {attempt}")
        assert browser.current_url.startswith(seeded.url + "/login")
    assert "locked until" in text(browser, "#login-error")
    sign_in(browser, seeded.url, "otto")  # the right password is refused while locked
    assert "locked until" in text(browser, "#login-error")
    seeded.server.stop()  # a restart of the service over the same database
    again = ConsoleServer(seeded.server.store.url).start()
    try:
        sign_in(browser, again.url, "otto")
        assert "locked until" in text(browser, "#login-error")
        sign_in(browser, again.url, "ada")  # other accounts are not affected
        assert browser.current_url == again.url + "/"
        with again.store.tx() as tx:
            failed = [e for e in audit.entries(tx, action="login_failed") if e["target"] == "otto"]
        assert [e["detail"] for e in failed].count("locked") >= 2 and len(failed) == 7
    finally:
        again.stop()


def test_a_viewer_is_refused_everywhere_it_may_not_go(seeded, browser):
    sign_in(browser, seeded.url, "vera")
    nav = text(browser, "nav")
    assert "Publishing" not in nav and "Audit log" not in nav and "Enrolment tokens" not in nav
    for path in ("/publish", "/audit", "/users", "/tokens"):
        browser.get(seeded.url + path)
        assert text(browser, "h1") == "Not allowed", path
    with session_client(browser, seeded.url) as client:  # and the endpoints behind the forms
        for path, data in (("/kiosks/gate-ok/disable", {}), ("/tokens", {"site": "x"}),
                           ("/publish/confirm", {"draft_id": "x"}), ("/users/ada/disable", {})):
            assert client.post(path, data=data).status_code == 403, path
        assert client.post("/publish/preview", files={"upload": ("b", b"x")}).status_code == 403


def test_checks_chart_by_outcome_and_the_csv_of_the_same_filter(seeded, browser):
    sign_in(browser, seeded.url, "vera", next_path="/checks")
    assert browser.find_elements(By.CSS_SELECTOR, "svg#counts rect")
    total = int(text(browser, "#total").replace(",", ""))
    assert total == 5 * 4 + 30 * 6 + 10 * 3 + 1
    browser.find_element(By.CSS_SELECTOR, "#c-site option[value='east']").click()
    browser.find_element(By.CSS_SELECTOR, "#c-outcome option[value='STOP']").click()
    browser.find_element(By.CSS_SELECTOR, "#c-interval option[value='hour']").click()
    navigates(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button"))
    assert int(text(browser, "#total")) == 3 + 1  # one in ten is STOP, plus the expired card
    href = browser.find_element(By.ID, "csv-link").get_attribute("href")
    with session_client(browser, seeded.url) as client:
        rows = list(csv.DictReader(io.StringIO(client.get(href).text)))
    assert {r["site"] for r in rows} == {"east"} and {r["outcome"] for r in rows} == {"STOP"}
    assert sum(int(r["count"]) for r in rows) == 4
    assert {r["verdict"] for r in rows} == {"REVOKED", "EXPIRED"}
    assert ("vera", "export_counts_csv") in [(a, b) for a, b, _ in audit_actions(seeded.store)]


def test_language_switch_to_chinese(seeded, browser):
    sign_in(browser, seeded.url, "vera")
    navigates(browser, browser.find_element(By.LINK_TEXT, "中文"))
    assert text(browser, "h1").startswith("设备总览")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert "失联" in text(browser, "table.fleet")
