"""The `horizon` command line.

Before anything imports numpy: OpenBLAS would start a thread per core, and after each BLAS call
that thread spins waiting for more work. The analyses make only small BLAS calls (a few least
squares in the trend shape), which never use a second thread, so the spinning only takes CPU from
the main thread: 0.2 s of a 1 s `horizon analyze` on two cores. One BLAS thread, then, for the
processes of this command; the variable is removed again once numpy has read it, so a process a
command starts (a sandbox, an inference server) gets the environment it was given.
"""

import os
import sys

if "numpy" not in sys.modules and "OPENBLAS_NUM_THREADS" not in os.environ:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy  # noqa: F401  (OpenBLAS reads the variable when numpy loads it)
    finally:
        del os.environ["OPENBLAS_NUM_THREADS"]
