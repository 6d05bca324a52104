"""A matplotlib canvas that keeps one Figure, redraws into it, and makes hot spots live.

Hovering a hot spot shows its exact figures as a tooltip; clicking one emits the unit or
task it stands for. Builders lay out for the figure's width, so a width change redraws,
and a builder's preferred height becomes the canvas's minimum height (the view scrolls).
"""
from __future__ import annotations

from typing import Callable, Optional

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QSizePolicy, QToolTip

from taskboard.charts.common import Hotspot, new_figure

# Draws into the figure and returns its hot spots.
Builder = Callable[[Figure], list[Hotspot]]
# Preferred figure height in inches for a width in inches (None: fill the view).
Sizer = Callable[[float], Optional[float]]


class ChartCanvas(FigureCanvasQTAgg):
    unitClicked = Signal(int)
    taskClicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(new_figure())
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.hotspots: list[Hotspot] = []
        self._builder: Optional[Builder] = None
        self._sizer: Optional[Sizer] = None
        self._built_width: Optional[float] = None
        self._stale = False
        self._tip_spot: Optional[Hotspot] = None
        self._relayout = QTimer(self, singleShot=True, interval=120)
        self._relayout.timeout.connect(self._rebuild)
        self.mpl_connect("motion_notify_event", self._on_motion)
        self.mpl_connect("button_press_event", self._on_press)
        self.mpl_connect("resize_event", self._on_resize)

    # --- drawing ------------------------------------------------------------------------
    def set_chart(self, builder: Builder, sizer: Optional[Sizer] = None) -> None:
        """Replace what the canvas shows.

        A visible canvas rebuilds now and renders on the next paint; a hidden one (another
        chart tab) only keeps the builder and builds when first shown, so a period switch
        pays for the chart on screen and not for all four.
        """
        self._builder, self._sizer = builder, sizer
        if self.isVisible():
            self._rebuild()
        else:
            self._stale = True

    def ensure_built(self) -> None:
        if self._stale:
            self._rebuild()

    def showEvent(self, event) -> None:
        self.ensure_built()
        super().showEvent(event)

    def _logical_dpi(self) -> float:
        return self.figure.dpi / max(1.0, float(self.device_pixel_ratio))

    def _rebuild(self) -> None:
        if self._builder is None:
            return
        self._stale = False
        width_in = max(self.width(), 200) / self._logical_dpi()
        wanted = self._sizer(width_in) if self._sizer else None
        if wanted is not None:
            self.setMinimumHeight(int(wanted * self._logical_dpi()))
            self.figure.set_size_inches(width_in, max(wanted, self.height() / self._logical_dpi()),
                                        forward=False)
        else:
            self.setMinimumHeight(0)
        self._built_width = width_in
        self.hotspots = self._builder(self.figure)
        self._tip_spot = None
        if self.isVisible():
            self.draw_idle()
        else:
            # A hidden canvas (another chart tab) renders on its first paint, not now:
            # FigureCanvasQT.paintEvent draws whenever a draw is pending.
            self._draw_pending = True

    def draw_now(self) -> None:
        """Render immediately; normally Qt paints lazily on the next event loop turn."""
        self.ensure_built()
        self.draw()
        # The idle draw queued by set_chart would render the same figure a second time.
        self._draw_pending = False

    def _on_resize(self, _event) -> None:
        width_in = self.width() / self._logical_dpi()
        if self._builder is not None and (self._built_width is None
                                          or abs(width_in - self._built_width) > 0.05
                                          or self._sizer is None):
            self._relayout.start()

    # --- interaction --------------------------------------------------------------------
    def spot_at(self, event) -> Optional[Hotspot]:
        if event.x is None or event.y is None:
            return None
        for spot in reversed(self.hotspots):  # the topmost (last drawn) wins
            if spot.artist.figure is self.figure and spot.artist.contains(event)[0]:
                return spot
        return None

    def _on_motion(self, event) -> None:
        spot = self.spot_at(event)
        if spot is self._tip_spot:
            return
        self._tip_spot = spot
        if spot is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(QCursor.pos(), spot.tip, self)

    def _on_press(self, event) -> None:
        if event.button != 1:
            return
        spot = self.spot_at(event)
        if spot is None:
            return
        if spot.unit_id is not None:
            self.unitClicked.emit(spot.unit_id)
        elif spot.task_id is not None:
            self.taskClicked.emit(spot.task_id)
