"""taskboard: a desktop 挂图作战 task-dispatch platform."""

__version__ = "0.1.0"
