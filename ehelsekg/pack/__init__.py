"""The meeting pack: one report's status, costs and views as files for a council meeting."""
