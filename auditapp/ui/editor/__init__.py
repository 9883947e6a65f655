"""The audit editor: its window and navigator, its pages (a section, the overall judgement,
the actions, the history), question cards, the action dialog, the problems that stop a
submission, undoable changes and the autosaver."""
