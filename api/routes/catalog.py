"""Models and agents."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import Caller, SessionDep, get_settings_dep, reader, submitter
from core.auth import role_allows
from core.schemas import AgentCreate, AgentOut, ModelCreate, ModelOut, ModelUpdate
from core.services import catalog as svc
from core.settings import Settings
from core.states import Role
from web.params import RowId

router = APIRouter(prefix="/api", tags=["models and agents"])


@router.get("/models", response_model=list[ModelOut])
def list_models(session: SessionDep, _: Caller = Depends(reader)) -> list[ModelOut]:
    """List every model, by name."""
    return [svc.model_out(m) for m in svc.list_models(session)]


@router.post("/models", response_model=ModelOut, status_code=201)
def create_model(
    data: ModelCreate,
    session: SessionDep,
    caller: Caller = Depends(submitter),
    settings: Settings = Depends(get_settings_dep),
) -> ModelOut:
    """Register a model. API keys are never sent: name the workers' environment variable that holds it. Only
    admins create managed models."""
    is_admin = role_allows(caller.role, Role.ADMIN)
    row = svc.create_model(session, data, settings, is_admin=is_admin, owner_token_id=caller.token_id)
    return svc.model_out(row)


@router.get("/models/{model_id}", response_model=ModelOut)
def get_model(model_id: RowId, session: SessionDep, _: Caller = Depends(reader)) -> ModelOut:
    """One model."""
    return svc.model_out(svc.get_model(session, model_id))


@router.patch("/models/{model_id}", response_model=ModelOut)
def update_model(
    model_id: RowId,
    data: ModelUpdate,
    session: SessionDep,
    caller: Caller = Depends(submitter),
    settings: Settings = Depends(get_settings_dep),
) -> ModelOut:
    """Change a model: its owner or an admin; its endpoint, key, provider and server only an admin."""
    return svc.model_out(svc.update_model(session, model_id, data, settings, actor=caller))


@router.get("/agents", response_model=list[AgentOut])
def list_agents(session: SessionDep, _: Caller = Depends(reader)) -> list[AgentOut]:
    """List every agent, by name, with what all attempts of its runs spent (`spend`)."""
    agents = svc.list_agents(session)
    spend = svc.agent_spend(session, [a.id for a in agents])
    return [svc.agent_out(a, spend[a.id]) for a in agents]


@router.post("/agents", response_model=AgentOut, status_code=201)
def create_agent(data: AgentCreate, session: SessionDep, caller: Caller = Depends(submitter)) -> AgentOut:
    """Create an agent: a scaffold, a model and settings (limits)."""
    return svc.agent_out(svc.create_agent(session, data, owner_token_id=caller.token_id))


@router.get("/agents/{agent_id}", response_model=AgentOut)
def get_agent(agent_id: RowId, session: SessionDep, _: Caller = Depends(reader)) -> AgentOut:
    """One agent, with what all attempts of its runs spent (`spend`: dollars and tokens, failed
    attempts included)."""
    return svc.agent_out(svc.get_agent(session, agent_id))
