"""Real parts for the console's tests and benchmark: the central app under uvicorn on loopback, accounts, enrolled
kiosks with real signed event logs ingested, and headless Chromium (Debian's `chromium` + `chromium-driver`)
driven by Selenium. No mocks of our own code."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict
from sync.central.admin import accounts
from sync.central.storage import registry
from sync.central.events.ingest import ingest
from sync.central.storage.store import Store
from sync.devicekey import load_or_create_device_key, public_key_b64
from sync.eventlog import EventLog

PASSWORD = "correct horse battery staple"
HASH_KEY = b"k" * 32
NO_CHROMIUM = ("\n" + "!" * 78 + "\n!! CONSOLE BROWSER TESTS SKIPPED: no headless Chromium found (need `chromium` and "
               "`chromedriver`,\n!! Debian packages chromium and chromium-driver: scripts/bootstrap.sh installs them)\n"
               + "!" * 78)


class ConsoleServer:
    """create_app over `db_url` under uvicorn in a thread, on a free 127.0.0.1 port; `clock` is injectable."""

    def __init__(self, db_url: str, clock=time.time, **app_kwargs) -> None:
        import uvicorn

        from sync.central.app import create_app
        self.store = Store(db_url)
        app = create_app(self.store, clock=clock, **app_kwargs)
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ConsoleServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:  # uvicorn exposes no event to wait on; bounded poll of its flag
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(15)
        self.store.close()
        self._sock.close()


def add_user(store: Store, name: str, role: str, password: str = PASSWORD) -> None:
    with store.tx() as tx:
        accounts.add_user(tx, name, role, password, datetime.now(timezone.utc))


def result(i: int, verdict: Verdict = Verdict.VALID) -> VerificationResult:
    return VerificationResult(verdict=verdict, reason=Reason.OK if verdict is Verdict.VALID else Reason.PASS_REVOKED,
                              format="ID_CARD", kid="a1b2c3d4", trust_version=3,
                              holder=HolderView(masked_name="张*", masked_id="110105********002X"),
                              subject_digest=bytes([i % 256]) * 32)


def enrol(store: Store, folder: Path, device_id: str, site: str) -> EventLog:
    """Enrol `device_id` at `site` with a real key and return its real event log."""
    key = load_or_create_device_key(folder / f"{device_id}.pem")
    now = datetime.now(timezone.utc)
    with store.tx() as tx:
        token = registry.create_enrollment_token(tx, site, now)
        registry.enroll(tx, token, device_id, public_key_b64(key.public_key()), now)
    return EventLog(folder / f"{device_id}.db", device_id, HASH_KEY)


def seed_kiosk(store: Store, folder: Path, device_id: str, site: str, checks: list[tuple[datetime, Outcome, Verdict]],
               last_seen: datetime | None) -> None:
    """Enrol a kiosk, log `checks` on it, ingest them as an upload would, and set when it was last seen."""
    log = enrol(store, folder, device_id, site)
    events = [log.append(result(i, verdict), outcome, "card", at) for i, (at, outcome, verdict) in enumerate(checks)]
    log.close()
    with store.tx() as tx:
        if events:
            ingest(tx, device_id, events, registry.utc_text(datetime.now(timezone.utc)), "upload")
        tx.execute("UPDATE devices SET last_seen = ? WHERE device_id = ?",
                   (registry.utc_text(last_seen) if last_seen else None, device_id))


def spread(now: datetime, hours: int, per_hour: int) -> list[tuple[datetime, Outcome, Verdict]]:
    """A plausible day of checks: mostly PASS, some STOP (revoked) and SEE_STAFF, every hour back from `now`."""
    out = []
    for h in range(hours, 0, -1):
        for i in range(per_hour):
            at = now - timedelta(hours=h, minutes=-i)
            kind = len(out) % 10
            out.append((at, Outcome.STOP, Verdict.REVOKED) if kind == 7 else
                       (at, Outcome.SEE_STAFF, Verdict.VALID) if kind == 9 else (at, Outcome.PASS, Verdict.VALID))
    return out


# ---------------------------------------------------------------------------------------------------- browser
def find_chromium() -> tuple[str, str] | None:
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver") or next((p for p in ("/usr/lib/chromium/chromedriver",) if Path(p).exists()),
                                                  None)
    return (browser, driver) if browser and driver else None


def start_browser(profile: Path, lang: str = "en-US", width: int = 1280, height: int = 900):
    """Headless Chromium through Selenium with the given binaries (no Selenium Manager download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    found = find_chromium()
    if found is None:
        raise RuntimeError(NO_CHROMIUM)
    browser, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", f"--user-data-dir={profile}", f"--lang={lang}",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-features=Translate,MediaRouter,OptimizationHints"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang,
                                              "download.default_directory": str(profile / "downloads")})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def navigates(driver, element) -> None:
    """Click `element` and wait until the browser shows the page the click leads to (see `navigates_by`)."""
    navigates_by(driver, element.click)


