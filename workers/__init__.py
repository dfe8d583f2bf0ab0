"""Code that runs only on workers: jobs, sandboxes, scaffolds, model clients and inference servers."""
