"""`/clients`: scoped to the principal, paged by cursor; the agreement in force."""

from datetime import UTC, datetime

import httpx2 as httpx

from tests.api.conftest import Api

IN_2027 = datetime(2027, 2, 1, 12, tzinfo=UTC)


def test_the_provider_sees_every_client_of_the_workspace(api: Api) -> None:
    response = api.get("/clients")
    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body["items"]] == ["Acme GmbH", "Globex"]
    assert body["items"][0]["key"] == "ACME"
    assert body["next_cursor"] is None


def test_a_client_contact_sees_only_their_own_client(api: Api) -> None:
    body = api.get("/clients", as_="olga").json()
    assert [c["name"] for c in body["items"]] == ["Globex"]


def test_another_workspace_sees_none_of_these_clients(api: Api) -> None:
    names = [c["id"] for c in api.get("/clients", as_="stranger").json()["items"]]
    assert names == [api.world.foreign.acme_id]


def test_clients_come_a_page_at_a_time(api: Api) -> None:
    first = api.get("/clients", params={"limit": 1}).json()
    assert [c["name"] for c in first["items"]] == ["Acme GmbH"]
    second = api.get(
        "/clients", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert [c["name"] for c in second["items"]] == ["Globex"]
    assert second["next_cursor"] is None


def in_force(
    api: Api, at: str, as_: str = "jane", client: int | None = None
) -> httpx.Response:
    client_id = api.world.cast.acme_id if client is None else client
    return api.get(
        f"/clients/{client_id}/agreement-in-force", as_=as_, params={"at": at}
    )


def test_no_agreement_is_in_force_before_the_first(api: Api) -> None:
    response = in_force(api, "2026-12-01T09:00:00Z")
    assert response.status_code == 200
    assert response.json() == {
        "client_id": api.world.cast.acme_id,
        "at": "2026-12-01T09:00:00Z",
        "version": None,
    }


def test_the_approved_version_is_in_force_from_its_effective_date(api: Api) -> None:
    version = api.import_example()
    base = f"/agreements/{version['agreement_id']}/versions/1"
    assert api.post(base + "/submit").status_code == 200
    api.now[0] = IN_2027  # approved after the effective date: active at once
    for who in ("jane", "max"):
        response = api.post(base + "/approve", {"sha256": version["sha256"]}, as_=who)
        assert response.status_code == 200, response.text
    body = in_force(api, "2027-03-01T00:00:00+01:00", as_="erika").json()
    assert body["version"]["id"] == version["id"]
    assert body["version"]["status"] == "active"
    assert in_force(api, "2026-12-31T00:00:00Z").json()["version"] is None
    default = api.get(f"/clients/{api.world.cast.acme_id}/agreement-in-force")
    assert default.json()["at"] == "2027-02-01T12:00:00Z"


def test_a_naive_instant_is_a_validation_error(api: Api) -> None:
    response = in_force(api, "2027-01-01T00:00:00")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == "query.at"


def test_another_tenants_client_is_not_found(api: Api) -> None:
    assert in_force(api, "2027-01-01T00:00:00Z", as_="stranger").status_code == 404
    response = in_force(api, "2027-01-01T00:00:00Z", as_="olga")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
