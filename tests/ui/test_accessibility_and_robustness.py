"""Screen readers (names, roles, verdict announcements), crash-proof results, the None refcount (PySide6 6.12
defect), and the screenshot gallery."""
from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QLineEdit

from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Verdict
from kiosk.ui.gallery import render_gallery


def _assert_named(root):
    controls = [w for w in root.findChildren(QAbstractButton) + root.findChildren(QLineEdit) +
                root.findChildren(QAbstractSpinBox) if w.isVisible() and not w.objectName().startswith("qt_")]
    assert controls
    roles = {QLineEdit: QAccessible.Role.EditableText, QAbstractSpinBox: QAccessible.Role.SpinBox,
             QAbstractButton: QAccessible.Role.Button}
    for control in controls:
        iface = QAccessible.queryAccessibleInterface(control)
        assert iface is not None and iface.text(QAccessible.Text.Name).strip(), control
        assert iface.role() == next(role for cls, role in roles.items() if isinstance(control, cls))


def test_every_control_is_named_for_screen_readers(make_window):
    win = make_window()
    _assert_named(win.bar)
    assert "重播" in QAccessible.queryAccessibleInterface(win.bar.repeat).text(QAccessible.Text.Name)
    assert "Repeat" in QAccessible.queryAccessibleInterface(win.bar.repeat).text(QAccessible.Text.Name)
    for role, pin in (("staff", "2468"), ("admin", "135790")):
        win.staff.ask_pin(role)
        _assert_named(win.staff.page)
        win.staff.page.submit(pin)
        _assert_named(win.staff.page)


def test_a_new_verdict_is_announced(make_window, expired_result):
    win = make_window()
    win.show_result(expired_result, Outcome.STOP)
    assert "停止" in win.last_announcement and "Please do not go through" in win.last_announcement
    name = QAccessible.queryAccessibleInterface(win.verdict_page).text(QAccessible.Text.Name)
    assert name == win.last_announcement
    assert "310101" not in win.last_announcement  # identity is on screen, not read out


class Hostile:
    def __str__(self):
        raise ValueError("no")


fields = st.one_of(st.none(), st.text(max_size=300), st.just("x" * 100_000), st.integers(), st.just(Hostile()))


def test_no_result_can_crash_the_window(make_window):
    win = make_window()

    @settings(max_examples=40, deadline=None)
    @given(reason=fields, name=fields, masked=fields, pass_type=fields,
           outcome=st.one_of(st.sampled_from(list(Outcome)), fields))
    def check(reason, name, masked, pass_type, outcome):
        result = VerificationResult(Verdict.INVALID, reason, "UNKNOWN", pass_type=pass_type,
                                    holder=HolderView(name, masked))
        win.show_result(result, outcome)
        assert win.current_state() == "verdict"
        assert all(len(text) < 200 for text in win.verdict_page.visible_text())
        win.show_result(object(), outcome)
        win.show_device_status(reason, bool(name), masked)
        assert win.current_state() == "verdict"

    check()


def test_verdict_from_a_card_leaves_no_personal_data_after_lifting(make_window, qtbot, card_result):
    win = make_window()
    win.show_reading("card")
    win.show_result(card_result, Outcome.PASS)
    qtbot.wait(100)
    win.card_lifted()
    assert win.current_state() == "idle"
    texts = " ".join(lbl.text() for lbl in win.findChildren(type(win.verdict_page.word)))
    assert "440301" not in texts and "王" not in texts


def test_none_refcount_stays_level_over_thousands_of_ui_updates(make_window, valid_result):
    """PySide6 6.12.0 + Python 3.11 drops a reference to None on every void call and aborts the process."""
    win = make_window()
    app = QApplication.instance()
    for _ in range(50):
        win.update()
    before = sys.getrefcount(None)
    for index in range(3000):
        win.verdict_page.update()
        win.voice.reset_volume()
        if index % 100 == 0:
            win.show_result(valid_result, Outcome.PASS if index % 200 else Outcome.STOP)
            app.processEvents()
    after = sys.getrefcount(None)
    assert abs(after - before) < 500, (before, after)


def test_gallery_renders_every_state_as_named(qapp, tmp_path):
    from PySide6.QtGui import QImage

    from tests.ui.pixels import text_contrast
    written = render_gallery(tmp_path, languages=("zh-Hant-HK",))
    assert len(written) == 17 and all(p.stat().st_size > 5000 for p in written)
    paths = {p.stem.split("-", 1)[1]: p for p in written}
    assert set(paths) >= {"idle", "reading-card", "verdict-pass", "verdict-stop", "verdict-see-staff", "unavailable",
                          "paused", "staff-pin", "staff-lookup-result", "admin-pin", "admin-panel"}
    backgrounds = {name: text_contrast(QImage(str(path)))[1] for name, path in paths.items()}
    assert backgrounds["verdict-pass"] == (0x3D, 0xEC, 0x94)
    assert backgrounds["verdict-stop"] == (0xA5, 0x00, 0x21)
    assert backgrounds["unavailable"] == backgrounds["paused"] == (0xFF, 0xC2, 0x0A)
    assert backgrounds["idle"] == (0x0B, 0x1A, 0x2E)


def test_nothing_flashes_while_a_verdict_is_up(make_window, qtbot, expired_result):
    win = make_window(hold_seconds=5)
    win.show_result(expired_result, Outcome.STOP)
    qtbot.waitUntil(lambda: win.verdict_page.paint_count > 0)
    first = win.grab().toImage()
    qtbot.wait(50)
    painted = win.verdict_page.paint_count
    qtbot.wait(700)  # watching the screen for a while: nothing may blink or animate
    assert win.verdict_page.paint_count == painted  # not even a repaint
    assert win.grab().toImage() == first


def test_the_idle_pictogram_is_named_in_every_language(make_window):
    win = make_window()
    name = QAccessible.queryAccessibleInterface(win.idle_page._pictogram).text(QAccessible.Text.Name)
    assert "读卡器" in name and "讀卡器" in name and "card reader" in name
