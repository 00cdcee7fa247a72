"""Property-based checks of the API against its own OpenAPI spec (bounded examples)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api_support import app_for, prepared

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api_schema() -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app_for())


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.include(
    path_regex="^/(screen$|match|search|entities|catalog|healthz|readyz|reconcile)"
).parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-API-Key": prepared().keys["screening"]})
