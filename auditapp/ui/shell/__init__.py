"""The application and its main window."""
