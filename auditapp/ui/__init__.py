"""The desktop user interface (PySide6). The only package, with start-up, that imports Qt."""
