"""QWL (quality of working life) results of a work community: import, rounds, plan.

parse.py reads a file (pure), tables.py stores rounds per team (or per session when
it has no team), store.py writes and reads them, plan.py exports the development plan,
views.py holds the routes. The `results` phase kind (phases/results/) shows them.
"""
