"""The task list: its table models, the search panel, the task editor, bulk edit and the task menu actions."""
