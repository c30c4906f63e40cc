"""The REST API (FastAPI, JSON): `create_app(settings)` builds it; docs/api.md
describes it."""
