"""The REST API under /api, and the application that also mounts the web pages."""
