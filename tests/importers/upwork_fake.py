"""A stand-in for Upwork's GraphQL endpoint, for respx: it answers each query
with the JSON fixtures of tests/importers/fixtures/upwork_graphql/ (built from
Upwork's published GraphQL reference, not recorded; see the README there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

GRAPHQL = Path(__file__).parent / "fixtures" / "upwork_graphql"
URL = "https://api.upwork.test/graphql"  # answered by respx, never sent
TOKEN = "test-access-token"


def body_of(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GRAPHQL / name).read_text(encoding="utf-8"))
    return loaded


class FakeUpwork:
    """Answers contractDetails, contractTimeReport (two pages) and
    workDiaryContract (by day); records every request's JSON body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.diaries = {
            "20261102": "work_diary_20261102.json",
            "20261103": "work_diary_20261103.json",
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sent: dict[str, Any] = json.loads(request.content)
        self.requests.append(sent)
        query, variables = sent["query"], sent["variables"]
        if "contractDetails" in query:
            return httpx.Response(200, json=body_of("contract.json"))
        if "contractTimeReport" in query:
            after = variables["pagination"]["after"]
            page = (
                "time_report_page1.json" if after is None else "time_report_page2.json"
            )
            return httpx.Response(200, json=body_of(page))
        if "workDiaryContract" in query:
            day = variables["input"]["date"]
            if day in self.diaries:
                return httpx.Response(200, json=body_of(self.diaries[day]))
            return httpx.Response(
                200, json={"data": {"workDiaryContract": {"workDiaryTimeCells": []}}}
            )
        return httpx.Response(400, json={"errors": [{"message": "unknown query"}]})

    def queries(self, name: str) -> list[dict[str, Any]]:
        return [r["variables"] for r in self.requests if name in r["query"]]
