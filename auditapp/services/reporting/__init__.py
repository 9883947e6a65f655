"""Figures for the dashboard, the exports and the board pack."""
