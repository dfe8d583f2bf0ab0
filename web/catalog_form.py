"""The model and agent forms: form fields -> `ModelCreate` / `AgentCreate` input, and their errors
back beside the fields.

As in the task form (`web.task_form`), a field's name is the schema's dotted path
(`settings.token_limit`), so a pydantic error location names the field it belongs to. The rules
are the schemas' (`core.schemas`) and the catalog service's (`core.services.catalog`), the same
as POST /api/models and POST /api/agents; this module only gathers the input and words the
errors for a form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from web.task_form import GENERAL, field_name, form_number, plain_message

MODEL_TEXT = (
    "name",
    "provider",
    "api_model",
    "base_url",
    "api_key_env",
    "wire_api",
    "release_date",
    "server_template",
    "weights",
)
MODEL_NUMBERS = (
    "input_price_per_mtok",
    "output_price_per_mtok",
    "cached_input_price_per_mtok",
    "cache_write_price_per_mtok",
    "context_window",
    "max_output_tokens",
    "gpus",
)
AGENT_TEXT = ("name", "scaffold", "model", "version", "release_date")
# The settings most agents set; the rest are the API's (docs/agents.md).
AGENT_SETTINGS = (
    "token_limit",
    "time_limit_s",
    "cost_limit_usd",
    "action_limit",
    "max_output_tokens",
    "temperature",
)

# A field's pattern in words (pydantic would quote the regular expression).
PATTERN_WORDS = {
    "name": "must not be empty or start or end with a space",
    "version": "must not be empty or start or end with a space",
    "api_key_env": "an environment variable's name: capital letters, digits and _ (such as OPENAI_API_KEY)",
    "server_template": "letters, digits, _ . and -, starting with a letter or digit",
    "weights": "must not start with - or a space",
    "scaffold": "a registered scaffold name or package.module:Class",
}
# Rules that concern the whole model or agent (no error location): the field each is about,
# found by the words its message starts with.
WHOLE_FORM_FIELDS = (
    ("base_url is required", "base_url"),
    ("a managed model needs", "server_template"),
    ("server_template, weights and gpus", "managed"),
    ("wire_api", "wire_api"),
    ("api_key_env:", "api_key_env"),
    ("base_url:", "base_url"),
    ("a scaffold agent names", "scaffold"),
    ("make a ", "scaffold"),
    ("unknown scaffold", "scaffold"),
    ("scaffold_options", "scaffold"),
    ("the ", "model"),  # "the react scaffold needs a model"
)


@dataclass
class CatalogForm:
    """What the person submitted, kept to re-fill the form when something is wrong."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        """Note a problem with a field, to show beside it."""
        self.errors.setdefault(name, []).append(message)

    def whole_form_error(self, message: str) -> None:
        """A rule broken by the whole submission, shown at the field it names (else above)."""
        for start, name in WHOLE_FORM_FIELDS:
            if message.startswith(start):
                prefix = name + ": "
                self.error(name, message.removeprefix(prefix) if message.startswith(prefix) else message)
                return
        self.error(GENERAL, message)

    def add_validation_errors(self, exc: ValidationError) -> None:
        """Each error of `exc` beside its field, in the form's words."""
        for err in exc.errors():
            name = field_name(tuple(err.get("loc", ())))
            if err.get("type") == "string_pattern_mismatch" and name in PATTERN_WORDS:
                self.error(name, PATTERN_WORDS[name])
            elif name == GENERAL:
                self.whole_form_error(plain_message(err))
            else:
                self.error(name, plain_message(err))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    # An empty field takes the schema's default, as a field left out of an API request does.
    return {k: v for k, v in data.items() if v not in (None, "")}


def read_model_form(form: FormData) -> CatalogForm:
    """The model form's fields as typed (the managed box as "on" or "")."""
    values = {name: _text(form, name) for name in (*MODEL_TEXT, *MODEL_NUMBERS)}
    values["managed"] = "on" if _text(form, "managed") else ""
    return CatalogForm(values=values)


def model_payload(form: CatalogForm) -> dict[str, Any]:
    """Input for `ModelCreate`."""
    v = form.values
    data: dict[str, Any] = {name: v[name] for name in MODEL_TEXT}
    data |= {name: form_number(v[name]) for name in MODEL_NUMBERS}
    data["managed"] = bool(v["managed"])
    return _without_empty(data)


def read_agent_form(form: FormData) -> CatalogForm:
    """The agent form's fields as typed."""
    names = (*AGENT_TEXT, *(f"settings.{key}" for key in AGENT_SETTINGS))
    return CatalogForm(values={name: _text(form, name) for name in names})


def agent_payload(form: CatalogForm) -> dict[str, Any]:
    """Input for `AgentCreate` (kind scaffold: the form offers scaffolds by name)."""
    v = form.values
    settings = {key: form_number(v[f"settings.{key}"]) for key in AGENT_SETTINGS}
    return _without_empty(
        {
            "kind": "scaffold",
            **{name: v[name] for name in AGENT_TEXT},
            "settings": _without_empty(settings),
        }
    )
