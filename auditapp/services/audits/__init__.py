"""The audit lifecycle: starting, editing, scoring, submitting, closing and reopening."""
