"""Turns requirements and declared deployments into designs, estimates and recommendations (never prints)."""
