"""Shared widgets and helpers: alerts, date fields, grade widgets, style, table models, workers."""
