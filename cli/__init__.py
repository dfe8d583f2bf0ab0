"""The `horizon` command line."""
