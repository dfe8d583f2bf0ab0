"""Sandboxes as Docker containers, driven through the Docker SDK (`get_backend("docker")`).

Modules, by concern:

- `client`: a Docker client that answers (else SandboxUnavailable with advice), error wrapping,
  force-removal;
- `exec_stream`: reading an exec's multiplexed output with a deadline into bounded buffers;
- `sandbox`: `DockerSandbox`, one running container (commands, files in and out, teardown);
- `images`: the offline base image and cached task images (built with no network);
- `backend`: `DockerBackend`, which builds images (`images`) and creates locked-down, labelled
  containers within the operator's maxima;
- `reaping`: the label scheme, and removing a run's containers or orphans by it.

Import from the modules themselves: `images` uses `client`, and `backend` uses `images`, so this
package imports nothing on its own.
"""
