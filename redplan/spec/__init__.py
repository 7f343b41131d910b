"""The service file: spec v1 models, units, safe YAML reading, and loading with located errors."""
