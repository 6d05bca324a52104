"""Shared UI pieces: the operation runner, the UI context, base table models, lights, the chart canvas and the conflict dialog."""
