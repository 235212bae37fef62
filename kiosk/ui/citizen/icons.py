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
    """A card laid on a reader (left) and a printed code (right), in the text colour."""

    def __init__(self, size_px: int, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(size_px * 2, size_px)
        self._colour = colour

    def set_height(self, size_px: int) -> None:
        self.setFixedSize(size_px * 2, size_px)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        pen = QPen(QColor(self._colour), h * 0.05)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(h * 0.1, h * 0.55, h * 0.8, h * 0.35), h * 0.04, h * 0.04)  # reader
        painter.drawRoundedRect(QRectF(h * 0.22, h * 0.15, h * 0.56, h * 0.34), h * 0.03, h * 0.03)  # card
        painter.drawLine(QPointF(h * 0.5, h * 0.02), QPointF(h * 0.5, h * 0.12))
        left = h * 1.15
        painter.drawRect(QRectF(left, h * 0.15, h * 0.7, h * 0.7))  # code
        cell = h * 0.7 / 5
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self._colour))
        for row, col in ((0, 0), (0, 4), (4, 0), (1, 2), (2, 1), (2, 3), (3, 2), (4, 4)):
            painter.drawRect(QRectF(left + col * cell + cell * 0.15, h * 0.15 + row * cell + cell * 0.15,
                                    cell * 0.7, cell * 0.7))
        painter.end()
