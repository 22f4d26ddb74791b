"""The facilitator's QWL routes (JSON API): import a file, type a round in, list, delete.

Routes (docs/api.md, "QWL results"):
- GET    /sessions/<id>/qwl/rounds            the session's rounds and what screens show
- POST   /sessions/<id>/qwl/rounds            multipart `file`: a CSV or XLSX file
- POST   /sessions/<id>/qwl/rounds/form       JSON: one round typed in
- DELETE /sessions/<id>/qwl/rounds/<round_id> remove a round
A refused file answers 422 `{"error": {code, message, row, column}}` and stores nothing.
"""

from __future__ import annotations

from typing import Annotated

from flask import request
from pydantic import Field, StrictFloat, StrictInt, StringConstraints

from ...errors import OperationError
from ...models import SessionStatus
from ...qwl import parse, store

MAX_FILE_BYTES = 512 * 1024

Cell = Annotated[str, StringConstraints(max_length=500)] | StrictInt | StrictFloat | None


def _writable(workshop) -> None:
    if workshop.status is SessionStatus.CLOSED:
        raise OperationError("session_closed")


def _answer(workshop, parsed, source: str):
    row = store.save_round(workshop, parsed, source)
    return {
        "round": {"id": row.id, "round": row.label, "unit": row.unit, "hidden": parsed.hidden},
        "rounds": store.rounds_list(workshop),
        "summary": store.summary(workshop),
    }, 201


def _refused(problem: parse.ImportProblem):
    return {"error": problem.to_dict()}, 422


def register(bp) -> None:
    """Add the QWL routes to the API blueprint."""
    from ...views import api

    class FormStatement(api._Body):
        id: Cell
        dimension: Cell
        text: Cell
        score: Cell
        previous: Cell = None
        answers: Cell

    class FormRound(api._Body):
        unit: Cell
        round: Cell
        index: Cell
        statements: Annotated[list[FormStatement], Field(max_length=parse.MAX_STATEMENTS)]

    @bp.get("/sessions/<int:session_id>/qwl/rounds")
    def qwl_rounds(session_id: int):
        """Return the session's QWL rounds (its team's) and the latest one as shown."""
        workshop = api.owned(session_id)
        return {"rounds": store.rounds_list(workshop), "summary": store.summary(workshop)}

    @bp.post("/sessions/<int:session_id>/qwl/rounds")
    @api.unit_of_work
    def qwl_import(session_id: int):
        """Import one round from an uploaded CSV or XLSX file (form field `file`)."""
        workshop = api.owned(session_id)
        _writable(workshop)
        upload = request.files.get("file")
        if upload is None:
            raise api.ApiError(422, "invalid")
        data = upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise api.ApiError(413, "too_large")
        try:
            parsed = parse.parse(data)
        except parse.ImportProblem as problem:
            return _refused(problem)
        return _answer(workshop, parsed, "xlsx" if data.startswith(b"PK\x03\x04") else "csv")

    @bp.post("/sessions/<int:session_id>/qwl/rounds/form")
    @api.unit_of_work
    def qwl_form(session_id: int):
        """Store one round typed in on the control view (same checks as a file)."""
        workshop = api.owned(session_id)
        _writable(workshop)
        data = api.body(FormRound)
        keys = ("unit", "round", "index", "statement_id", "dimension", "text", "score")
        header = [parse.COLUMNS[k][1] for k in (*keys, "previous", "answers")]
        rows = [header]
        for number, st in enumerate(data.statements):
            first = number == 0
            rows.append(
                [
                    data.unit if first else None,
                    data.round if first else None,
                    data.index if first else None,
                    st.id,
                    st.dimension,
                    st.text,
                    st.score,
                    st.previous,
                    st.answers,
                ]
            )
        try:
            parsed = parse.parse_rows(rows)
        except parse.ImportProblem as problem:
            return _refused(problem)
        return _answer(workshop, parsed, "form")

    @bp.delete("/sessions/<int:session_id>/qwl/rounds/<int:round_id>")
    @api.unit_of_work
    def qwl_delete(session_id: int, round_id: int):
        """Remove one of the session's rounds."""
        workshop = api.owned(session_id)
        _writable(workshop)
        store.delete_round(workshop, round_id)
        return {"rounds": store.rounds_list(workshop), "summary": store.summary(workshop)}
