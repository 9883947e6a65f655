"""The audit editor: its window, pages, question cards and autosaver."""
