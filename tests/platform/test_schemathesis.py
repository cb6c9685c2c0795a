"""Schemathesis against the JSON API's own OpenAPI document, for every role: no input may make a server error.

Each API operation gets a few schema-valid requests (Hypothesis, derandomized, so a run is reproducible), sent
in-process to the app on the demo database (the spring edition included, so outcomes and talks exist), with the
role's session and CSRF token. The checks:

- `not_a_server_error`: no 5xx, whatever the input;
- `content_type_conformance`, `response_schema_conformance`, `response_headers_conformance`: where the document
  describes a response (its status code and media type), the response matches it.

Left out on purpose: `status_code_conformance` (the document lists each operation's success and validation codes,
not the 401/403/404 every guarded operation may answer), `positive_data_acceptance` (schema-valid is not
domain-valid: a date in the past, an unknown id, a round the event does not have are all 422, rightly), and the
stateful checks (they need links the document does not declare).

Half of the examples take the demo event's slug for `{event_ref}` (the spring edition's programme for
`{programme_ref}`, an enrolment of the demo coach's candidate for `{enrolment_id}`), so that requests reach the
services rather than stopping at "no such event".
MEETMATCH_SCHEMATHESIS_EXAMPLES sets the examples per operation (default 4).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from events.app import create_app
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, credentials, csrf_headers, login, run
from tests.platform.test_authz import _ids

PROGRAMME_SLUG = "delft-aan-het-werk"  # the spring edition's programme (events.demo.history)
EXAMPLES = int(os.environ.get("MEETMATCH_SCHEMATHESIS_EXAMPLES", "4"))
ACCOUNTS = {"anonymous": None, "organiser": ORGANISER, "coach": COACH, "employer": EMPLOYER, "door": DOOR}
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, response_headers_conformance]
# Logging out would end the role's session halfway; logging in is tried by the anonymous visitor only.
SESSION_OPERATIONS = {"/api/auth/logout", "/api/auth/login"}


@pytest.fixture
def enrolment_ids(demo_history: DemoResult, database: Settings) -> dict[str, int]:
    """Werkse!'s programme of the authorisation matrix, with the demo coach's candidate enrolled and an activity and
    a benefit on their timeline: the ids its examples take for `{enrolment_id}`, `{activity_id}`, `{benefit_id}`."""
    ids = run(_ids(database))
    return {name: ids[name] for name in ("enrolment_id", "activity_id", "benefit_id")}


@pytest.fixture
def api(demo_history: DemoResult, database: Settings, enrolment_ids: dict[str, int]) -> Iterator[Litestar]:
    """The app for schemathesis's own in-process client (its lifespan ended at the end of the test)."""
    app = create_app(database)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


def _failures(app: Litestar, role: str, enrolment_ids: dict[str, int]) -> tuple[list[str], dict[int, int]]:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    statuses: dict[int, int] = {}
    with asgi.get_client(app) as client:
        email = ACCOUNTS[role]
        if email is not None:
            response = client.post("/api/auth/login", json=credentials(email))
            assert response.status_code == 200, response.text
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path in SESSION_OPERATIONS and email is not None:
                continue
            pins: list[dict[str, Any] | None] = [None]
            if "{event_ref}" in operation.path:
                pins.append({"event_ref": DEMO_SLUG})
            if "{programme_ref}" in operation.path:
                pins.append({"programme_ref": PROGRAMME_SLUG})
            if "{enrolment_id}" in operation.path:
                pins.append({k: v for k, v in enrolment_ids.items() if "{" + k + "}" in operation.path})
            for pin in pins:
                strategy = operation.as_strategy(path_parameters=pin)

                @hypothesis_settings(
                    max_examples=max(1, EXAMPLES // len(pins)),
                    derandomize=True,
                    deadline=None,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def send(case: Any) -> None:
                    token = client.cookies.get("csrftoken")
                    response = case.call(session=client, headers={"x-csrftoken": token} if token else {})
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    try:
                        case.validate_response(response, checks=CHECKS)
                    except BaseException as error:  # a FailureGroup: one line per failing case is enough
                        first = str(error).split("Reproduce with", 1)[0].strip()
                        failures.append(
                            f"{case.operation.method.upper()} {case.operation.path}: {first}\n{case.as_curl_command()}"
                        )

                # An operation with nothing to vary (no parameters, no body) is sent once, then Hypothesis gives up.
                with contextlib.suppress(Unsatisfiable):
                    send()
    return failures, statuses


@pytest.mark.slow
@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_api_gives_no_server_error_and_keeps_to_its_schema_for(
    role: str, api: Litestar, enrolment_ids: dict[str, int]
) -> None:
    started = time.perf_counter()

    failures, statuses = _failures(api, role, enrolment_ids)

    assert failures == [], "\n\n".join(failures)
    assert not any(status >= 500 for status in statuses)
    # The run reached the services, not only the guards: some requests succeeded, some were refused as input.
    if role != "anonymous":
        assert any(200 <= status < 300 for status in statuses), statuses
        assert 422 in statuses or 400 in statuses, statuses
    else:
        assert set(statuses) <= {400, 401, 404, 405, 415, 422, 429}, statuses
    assert time.perf_counter() - started < 90


# -- what it found ---------------------------------------------------------------------------------------------


def test_employer_renamed_through_the_api_answers_with_the_new_name(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    # Found by schemathesis: every change of an employer's organisation answered 500 (the service read the id of the
    # row it had just expired, which an async session cannot load again on the spot).
    login(client, ORGANISER)
    employer = client.get(f"/api/events/{DEMO_SLUG}/employers").json()[0]

    response = client.put(
        f"/api/events/{DEMO_SLUG}/employers/{employer['id']}",
        json={"organisation": "𝓣𝓱𝓮 quick brown fox", "tables": 1, "seats": 1},
        headers=csrf_headers(client),
    )

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "𝓣𝓱𝓮 quick brown fox"
    assert response.json()["id"] == employer["id"]
    again = client.get(f"/api/events/{DEMO_SLUG}/employers/{employer['id']}").json()
    assert again["name"] == "𝓣𝓱𝓮 quick brown fox"
