"""The Qt window: the main window shell (main_window, features, app) and one folder per feature."""
