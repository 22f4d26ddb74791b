"""The rate kind's facilitator control: the grade agreed for a statement (JSON API)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from . import ops


def register(bp) -> None:
    """Add PUT /sessions/<id>/phases/<phase_id>/grades/<statement_id> to the API blueprint."""
    from ...views import api

    class GradeBody(api._Body):
        # A point of the phase's scale; null clears the grade.
        grade: Annotated[StrictInt, Field(ge=-1000, le=1000)] | None

    @bp.put("/sessions/<int:session_id>/phases/<phase_id>/grades/<statement_id>")
    @api.unit_of_work
    def set_rate_grade(session_id: int, phase_id: str, statement_id: str):
        """Set or clear the grade of one statement of a rate phase with `grades: true`."""
        workshop = api.owned(session_id)
        data = api.body(GradeBody)
        grades = ops.set_grade(workshop, phase_id[:64], statement_id[:64], data.grade)
        return {"phase_id": phase_id, "grades": grades}
