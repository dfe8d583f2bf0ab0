"""The forms that add a model (admins) and an agent (submitters).

Mounted before `web.routes.agents`, whose `/agents/{name:path}` would otherwise take
`/agents/new` for an agent named "new".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.errors import Conflict, HorizonError, NotFound
from core.schemas import AgentCreate, ModelCreate
from core.services import catalog as svc
from core.states import Role, WireApi
from web.catalog_form import (
    CatalogForm,
    agent_payload,
    model_payload,
    read_agent_form,
    read_model_form,
)
from web.deps import Admin, Csrf, DbDep, Submitter, require, settings_of
from web.rendering import WebRoute, redirect, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


async def form_data(request: Request) -> FormData:
    """The parsed form (Starlette caches it, so the CSRF check and this share one parse)."""
    return await request.form()


FormDep = Depends(form_data)
# The role first, then CSRF: a person who may not do this is refused before the form is read.
ADMIN_THEN_CSRF = [Depends(require(Role.ADMIN)), Csrf]
SUBMITTER_THEN_CSRF = [Depends(require(Role.SUBMITTER)), Csrf]

BLANK_MODEL = {
    "provider": "openai",
    "wire_api": WireApi.CHAT.value,
    "input_price_per_mtok": "0",
    "output_price_per_mtok": "0",
    "context_window": "8192",
}
BLANK_AGENT = {"scaffold": "react"}


def _scaffolds() -> list[str]:
    # The agent kinds other than `scaffold` (sandbox programs, Inspect agents) have settings of
    # their own that this form does not offer; the API makes them.
    other_kinds = {"sandbox_program", "inspect"}
    return [s for s in svc.known_scaffolds() if s not in other_kinds]


def _model_page(request: Request, form: CatalogForm, status_code: int = 200) -> Response:
    return render(
        request,
        "model_form.html",
        {"v": form.values, "errors": form.errors, "wire_apis": [w.value for w in WireApi]},
        status_code=status_code,
    )


def _agent_page(
    request: Request, db: Session, form: CatalogForm, *, created_model: str = "", status_code: int = 200
) -> Response:
    return render(
        request,
        "agent_form.html",
        {
            "v": form.values,
            "errors": form.errors,
            "scaffolds": _scaffolds(),
            "models": [m.name for m in svc.list_models(db)],
            "created_model": created_model,
        },
        status_code=status_code,
    )


@router.get("/models/new")
def new_model_form(request: Request, user: Admin) -> Response:
    """The form to add a model (an API endpoint, or one a GPU worker serves)."""
    return _model_page(request, CatalogForm(values=dict(BLANK_MODEL)))


@router.post("/models/new", dependencies=ADMIN_THEN_CSRF)
def create_model(request: Request, db: DbDep, user: Admin, data: FormData = FormDep) -> Response:
    """Add a model, or show the form again with what is wrong (nothing is stored)."""
    form = read_model_form(data)
    created: Any = None
    try:
        created = svc.create_model(
            db,
            ModelCreate.model_validate(model_payload(form)),
            settings_of(request),
            is_admin=True,
            owner_token_id=user.token_id,
        )
    except ValidationError as exc:
        form.add_validation_errors(exc)
    except Conflict as exc:
        form.error("name", exc.message)
    except HorizonError as exc:
        form.whole_form_error(exc.message)
    if created is None:
        db.rollback()
        return _model_page(request, form, status_code=422)
    return redirect("/agents/new?added=1&model=" + quote(created.name, safe=""))


@router.get("/agents/new")
def new_agent_form(
    request: Request, db: DbDep, user: Submitter, model: str = "", added: str = ""
) -> Response:
    """The form to add an agent: a scaffold, a model and its limits (after a new model, that one)."""
    form = CatalogForm(values={**BLANK_AGENT, "model": model})
    return _agent_page(request, db, form, created_model=model if added else "")


@router.post("/agents/new", dependencies=SUBMITTER_THEN_CSRF)
def create_agent(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Add an agent, or show the form again with what is wrong (nothing is stored)."""
    form = read_agent_form(data)
    created: Any = None
    try:
        created = svc.create_agent(
            db, AgentCreate.model_validate(agent_payload(form)), owner_token_id=user.token_id
        )
    except ValidationError as exc:
        form.add_validation_errors(exc)
    except Conflict as exc:
        form.error("name", exc.message)
    except NotFound as exc:
        form.error("model", exc.message)
    except HorizonError as exc:
        form.whole_form_error(exc.message)
    if created is None:
        db.rollback()
        return _agent_page(request, db, form, status_code=422)
    return redirect("/agents/" + quote(created.name, safe="") + "?created=1")
