"""Work windows: actions tracker, dashboard, moderation, template library."""
