"""A worker process that leases one managed model's inference server, for tests of servers shared
across processes. It prints `leased <base_url>` once it holds the lease, ends the lease when the
file `<control>/release-<name>` appears (printing `released`), and exits when `<control>/exit-<name>`
appears, through the normal exit path (its manager's exit hook runs).

    python -m tests.support.inference_lessee --name a --namespace NS --state FOLDER --control DIR
        [--gpus N] [--idle S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tests.fakes.fake_inference_server import TEMPLATE
from workers.inference_server import InferenceServerManager
from workers.providers.config import ModelConfig


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--control", type=Path, required=True)
    parser.add_argument("--gpus", type=int, default=0)
    parser.add_argument("--idle", type=float, default=600.0)
    args = parser.parse_args()
    manager = InferenceServerManager(
        idle_timeout_s=args.idle,
        start_timeout_s=30,
        poll_interval_s=0.05,
        templates={"fake": TEMPLATE},
        namespace=args.namespace,
    )
    cfg = ModelConfig(name="fake", managed=True, server_template="fake", weights=args.state, gpus=args.gpus)
    try:
        with manager.lease(cfg) as resolved:
            print(f"leased {resolved.base_url}", flush=True)
            _wait_for(args.control / f"release-{args.name}")
    except Exception as exc:
        print(f"error {type(exc).__name__}: {exc}", flush=True)
        sys.exit(3)
    print("released", flush=True)
    _wait_for(args.control / f"exit-{args.name}")


if __name__ == "__main__":
    main()
