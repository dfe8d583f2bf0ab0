"""Models (what answers) and agents (scaffold + model + settings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from core.agent_kinds import KIND_SCAFFOLDS, default_version
from core.auth import role_allows
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.inspect_imports import inspect_settings_problem
from core.model_keys import key_problem
from core.models import Agent, Model, Run
from core.ownership import Actor, check_owner, owner_name
from core.schemas import (
    ADMIN_ONLY_MODEL_FIELDS,
    BUILTIN_SCAFFOLDS,
    AgentCreate,
    AgentOut,
    ModelCreate,
    ModelOut,
    ModelUpdate,
    SpendOut,
    inspect_option,
    wire_api_problem,
)
from core.services.attempts import spend_by
from core.services.rows import get_by_id_or_name
from core.settings import Settings, get_settings
from core.states import Role


def _check_key(row: Model, settings: Settings) -> None:
    """The key rule of core/model_keys.py, for a row about to be stored (422 when broken)."""
    problem = key_problem(
        api_key_env=row.api_key_env,
        base_url=row.base_url,
        provider=row.provider,
        managed=row.managed,
        settings=settings,
    )
    if problem is not None:
        raise InvalidInput(problem)


def create_model(
    session: Session,
    data: ModelCreate,
    settings: Settings,
    *,
    is_admin: bool,
    owner_token_id: int | None = None,
) -> Model:
    """A new model owned by `owner_token_id`. Only admins make managed models: those start a
    process on a worker."""
    if data.managed and not is_admin:
        raise PermissionDenied(
            "only an admin may create a managed model (it starts an inference server on a worker)"
        )
    if session.scalar(select(Model).where(Model.name == data.name)) is not None:
        raise Conflict(f"a model named {data.name!r} already exists")
    row = Model(
        name=data.name,
        provider=data.provider,
        api_model=data.api_model or data.name,
        base_url=str(data.base_url).rstrip("/") if data.base_url else None,
        api_key_env=data.api_key_env,
        release_date=data.release_date,
        input_price_per_mtok=data.input_price_per_mtok,
        output_price_per_mtok=data.output_price_per_mtok,
        cached_input_price_per_mtok=data.cached_input_price_per_mtok,
        cache_write_price_per_mtok=data.cache_write_price_per_mtok,
        context_window=data.context_window,
        max_output_tokens=data.max_output_tokens,
        wire_api=data.wire_api,
        managed=data.managed,
        server_template=data.server_template,
        weights=data.weights,
        gpus=data.gpus or 0,  # the schema filled in the default
        owner_token_id=owner_token_id,
    )
    _check_key(row, settings)
    session.add(row)
    session.flush()
    return row


def update_model(
    session: Session, model_id: int, data: ModelUpdate, settings: Settings, *, actor: Actor
) -> Model:
    """Change a model (its owner or an admin). Where its requests go, with which key and what a
    managed model runs are an admin's to change: a submitter could otherwise point a stored key at
    their own endpoint."""
    row = get_model(session, model_id)
    check_owner(row.owner_token_id, actor, "model")
    changes = data.model_dump(exclude_unset=True)
    if not role_allows(actor.role, Role.ADMIN):
        if row.managed:
            raise PermissionDenied("only an admin may change a managed model")
        if fields := sorted(ADMIN_ONLY_MODEL_FIELDS & changes.keys()):
            raise PermissionDenied(
                f"only an admin may change a model's {', '.join(fields)} "
                "(its endpoint, key, provider, model id or server)"
            )
    for key, value in changes.items():
        if key in ("provider", "api_model", "wire_api", "gpus") and value is None:
            raise InvalidInput(f"{key}: may not be null")
        if key == "base_url" and value is not None:
            value = str(value).rstrip("/")
        setattr(row, key, value)
    if problem := wire_api_problem(row.provider, row.wire_api):
        raise InvalidInput(problem)
    if row.gpus and not row.managed:
        raise InvalidInput("gpus is for managed models only (their server runs on a worker's GPUs)")
    _check_key(row, settings)
    session.flush()
    return row


def get_model(session: Session, ref: int | str) -> Model:
    """The model with this id or name, or NotFound."""
    return get_by_id_or_name(session, Model, Model.name, ref, "model")


def list_models(session: Session) -> list[Model]:
    """Every model, by name."""
    return list(session.scalars(select(Model).order_by(Model.name)))


def known_scaffolds() -> tuple[str, ...]:
    """The built-in scaffolds, those of the other agent kinds, and those the operator added
    (HORIZON_EXTRA_SCAFFOLDS)."""
    extra = tuple(s.strip() for s in get_settings().extra_scaffolds.split(",") if s.strip())
    return tuple(dict.fromkeys((*BUILTIN_SCAFFOLDS, *KIND_SCAFFOLDS.values(), *extra)))


def create_agent(session: Session, data: AgentCreate, *, owner_token_id: int | None = None) -> Agent:
    """A new agent owned by `owner_token_id`; it may use anyone's model (reading is open)."""
    # A `package.module:Class` path too must be listed by the operator: it is imported in workers.
    if data.scaffold_name not in known_scaffolds():
        raise InvalidInput(
            f"unknown scaffold {data.scaffold_name!r}; known: {', '.join(known_scaffolds())} "
            "(register your own with HORIZON_EXTRA_SCAFFOLDS)"
        )
    agent_path = inspect_option(data.settings, "agent") if data.kind == "inspect" else None
    if data.kind == "inspect" and (
        problem := inspect_settings_problem(
            agent_path, inspect_option(data.settings, "tools"), get_settings()
        )
    ):
        raise InvalidInput(problem)  # the worker would refuse to import it: say so now
    if session.scalar(select(Agent).where(Agent.name == data.name)) is not None:
        raise Conflict(f"an agent named {data.name!r} already exists")
    model = get_model(session, data.model) if data.model is not None else None
    row = Agent(
        name=data.name,
        kind=data.kind,
        scaffold=data.scaffold_name,
        version=data.version
        or default_version(data.kind, agent_path if isinstance(agent_path, str) else None),
        model=model,
        settings=data.settings.model_dump(exclude_none=True),
        release_date=data.release_date,
        owner_token_id=owner_token_id,
    )
    session.add(row)
    session.flush()
    return row


