"""Formatters: turn result models into text, JSON and other formats; they never decide."""
