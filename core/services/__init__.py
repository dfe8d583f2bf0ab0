"""What the API, the pages, the CLI and the workers do to the database, written once."""