def get_agent(session: Session, ref: int | str) -> Agent:
    """The agent with this id or name, or NotFound."""
    return get_by_id_or_name(session, Agent, Agent.name, ref, "agent")


def agent_spend(session: Session, agent_ids: list[int]) -> dict[int, SpendOut]:
    """What all attempts of each agent's runs spent, failed ones included, in one query."""
    return spend_by(session, Run.agent_id, agent_ids)


def list_agents(session: Session) -> list[Agent]:
    """Every agent, by name."""
    return list(session.scalars(select(Agent).order_by(Agent.name)))


def agent_out(agent: Agent, spend: SpendOut | None = None) -> AgentOut:
    """The agent as the API shows it, with what all attempts of its runs spent (`spend` when the
    caller summed it for many agents at once)."""
    session = object_session(agent)
    if spend is None:
        spend = agent_spend(session, [agent.id])[agent.id] if session is not None else SpendOut()
    return AgentOut(
        id=agent.id,
        name=agent.name,
        kind=agent.kind,
        scaffold=agent.scaffold,
        version=agent.version,
        model=agent.model.name if agent.model else None,
        model_id=agent.model_id,
        settings=agent.settings,
        release_date=agent.release_date or (agent.model.release_date if agent.model else None),
        created_at=agent.created_at,
        spend=spend,
        owner=owner_name(session, agent.owner_token_id),
    )


def model_out(model: Model) -> ModelOut:
    """The model as the API shows it, with its owner's name."""
    return ModelOut.model_validate(model).model_copy(
        update={"owner": owner_name(object_session(model), model.owner_token_id)}
    )
