"""Painted pictograms: each verdict has its own shape (not just its own colour), plus the idle card/code sign.

PASS is a tick in a circle, STOP an octagon with a bar (a "no entry" shape), SEE STAFF a triangle with "!".
Shapes are drawn in the screen's text colour, so they meet the 3:1 non-text contrast target wherever the text
meets 7:1. Painted with QPainter rather than loaded from files: nothing to go missing on a kiosk. GUI thread.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared.settings import POSITIONS

SHAPES = {"PASS": "tick-circle", "STOP": "octagon-bar", "SEE_STAFF": "triangle-exclamation"}


class VerdictIcon(QWidget):
    def __init__(self, size_px: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(size_px, size_px)
        self._outcome = "SEE_STAFF"
        self._colour = "#000000"

    @property
    def shape(self) -> str:
        return SHAPES.get(self._outcome, SHAPES["SEE_STAFF"])

    def set_outcome(self, outcome: str, colour: str) -> None:
        self._outcome, self._colour = outcome, colour
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        pen = QPen(QColor(self._colour), side * 0.09)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        box = QRectF(side * 0.08, side * 0.08, side * 0.84, side * 0.84)
        getattr(self, "_paint_" + self.shape.replace("-", "_"))(painter, box)
        painter.end()

    def _paint_tick_circle(self, painter: QPainter, box: QRectF) -> None:
        painter.drawEllipse(box)
        path = QPainterPath(QPointF(box.left() + box.width() * 0.25, box.top() + box.height() * 0.52))
        path.lineTo(box.left() + box.width() * 0.43, box.top() + box.height() * 0.70)
        path.lineTo(box.left() + box.width() * 0.76, box.top() + box.height() * 0.32)
        painter.drawPath(path)

    def _paint_octagon_bar(self, painter: QPainter, box: QRectF) -> None:
        c, r = box.center(), box.width() / 2
        points = [QPointF(c.x() + r * math.cos(math.pi / 8 + k * math.pi / 4),
                          c.y() + r * math.sin(math.pi / 8 + k * math.pi / 4)) for k in range(8)]
        painter.drawPolygon(QPolygonF(points))
        painter.drawLine(QPointF(c.x() - r * 0.5, c.y()), QPointF(c.x() + r * 0.5, c.y()))

    def _paint_triangle_exclamation(self, painter: QPainter, box: QRectF) -> None:
        painter.drawPolygon(QPolygonF([QPointF(box.center().x(), box.top()), box.bottomRight(), box.bottomLeft()]))
        x = box.center().x()
        painter.drawLine(QPointF(x, box.top() + box.height() * 0.35), QPointF(x, box.top() + box.height() * 0.65))
        painter.drawPoint(QPointF(x, box.top() + box.height() * 0.82))




class IdlePictogram(QWidget):
    """The ways in that work now: a card laid on a reader and/or a printed code, each with an arrow toward
    where its device sits on this kiosk ([ui] reader_position / camera_position); a person (staff) when none
    works. Drawn in the text colour."""

    def __init__(self, size_px: int, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = colour
        self._card, self._code = True, True
        self._reader_at, self._camera_at = "below", "below"
        self.set_height(size_px)

    def configure(self, card: bool, code: bool, reader_at: str, camera_at: str) -> None:
        self._card, self._code = card, code
        self._reader_at = reader_at if reader_at in POSITIONS else "below"
        self._camera_at = camera_at if camera_at in POSITIONS else "below"
        self.set_height(self.height())
        self.update()

    def signs(self) -> list[str]:
        """The ways in that work now (a person, meaning "see staff", when none does)."""
        return [name for name, on in (("card", self._card), ("code", self._code)) if on] or ["staff"]

    def missing(self) -> list[str]:
        """The devices that are gone, drawn crossed out beside the working ones (none when all are gone)."""
        if not (self._card or self._code):
            return []
        return [name for name, on in (("card", self._card), ("code", self._code)) if not on]

    def describe(self, language: str) -> str:
        parts = [strings.text(f"picture.{sign}_gone", language) for sign in self.missing()]
        for sign in self.signs():
            where = {"card": self._reader_at, "code": self._camera_at}.get(sign)
            text = strings.text(f"picture.{sign}", language)
            parts.append(text + (" " + strings.text(f"where.{where}", language) if where else ""))
        return "; ".join(parts)

    def alignment(self) -> Qt.AlignmentFlag:
        """Toward the side of the device when every shown device is on one side, else centred."""
        sides = {{"card": self._reader_at, "code": self._camera_at}.get(s, "") for s in self.signs()}
        if sides == {"left"}:
            return Qt.AlignmentFlag.AlignLeft
        if sides == {"right"}:
            return Qt.AlignmentFlag.AlignRight
        return Qt.AlignmentFlag.AlignHCenter

    def set_height(self, size_px: float) -> None:
        h = max(8, int(size_px))
        self.setFixedSize(int(h * 1.3 * (len(self.signs()) + len(self.missing()))), h)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        shown = [(sign, True) for sign in self.signs()] + [(sign, False) for sign in self.missing()]
        for index, (sign, works) in enumerate(shown):
            painter.save()
            painter.translate(index * h * 1.3, 0)
            pen = QPen(QColor(self._colour), max(2.0, h * 0.05))
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            box = QRectF(h * 0.2, h * 0.2, h * 0.6, h * 0.6)
            getattr(self, f"_paint_{sign}")(painter, box)
            where = {"card": self._reader_at, "code": self._camera_at}.get(sign)
            if where and works:
                _arrow(painter, QRectF(0, 0, h, h), where, QColor(self._colour))
            elif not works:  # a device that is gone: its sign crossed out
                painter.setPen(QPen(QColor(self._colour), max(3.0, h * 0.08)))
                painter.drawLine(QPointF(h * 0.1, h * 0.1), QPointF(h * 0.9, h * 0.9))
                painter.drawLine(QPointF(h * 0.9, h * 0.1), QPointF(h * 0.1, h * 0.9))
            painter.restore()
        painter.end()

    @staticmethod
    def _paint_card(painter: QPainter, box: QRectF) -> None:
        w, h = box.width(), box.height()
        painter.drawRoundedRect(QRectF(box.left(), box.top() + h * 0.55, w, h * 0.4), h * 0.05, h * 0.05)
        painter.drawRoundedRect(QRectF(box.left() + w * 0.15, box.top() + h * 0.05, w * 0.7, h * 0.42),
                                h * 0.04, h * 0.04)

    def _paint_code(self, painter: QPainter, box: QRectF) -> None:
        painter.drawRect(box)
        cell = box.width() / 5
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self._colour))
        for row, col in ((0, 0), (0, 4), (4, 0), (1, 2), (2, 1), (2, 3), (3, 2), (4, 4)):
            painter.drawRect(QRectF(box.left() + col * cell + cell * 0.15, box.top() + row * cell + cell * 0.15,
                                    cell * 0.7, cell * 0.7))

    @staticmethod
    def _paint_staff(painter: QPainter, box: QRectF) -> None:
        w, h = box.width(), box.height()
        painter.drawEllipse(QRectF(box.left() + w * 0.32, box.top(), w * 0.36, h * 0.36))
        path = QPainterPath(QPointF(box.left() + w * 0.1, box.bottom()))
        path.cubicTo(QPointF(box.left() + w * 0.1, box.top() + h * 0.45), QPointF(box.right() - w * 0.1,
                     box.top() + h * 0.45), QPointF(box.right() - w * 0.1, box.bottom()))
        painter.drawPath(path)


def _arrow(painter: QPainter, cell: QRectF, where: str, colour: QColor) -> None:
    """A solid arrow at the edge of `cell` pointing out toward `where`."""
    c, s = cell.center(), cell.width()
    tip = {"below": QPointF(c.x(), cell.bottom()), "above": QPointF(c.x(), cell.top()),
           "left": QPointF(cell.left(), c.y()), "right": QPointF(cell.right(), c.y())}[where]
    dx, dy = {"below": (0, -1), "above": (0, 1), "left": (1, 0), "right": (-1, 0)}[where]
    base = QPointF(tip.x() + dx * s * 0.19, tip.y() + dy * s * 0.19)
    px, py = -dy * s * 0.13, dx * s * 0.13
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(QPolygonF([tip, QPointF(base.x() + px, base.y() + py), QPointF(base.x() - px, base.y() - py)]))
