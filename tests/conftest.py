"""Shared test configuration: Hypothesis profiles.

`ci` (the default, used by `make test`) keeps the suite fast; `extended` runs
many more examples: `pytest --hypothesis-profile=extended tests/core`.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "extended",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("ci")
