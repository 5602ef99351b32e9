"""Schemathesis against the OpenAPI document of a real server: no 5xx on any input, responses match schemas.

Bounded: a few examples per operation (the whole run takes well under two minutes on two cores).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import Published, venue_headers

schema = schemathesis.pytest.from_fixture("api_schema")
EXAMPLES = 25


@pytest.fixture(scope="module")
def api_schema(published: Published) -> schemathesis.BaseSchema:
    """The server's own OpenAPI document, with the sample epoch published behind it."""
    return schemathesis.openapi.from_url(f"{published.url}/openapi.json")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_responses_match_the_schema(
    case: schemathesis.Case, published: Published
) -> None:
    # The documents' schema is a JSON object: whether one is a valid epoch, record or proof is for the
    # verifier to say (422 with the reason), so schema-valid bodies may be refused.
    case.call_and_validate(
        base_url=published.url,
        headers=venue_headers(),
        excluded_checks=[positive_data_acceptance],
    )


negative_schema = schemathesis.pytest.from_fixture("api_schema_negative")


@pytest.fixture(scope="module")
def api_schema_negative(published: Published) -> schemathesis.BaseSchema:
    """The same document, generating bodies and parameters that break it (wrong types, missing fields)."""
    loaded = schemathesis.openapi.from_url(f"{published.url}/openapi.json")
    loaded.config.generation.update(modes=[GenerationMode.NEGATIVE])
    return loaded


@negative_schema.include(method="POST").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_malformed_bodies_are_refused_with_4xx(case: schemathesis.Case, published: Published) -> None:
    # Bodies that break the schema: 4xx (never 5xx), and the refusal never carries the body back.
    response = case.call(base_url=published.url, headers=venue_headers())
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    detail = response.json().get("detail")
    if isinstance(detail, list):  # validation errors name the field and the rule, not the value
        assert all(set(error) == {"loc", "msg", "type"} for error in detail), detail
