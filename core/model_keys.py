"""Which environment variable a model may name as its API key, and where that key may be sent.

The rule (docs/security.md, "Model keys"): a model's `api_key_env` must match
HORIZON_MODEL_KEY_ENVS (exact names, or prefixes ending in `*`), must not be one of Horizon's own
settings (checked whatever the patterns say), and the model's base URL must be one the operator
bound to that variable in HORIZON_MODEL_KEY_ENDPOINTS. A managed model names no key. The rule
depends only on the model row and the operator's settings, never on who made the row, so the API
refuses such a model (422) and a worker refuses to read the key of a stored row that breaks it.
"""

from __future__ import annotations

from core.settings import Settings

# Where the provider clients send a request when a model has no base_url.
DEFAULT_BASE_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}

# Names no pattern can allow: Horizon's own settings and the services' credentials.
KEY_PREFIX = "HORIZON_MODEL_KEY_"
_NEVER = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "PGPASSWORD",
        "HORIZON_MODEL_KEY_ENVS",
        "HORIZON_MODEL_KEY_ENDPOINTS",
    }
)


def is_reserved(name: str) -> bool:
    """True for names that are never a model key (HORIZON_* except HORIZON_MODEL_KEY_*, ...)."""
    if name in _NEVER:
        return True
    return name.startswith("HORIZON_") and not name.startswith(KEY_PREFIX)


def key_env_patterns(settings: Settings) -> list[str]:
    """The names and `*` prefixes in HORIZON_MODEL_KEY_ENVS."""
    return [p.strip() for p in settings.model_key_envs.split(",") if p.strip()]


def key_env_allowed(name: str, settings: Settings) -> bool:
    """True when `name` matches HORIZON_MODEL_KEY_ENVS and is not reserved."""
    if is_reserved(name):
        return False
    for pattern in key_env_patterns(settings):
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            return True
        if name == pattern:
            return True
    return False


def normalise_url(url: str) -> str:
    """A base URL in the form endpoints are compared in."""
    return url.strip().rstrip("/")


def bound_endpoints(name: str, settings: Settings) -> list[str]:
    """The base URLs the key in env `name` may be sent to (exact matches only)."""
    return [normalise_url(u) for u in settings.model_key_endpoints.get(name, [])]


def key_problem(
    *, api_key_env: str | None, base_url: str | None, provider: str, managed: bool, settings: Settings
) -> str | None:
    """None when the model may use its key; otherwise why not, as a message that names the field
    and the rule (never a value of any variable)."""
    if not api_key_env:
        return None
    if managed:
        return (
            "api_key_env: a managed model sends no key (its server is one the worker starts); "
            "leave api_key_env empty"
        )
    allowed = ", ".join(key_env_patterns(settings)) or "(none)"
    if is_reserved(api_key_env):
        return (
            f"api_key_env: {api_key_env!r} is one of Horizon's own settings, never a model key; "
            f"allowed names: {allowed} (HORIZON_MODEL_KEY_ENVS)"
        )
    if not key_env_allowed(api_key_env, settings):
        return (
            f"api_key_env: {api_key_env!r} is not an allowed key variable; "
            f"allowed names: {allowed} (HORIZON_MODEL_KEY_ENVS)"
        )
    url = normalise_url(base_url or DEFAULT_BASE_URLS.get(provider, ""))
    bound = bound_endpoints(api_key_env, settings)
    if url not in bound:
        where = ", ".join(bound) if bound else "no endpoint yet"
        return (
            f"base_url: the key in {api_key_env} may only be sent to {where} "
            f"(HORIZON_MODEL_KEY_ENDPOINTS), not to {url or 'an unset base_url'}"
        )
    return None
