"""Property-based run of the OpenAPI schema (schemathesis): no 5xx, no undocumented status.

Bounded and repeatable: 30 derandomized examples per operation and generation mode
(valid requests, then requests that break the schema), no deadline, no example database.
Every response must be below 500, have a status the operation documents, and match its
documented body. It runs against the module's own server over a private corpus copy,
since generated uploads may succeed, with a rate limit no run reaches. Operations are
driven through Hypothesis directly rather than schemathesis' pytest plugin, whose
fixture loader does not work with this pytest.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from rag.settings import Settings

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_settings(api_settings: Settings) -> Settings:
    """The shared API settings with a rate limit this run never reaches."""
    return api_settings.model_copy(update={"rate_limit": "1000000/minute"})


def breakable(operation: APIOperation[Any, Any, Any, Any]) -> bool:
    """Whether a request can break this operation's schema: a body or a query parameter.

    A path parameter that is any string cannot be given a wrong one.
    """
    return bool(operation.get_request_payload_content_types()) or any(
        p.location is ParameterLocation.QUERY for p in operation.iter_parameters()
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_responses_match_the_schema(
    api_url: str, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 11
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not breakable(operation):
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Case[Any]) -> None:
            case.call_and_validate(base_url=api_url, checks=CHECKS)

        check()
