"""The rate kind in the report: answers always, mean and distribution above the threshold."""

from __future__ import annotations

from flask_babel import gettext


def _point(scale: dict, value: int, f) -> str:
    """Return a scale point as the report names it: "3 (mostly achieved)" or "3"."""
    labels = scale.get("labels")
    if labels:
        return f"{f.number(value)} ({labels[value - scale['min']]})"
    return f.number(value)


def section(phase: dict, f, t: dict) -> dict:
    """Return a rate phase's report section."""
    scale = phase["scale"]
    statements = []
    for st in phase["statements"]:
        if st["distribution"] is None:
            mean, dist = "–", t["hidden"]
        else:
            mean = f.mean(st["mean"])
            dist = ", ".join(
                f"{_point(scale, int(k), f)}: {f.number(v)}" for k, v in st["distribution"].items()
            )
        if phase.get("dont_know") and st.get("dont_know") is not None:
            dist += "; " + gettext("don't know: %(num)s", num=f.number(st["dont_know"]))
        row = {
            "text": st["text"],
            "responses": f.number(st["responses"]),
            "mean": mean,
            "distribution": dist,
        }
        if phase.get("grades"):
            grade = st.get("grade")
            row["grade"] = "–" if grade is None else _point(scale, grade, f)
        statements.append(row)
    note = f"{t['scale']} {f.number(scale['min'])}–{f.number(scale['max'])}"
    if scale.get("labels"):
        note += " (" + ", ".join(_point(scale, v, f) for v in range(scale["min"], scale["max"] + 1))
        note += ")"
    elif scale.get("min_label"):
        note += f" ({scale['min_label']} – {scale['max_label']})"
    return {
        "kind": "rate",
        "title": phase["title"],
        "note": note
        + ". "
        + gettext(
            "Results are shown when at least %(n)s people have answered.",
            n=phase["min_responses"],
        ),
        "grades": bool(phase.get("grades")),
        "statements": statements,
    }
