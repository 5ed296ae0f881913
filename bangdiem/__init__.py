"""The ``bangdiem`` command: one entry point with a subcommand per stage."""
