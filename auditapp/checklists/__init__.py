"""The checklist template format (YAML and Excel)."""
