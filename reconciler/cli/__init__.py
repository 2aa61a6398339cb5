"""The `ncesync` command line: one thin module per command."""
