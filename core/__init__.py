"""Models, settings, services and the job queue that the API, the web pages and the workers share."""
