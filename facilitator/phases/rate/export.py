"""The rate kind in the report: answers always, mean and distribution above the threshold."""

from __future__ import annotations

from flask_babel import gettext


def section(phase: dict, f, t: dict) -> dict:
    """Return a rate phase's report section."""
    scale = phase["scale"]
    statements = []
    for st in phase["statements"]:
        if st["distribution"] is None:
            mean, dist = "–", t["hidden"]
        else:
            mean = f.mean(st["mean"])
            dist = ", ".join(f"{k}: {f.number(v)}" for k, v in st["distribution"].items())
        statements.append(
            {
                "text": st["text"],
                "responses": f.number(st["responses"]),
                "mean": mean,
                "distribution": dist,
            }
        )
    return {
        "kind": "rate",
        "title": phase["title"],
        "note": f"{t['scale']} {f.number(scale['min'])}–{f.number(scale['max'])}"
        + (f" ({scale['min_label']} – {scale['max_label']})" if scale.get("min_label") else "")
        + ". "
        + gettext(
            "Results are shown when at least %(n)s people have answered.",
            n=phase["min_responses"],
        ),
        "statements": statements,
    }