def navigates_by(driver, action) -> None:
    """Do `action` (a click, keys) and wait until the browser shows a new, fully loaded document (WebDriver does not wait for
    a navigation a click starts). The old document is marked first; while the browser swaps documents, a query
    may fail in several ways (stale element, a node that no longer belongs to the document, no document yet),
    so every WebDriver error during the wait means "not yet", never a failure."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    driver.execute_script("document.documentElement.dataset.leftBehind = '1'")
    action()
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return document.readyState === 'complete' && "
                                   "document.documentElement.dataset.leftBehind === undefined"))


def sign_in(driver, base_url: str, name: str, password: str = PASSWORD, next_path: str = "/") -> None:
    from selenium.webdriver.common.by import By
    driver.get(f"{base_url}/login?next={next_path}")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    navigates(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))


# ---------------------------------------------------------------------------------------------------- trust data
class TrustMaterial:
    """A root, an issuer allowed to sign status lists, and files signed with them (real keys, the core's builders)."""

    def __init__(self, now: datetime, folder: Path) -> None:
        from cryptography.hazmat.primitives import serialization

        from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, new_signing_key
        self.now = now
        self.root = new_signing_key()
        self.root_pem = folder / "root.pub.pem"
        self.root_pem.write_bytes(self.root.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        self.issuer_key = new_signing_key()
        self.issuer_kid = kid_for_public_key(self.issuer_key.public_key())
        self.issuer = IssuerKey(self.issuer_kid, self.issuer_key.public_key(), "CN-CONSOLE-TEST",
                                frozenset({"KP1", "STATUS"}))

    @property
    def root_kid_hex(self) -> str:
        from kiosk.core.trust.keys import kid_for_public_key
        return kid_for_public_key(self.root.public_key()).hex()

    def roots(self) -> list:
        from kiosk.core.trust.bundle import RootKey
        return [RootKey.of(self.root.public_key())]

    def bundle(self, version: int, revoked_passes: int = 3) -> bytes:
        from kiosk.core.trust.bundle import BundleContent, sign_bundle
        content = BundleContent(version, self.now - timedelta(hours=1), (self.issuer,),
                                revoked_kids=frozenset({b"\x01" * 8}),
                                revoked_pass_ids=frozenset(f"pass-{i}" for i in range(revoked_passes)),
                                policy={"pairing_window_s": 30}, refresh_due=self.now + timedelta(days=1),
                                expires_at=self.now + timedelta(days=7))
        return sign_bundle(content, self.root)

    def status_list(self, version: int) -> bytes:
        from kiosk.core.outcome.verdicts import Status
        from kiosk.core.status import status_list as sl
        until = self.now + timedelta(days=30)
        entries = {"11010519491231002X": (Status.GREEN, until), "440106195203150032": (Status.RED, until),
                   "11010519850714002X": (Status.YELLOW, until), "110105198001010011": (Status.GREEN, until)}
        return sl.build(entries, b"s" * 16, self.now - timedelta(minutes=30), version, self.issuer_key,
                        self.issuer_kid, region="console-test")


def app_kwargs_with_roots(material: TrustMaterial) -> dict:
    """`roots=` for create_app when this build's publishing checks against pinned roots (the fleet service)."""
    import inspect

    from sync.central.app import create_app
    return {"roots": material.roots()} if "roots" in inspect.signature(create_app).parameters else {}


def heartbeat(store: Store, device_id: str, received: datetime, clock_offset_s: float = 0.0, **fields) -> bool:
    """Record a heartbeat as the fleet service would receive it; False when this build has no fleet service."""
    try:
        from sync.central.admin import fleet
    except ImportError:
        return False
    beat = {"kiosk_utc": registry.utc_text(received + timedelta(seconds=clock_offset_s)), "software_version": "0.1.0",
            "trust_version": 5, "trust_age_s": 3600, "trust_fresh": True, "status_list_version": 9,
            "status_list_age_s": 1800, "demo_trust": False, "paused": False, "backlog": 0, "last_error": "",
            "devices": [{"name": "reader", "ok": True, "detail": ""}, {"name": "scanner", "ok": True, "detail": ""}],
            "disk_free_bytes": 10 ** 10, "disk_log_bytes": 10 ** 6, "disk_budget_bytes": 10 ** 9, **fields}
    with store.tx() as tx:
        fleet.record_heartbeat(tx, device_id, beat, received)
    return True
