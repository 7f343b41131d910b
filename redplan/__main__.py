"""Allow `python -m redplan`."""

from redplan.cli import main

main()
