"""Reports and their review: task detail, the review queue, reporting, feedback and close-out dialogs."""
