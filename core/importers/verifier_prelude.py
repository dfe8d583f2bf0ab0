"""Terminal-Bench verifier preludes, made offline.

Harbor / Terminal-Bench `tests/test.sh` scripts usually install their tools when scoring starts:

    apt-get update && apt-get install -y curl          (or `apk add curl`)
    curl -LsSf https://astral.sh/uv/0.9.5/install.sh | sh
    source $HOME/.local/bin/env
    uvx -p 3.13 -w pytest==8.4.1 -w pytest-json-ctrf==0.3.5 pytest --ctrf ... /tests/test_outputs.py -rA

A Horizon sandbox has no network, so `offline_test_script` rewrites such a script: the package
installs and the uv installer go; the `uvx ... pytest ARGS` (or `uv run --with ... pytest ARGS`)
line becomes `python3 -m pytest ARGS` with the pinned packages installed while the image is built,
from the operator's wheelhouse (`VERIFIER_TOOLS_DIR`, see `verifier_tools_stage`). Anything else
that reaches the internet at scoring time (curl, wget, pip install, git clone ...) is refused with
that reason: the test would fail in the sandbox and score every agent 0.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from core.importers.common import ImportProblem

# Where the verifier's Python packages are installed in the task image (root-owned, read-only for
# the agent) and the build-context folder the image build fills from the operator's wheelhouse.
VERIFIER_TOOLS_DIR = "/opt/horizon-verifier/python"
WHEELHOUSE_CONTEXT = "horizon-wheelhouse"
_REQUIREMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?(==[A-Za-z0-9.+!-]+)?$")
_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
_UV_INSTALLER = re.compile(r"(curl|wget)\b[^|]*astral\.sh/uv/[^|]*\|\s*(ba)?sh\b")
_UV_ENV = re.compile(r"^(source|\.)\s+(\$HOME|\$\{HOME\}|~|/root)/\.(local/bin|cargo)/env\s*$")
_APT_UPDATE = re.compile(r"^(apt-get|apt)\s+(-\S+\s+)*update(\s+-\S+)*$")
_INSTALL = re.compile(r"^(?:(?:DEBIAN_FRONTEND=\S+)\s+)?(apt-get|apt|apk)\s+(.*)$")
# Commands that would need the network when the verifier runs.
_ONLINE = re.compile(
    r"(^|[\s;&|(`])(curl|wget|git\s+clone|pip3?\s+install|python3?\s+-m\s+pip\s+install|uv\s+pip|"
    r"uv\s+sync|uv\s+add|npm\s+(install|i|ci)|npx|apt-get|apt|apk|yum|dnf)(\s|$)"
)


@dataclass
class OfflineVerifier:
    """The rewritten test.sh, what changed, and what the image must provide."""

    script: str
    changes: list[str] = field(default_factory=list)
    python_requirements: list[str] = field(default_factory=list)
    system_packages: list[str] = field(default_factory=list)


def _logical_lines(text: str) -> list[str]:
    return re.sub(r"\\\r?\n\s*", " ", text).splitlines()


def _install_packages(words: list[str]) -> list[str] | None:
    """The packages of `apt-get install -y a b` / `apk add --no-cache a b`; None if not an install."""
    tool, rest = words[0], words[1:]
    verbs = ("add",) if tool == "apk" else ("install",)
    args = [w for w in rest if not w.startswith("-")]
    if not args or args[0] not in verbs:
        return None
    return args[1:]


def _pytest_command(words: list[str]) -> tuple[list[str], list[str]] | None:
    """(pinned requirements, pytest arguments) of `uvx [opts] pytest ARGS` or `uv run [opts]
    pytest ARGS`; None when the line is neither."""
    if words[:1] == ["uvx"]:
        rest = words[1:]
    elif words[:2] == ["uv", "run"]:
        rest = words[2:]
    else:
        return None
    requirements: list[str] = []
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        option = rest[i]
        value = rest[i + 1] if i + 1 < len(rest) else ""
        if option in ("-w", "--with"):
            requirements.append(value)
        elif option.startswith("--with="):
            requirements.append(option.split("=", 1)[1])
            i += 1
            continue
        elif option not in ("-p", "--python", "--no-project", "-q", "--quiet") and not option.startswith(
            "--python="
        ):
            raise ImportProblem(
                f"tests/test.sh runs uv with the option {option!r}, which the importer does not know"
            )
        i += 1 if option in ("--no-project", "-q", "--quiet") or option.startswith("--python=") else 2
    if rest[i : i + 1] != ["pytest"]:
        return None
    if not any(r.split("==")[0].split("[")[0].lower() == "pytest" for r in requirements):
        requirements.insert(0, "pytest")
    return requirements, rest[i + 1 :]


def offline_test_script(text: str) -> OfflineVerifier:
    """`text` (a tests/test.sh) with its online prelude replaced; raises ImportProblem for a
    network use the importer cannot replace."""
    result = OfflineVerifier(script="")
    out: list[str] = []
    dropped_uv = False
    for number, line in enumerate(_logical_lines(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            out.append(line)
            continue
        install = _INSTALL.match(stripped)
        if _APT_UPDATE.match(stripped):
            result.changes.append(f"test.sh line {number}: dropped `{stripped}` (no network when scoring)")
            continue
        if install and "&&" not in stripped and ";" not in stripped:
            packages = _install_packages([install.group(1), *install.group(2).split()])
            if packages is not None:
                for package in packages:
                    if not _PACKAGE.match(package):
                        raise ImportProblem(
                            f"tests/test.sh line {number} installs {package!r}, not a plain package name"
                        )
                result.system_packages += [p for p in packages if p not in result.system_packages]
                result.changes.append(
                    f"test.sh line {number}: `{stripped}` removed; the image must already have "
                    f"{', '.join(packages) or 'nothing'}"
                )
                continue
        if _UV_INSTALLER.search(stripped):
            dropped_uv = True
            result.changes.append(
                f"test.sh line {number}: the uv installer removed (no network when scoring)"
            )
            continue
        if _UV_ENV.match(stripped):
            continue
        try:
            parsed = _pytest_command(shlex.split(stripped))
        except ValueError:
            parsed = None
        if parsed is not None:
            requirements, arguments = parsed
            for requirement in requirements:
                if not _REQUIREMENT.match(requirement):
                    raise ImportProblem(
                        f"tests/test.sh line {number} asks uv for {requirement!r}; only plain pinned "
                        "requirements (name==version) can be installed offline"
                    )
                if requirement not in result.python_requirements:
                    result.python_requirements.append(requirement)
            command = " ".join(["python3", "-m", "pytest", *(shlex.quote(a) for a in arguments)])
            out.append(f"PYTHONPATH={VERIFIER_TOOLS_DIR} {command}")
            result.changes.append(
                f"test.sh line {number}: uv's pytest runs as `python3 -m pytest` with "
                f"{', '.join(requirements)} installed in the image from the operator's wheelhouse"
            )
            continue
        online = _ONLINE.search(stripped)
        if online:
            raise ImportProblem(
                f"tests/test.sh line {number} needs the internet when scoring ({online.group(2)!r} in "
                f"`{stripped[:120]}`); Horizon scores without network, so this task cannot be imported"
            )
        out.append(line)
    if dropped_uv:
        # curl was installed for the uv installer only; the image need not have it.
        uses_curl = any(re.search(r"\bcurl\b", line) for line in out)
        if "curl" in result.system_packages and not uses_curl:
            result.system_packages.remove("curl")
    result.script = "\n".join(out) + "\n"
    return result


def verifier_tools_steps(requirements: list[str], final_stage: str) -> str:
    """Dockerfile steps that install `requirements` from the operator's wheelhouse (copied into
    the build context as WHEELHOUSE_CONTEXT by the image build) in a separate stage, then copy
    only the installed packages into the task image `final_stage` continues."""
    quoted = " ".join(shlex.quote(r) for r in requirements)
    return (
        "\n# Added by Horizon's Harbor importer: the verifier's Python tools, installed offline from\n"
        "# the operator's wheelhouse (HORIZON_AGENT_WHEELHOUSE) instead of by uv when scoring.\n"
        f"FROM horizon-base AS horizon-verifier-tools\n"
        "USER root\n"
        f"COPY {WHEELHOUSE_CONTEXT}/ /tmp/{WHEELHOUSE_CONTEXT}/\n"
        f"RUN set -e; pip=$(ls /tmp/{WHEELHOUSE_CONTEXT}/pip-*.whl | sort -V | tail -n 1);"
        f' python3 "$pip/pip" install --no-index --find-links /tmp/{WHEELHOUSE_CONTEXT}'
        f" --target {VERIFIER_TOOLS_DIR} --no-cache-dir --disable-pip-version-check {quoted}\n"
        f"FROM {final_stage}\n"
        f"COPY --from=horizon-verifier-tools {VERIFIER_TOOLS_DIR} {VERIFIER_TOOLS_DIR}\n"
    )
