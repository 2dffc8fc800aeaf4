"""Property-based run of the OpenAPI schema (schemathesis): no 500s, no off-schema replies.

Bounded: 30 generated requests per operation, no deadline per example. It runs against
the module's own server over a private corpus copy, since generated uploads may succeed.
Operations are driven through Hypothesis directly rather than schemathesis' pytest
plugin, whose fixture loader does not work with this pytest.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance


def test_no_server_errors_and_responses_match_the_schema(api_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Case[Any]) -> None:
            case.call_and_validate(
                base_url=api_url, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
