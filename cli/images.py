"""`horizon images ...`: the sandbox base image (what `scripts/build_base_image.sh` calls)."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
errors = Console(stderr=True)
images_app = typer.Typer(help="Build the Docker sandbox base image offline.", no_args_is_help=True)


@images_app.command("build-base")
def build_base(
    rebuild: bool = typer.Option(False, "--rebuild", help="Ignore the cached root filesystem tarball."),
    docker_host: str | None = typer.Option(
        None, "--docker-host", help="Default: DOCKER_HOST or the local socket."
    ),
) -> None:
    """debootstrap (cached) + docker import the base image; print its tag, size and the time taken."""
    from workers.sandbox.base import SandboxError
    from workers.sandbox.docker.backend import DockerBackend

    started = time.monotonic()
    backend = DockerBackend(docker_host)
    try:
        tag = backend.ensure_base_image(rebuild=rebuild, log=typer.echo)
        image = backend.client.images.get(tag)
    except SandboxError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    finally:
        backend.close()
    size_mb = (image.attrs.get("Size") or 0) / 1e6
    console.print(
        f"{tag} ({image.short_id}, {size_mb:.0f} MB) ready in {time.monotonic() - started:.1f} s",
        highlight=False,
    )


@images_app.command("mirror")
def mirror() -> None:
    """Print the Debian mirror the base image would be built from."""
    from workers.sandbox.base import SandboxError
    from workers.sandbox.docker.images import debian_mirror

    try:
        typer.echo(debian_mirror())
    except SandboxError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
