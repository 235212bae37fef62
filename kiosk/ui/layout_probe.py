"""Measure what the kiosk window shows: every element's text and rectangle, whether it is fully on screen and
whether its text is clipped, read from the real widgets after the layout has settled.

Used by `kiosk demo --screen WxH --screenshots DIR` (DIR/layout.json) and by the panel tests. An element is
*visible* when it is shown and its whole rectangle lies inside the window and inside every scrolling viewport
around it; its text is *clipped* when the widget is smaller than its text needs (word-wrapped height, or the
width of a single-line label or button). GUI thread only.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QLabel, QLineEdit, QWidget


@dataclass(frozen=True)
class Element:
    element: str
    text: str
    x: int
    y: int
    w: int
    h: int
    visible: bool
    clipped: bool

    def as_dict(self) -> dict:
        return asdict(self)


def settle(window: QWidget) -> None:
    """Let pending layout requests and resizes run, so that what is measured is what is painted."""
    app = QApplication.instance()
    for _ in range(3):
        app.processEvents()
        if window.layout() is not None:
            window.layout().activate()


def measure(window: QWidget) -> list[Element]:
    """Every shown element of the current screen: citizen rows, pictograms, the strip, staff/admin controls."""
    elements = []
    for name, widget in _elements(window):
        if not widget.isVisibleTo(window):
            continue
        top_left = widget.mapTo(window, widget.rect().topLeft())
        rect = QRect(top_left, widget.size())
        elements.append(Element(name, _text(widget), rect.x(), rect.y(), rect.width(), rect.height(),
                                _fully_shown(window, widget, rect), _clipped(widget)))
    return elements


def problems(elements: list[Element]) -> list[Element]:
    return [e for e in elements if not e.visible or e.clipped]


def _elements(window: QWidget) -> list[tuple[str, QWidget]]:
    found: list[tuple[str, QWidget]] = []
    counts: dict[str, int] = {}
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, (QLabel, QAbstractButton, QLineEdit)) and not widget.objectName() in (
                "pictogram", "verdict-icon"):
            continue
        if widget.objectName().startswith("qt_") or not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)) and not widget.text() and not widget.objectName():
            continue
        name = widget.objectName() or type(widget).__name__.lower()
        counts[name] = counts.get(name, 0) + 1
        found.append((name if counts[name] == 1 else f"{name}#{counts[name]}", widget))
    return found


def _text(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return "" if widget.echoMode() != QLineEdit.EchoMode.Normal else widget.text()
    if isinstance(widget, (QLabel, QAbstractButton)):
        return widget.text().replace("\u200b", "")  # the soft breaks of long names are not text
    return widget.accessibleName()


def _fully_shown(window: QWidget, widget: QWidget, rect: QRect) -> bool:
    if not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            viewport = parent.viewport()
            port = QRect(viewport.mapTo(window, viewport.rect().topLeft()), viewport.size())
            if not port.contains(rect):
                return False
        parent = parent.parentWidget()
    return True


def _clipped(widget: QWidget) -> bool:
    if isinstance(widget, QLabel) and widget.text():
        if widget.wordWrap():
            # a word wider than the label runs off its side (CJK text breaks between characters: not a word)
            words = [w for w in widget.text().replace("\u200b", " ").split() if all(ord(ch) < 0x2E80 for ch in w)]
            widest = max((widget.fontMetrics().horizontalAdvance(word) for word in words), default=0)
            room = widget.contentsRect().width()
            return widget.heightForWidth(widget.width()) > widget.height() + 1 or widest > room + 1
        hint = widget.sizeHint()
        return hint.width() > widget.width() + 1 or hint.height() > widget.height() + 1
    if isinstance(widget, QAbstractButton) and widget.text():
        advance = widget.fontMetrics().horizontalAdvance(widget.text())
        return advance > widget.contentsRect().width() - 4 or widget.fontMetrics().height() > widget.height()
    return False


class ScreenRecorder:
    """Screenshots of a window at its exact size, and the layout entries of each, for `kiosk demo --screen`.

    `capture(step, state)` settles the layout, saves `<nn>-<state>.png` and records one entry per shown element:
    {step, state, element, text, x, y, w, h, visible} (`visible` is False for an element partly off screen or
    with clipped text). `write()` saves them as layout.json."""

    def __init__(self, window: QWidget, out_dir) -> None:
        from pathlib import Path
        self.window, self.out_dir = window, Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.entries: list[dict] = []
        self.shots: list = []
        self.problems: list[tuple[str, str, Element]] = []

    def capture(self, step: str, state: str) -> None:
        settle(self.window)
        image = self.window.grab().toImage()
        path = self.out_dir / f"{len(self.shots) + 1:02d}-{_slug(step)}-{_slug(state)}.png"
        image.save(str(path), "PNG", 80)
        self.shots.append((path, image.width(), image.height()))
        for element in measure(self.window):
            ok = element.visible and not element.clipped
            self.entries.append({"step": step, "state": state, "element": element.element, "text": element.text,
                                 "x": element.x, "y": element.y, "w": element.w, "h": element.h, "visible": ok})
            if not ok:
                self.problems.append((step, state, element))

    def write(self):
        import json
        path = self.out_dir / "layout.json"
        path.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1), encoding="utf-8")
        return path


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(text)).strip("-")[:40] or "state"
