"""Pure rules, no I/O and no database: grades, agreement, actions, permissions, suppression."""
