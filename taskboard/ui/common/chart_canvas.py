"""A matplotlib canvas that keeps one Figure, redraws into it, and makes hot spots live.

Hovering a hot spot shows its exact figures as a tooltip; clicking one emits the unit or
task it stands for. Builders lay out for the figure's width, so a width change redraws,
and a builder's preferred height becomes the canvas's minimum height (the view scrolls).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Optional

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from taskboard.charts.common import Hotspot, new_figure

# Draws into the figure and returns its hot spots.
Builder = Callable[[Figure], list[Hotspot]]
# Preferred figure height in inches for a width in inches (None: fill the view).
Sizer = Callable[[float], Optional[float]]

# matplotlib shares its font objects between figures: one build or render at a time, whether
# on the UI thread or in a loader's worker.
RENDER_LOCK = threading.RLock()


@dataclass(frozen=True)
class RenderPlan:
    """A canvas's size, read on the UI thread, for a render in a worker."""

    width: int  # logical pixels
    height: int
    dpi: float
    original_dpi: float
    ratio: float


@dataclass
class Rendered:
    """A figure built and rendered off the UI thread, ready to be swapped in."""

    figure: Figure
    agg: FigureCanvasAgg
    hotspots: list[Hotspot]
    width_in: float
    min_height: int
    key: tuple


def render_offscreen(plan: RenderPlan, builder: Builder, sizer: Optional[Sizer]) -> Rendered:
    """Build and render a chart for a canvas of ``plan``'s size (any thread, no Qt)."""
    logical = plan.dpi / plan.ratio
    width_in = plan.width / logical
    wanted = sizer(width_in) if sizer else None
    # Whole logical pixels, as the widget will have them once its minimum height applies.
    min_height = int(wanted * logical) if wanted is not None else 0
    height = max(min_height, plan.height)
    with RENDER_LOCK:
        fig = new_figure()
        fig.set_dpi(plan.dpi)
        fig._original_dpi = plan.original_dpi
        fig.set_size_inches(width_in, height / logical, forward=False)
        hotspots = builder(fig)
        agg = FigureCanvasAgg(fig)
        agg.draw()
    return Rendered(fig, agg, hotspots, width_in, min_height, agg._lastKey)


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
        self._adopted_key: Optional[tuple] = None
        self._connect_events()

    def _connect_events(self) -> None:
        # The callbacks live on the figure: a swapped-in figure needs them again.
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

    # --- rendering in a worker ------------------------------------------------------------
    def plan(self) -> Optional[RenderPlan]:
        """This canvas's size for a render in a worker; None when not worth it (hidden, tiny)."""
        if not self.isVisible() or self.width() < 200:
            return None
        return RenderPlan(self.width(), self.height(), self.figure.dpi,
                          getattr(self.figure, "_original_dpi", self.figure.dpi),
                          float(self.device_pixel_ratio))

    def adopt(self, rendered: Rendered, builder: Builder, sizer: Optional[Sizer]) -> None:
        """Swap in a figure rendered elsewhere: on the UI thread only a pointer swap and a
        paint. A canvas resized meanwhile builds anew instead."""
        self._builder, self._sizer = builder, sizer
        self.setMinimumHeight(rendered.min_height)
        ratio = self.device_pixel_ratio
        width_now = int(self.width() * ratio)
        height_will = int(max(self.height(), rendered.min_height) * ratio)
        if rendered.key[:2] != (width_now, height_will) or rendered.key[2] != self.figure.dpi:
            self._rebuild()
            return
        fig = rendered.figure
        fig.set_canvas(self)
        self.figure = fig
        self.renderer = rendered.agg.renderer
        self._lastKey = rendered.key
        self._connect_events()
        self.hotspots = rendered.hotspots
        self._tip_spot = None
        self._built_width = rendered.width_in
        self._stale = False
        self._draw_pending = False
        self._adopted_key = rendered.key
        self.update()

    def resizeEvent(self, event) -> None:
        ratio = self.device_pixel_ratio
        size = (int(event.size().width() * ratio), int(event.size().height() * ratio))
        if self._adopted_key is not None and size == self._adopted_key[:2]:
            # The swapped-in figure was rendered for exactly this size: nothing to redo.
            QWidget.resizeEvent(self, event)
            return
        self._adopted_key = None
        super().resizeEvent(event)

    def draw(self) -> None:
        with RENDER_LOCK:
            super().draw()

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
        self._adopted_key = None
        with RENDER_LOCK:
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
