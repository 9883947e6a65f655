"""The checklist templates shipped with auditapp (YAML data files)."""
