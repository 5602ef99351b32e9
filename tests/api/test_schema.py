"""Schemathesis against the OpenAPI document of a real server: no 5xx on any input, responses match schemas.

Bounded: a few examples per operation (the whole run takes well under two minutes on two cores).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
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
