"""Finding stored rows the way every service does: one by key or by id-or-name (else NotFound, a
404), and one page of a listing with the count of all its rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.sql.base import ExecutableOption

from core.errors import NotFound
from core.orm import Base

RowT = TypeVar("RowT", bound=Base)


def get_or_not_found(
    session: Session,
    entity: type[RowT],
    key: Any,
    what: str,
    *,
    options: Sequence[ORMOption] = (),
) -> RowT:
    """The row of `entity` with primary key `key` (loaded with `options`), or NotFound saying
    "no {what} {key}"."""
    row = session.get(entity, key, options=options)
    if row is None:
        raise NotFound(f"no {what} {key}")
    return row


def get_by_id_or_name(
    session: Session, entity: type[RowT], name: InstrumentedAttribute[str], ref: int | str, what: str
) -> RowT:
    """The row with this id (an int) or this value of its unique `name` column (a str), or
    NotFound saying "no {what} {ref!r}"."""
    row = (
        session.get(entity, ref)
        if isinstance(ref, int)
        else session.scalar(select(entity).where(name == ref))
    )
    if row is None:
        raise NotFound(f"no {what} {ref!r}")
    return row


def page_of(
    session: Session,
    entity: type[RowT],
    *,
    order_by: Any,
    limit: int,
    offset: int,
    where: Sequence[Any] = (),
    options: Sequence[ExecutableOption] = (),
) -> tuple[list[RowT], int]:
    """Rows `offset` to `offset + limit` of `entity` matching `where` in `order_by` order (one
    column or a list of them), and how many match in all. The count has no loader `options`: they
    only shape the page's rows."""
    total = session.scalar(select(func.count()).select_from(entity).where(*where)) or 0
    order = list(order_by) if isinstance(order_by, list | tuple) else [order_by]
    rows = session.scalars(
        select(entity).where(*where).options(*options).order_by(*order).limit(limit).offset(offset)
    )
    return list(rows), total
