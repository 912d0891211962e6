"""Admin: skills, teams, ordered rules validated on write, import/export and dry-run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import yaml

from router.settings import Settings
from tests import processes
from tests.conftest import message_payload, wait_for


def _rule(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Billing",
        "position": 10,
        "conditions": {"keywords": ["invoice"]},
        "required_skills": {"billing": 2},
        "priority": 30,
        **fields,
    }


async def _skill(http: httpx.AsyncClient, name: str) -> None:
    response = await http.post("/v1/skills", json={"name": name})
    assert response.status_code == 201, response.text


async def test_rules_are_validated_on_write_and_name_the_problem(
    client: httpx.AsyncClient,
) -> None:
    await _skill(client, "billing")
    cases = [
        (_rule(required_skills={"juggling": 2}), "required_skills", "juggling"),
        (_rule(required_skills={"billing": 7}), "required_skills", "1..5"),
        (_rule(conditions={}), "conditions", "at least one condition"),
        (_rule(conditions={"intent": ["billing"]}), "conditions", "intent"),
        (_rule(conditions={"min_intensity": 3}), "min_intensity", ""),
        (_rule(policy="random"), "policy", ""),
        (_rule(team_id=999), "team_id", "999"),
    ]
    for body, field, words in cases:
        response = await client.post("/v1/rules", json=body)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()
        assert field in f"{problem.get('field')} {problem.get('errors')} {problem['detail']}"
        assert words in problem["detail"] + str(problem.get("errors"))
    created = await client.post("/v1/rules", json=_rule())
    assert created.status_code == 201, created.text
    assert (await client.post("/v1/rules", json=_rule())).status_code == 409


async def test_the_default_rule_can_be_edited_but_not_removed(client: httpx.AsyncClient) -> None:
    rules = (await client.get("/v1/rules")).json()
    default = next(r for r in rules if r["is_default"])
    body = {
        **{k: default[k] for k in ("name", "position", "required_skills", "priority")},
        "policy": "longest_idle",
    }
    edited = await client.put(f"/v1/rules/{default['id']}", json=body)
    assert edited.status_code == 200 and edited.json()["policy"] == "longest_idle"
    with_conditions = await client.put(
        f"/v1/rules/{default['id']}", json={**body, "conditions": {"channels": ["chat"]}}
    )
    assert with_conditions.status_code == 422
    disabled = await client.put(f"/v1/rules/{default['id']}", json={**body, "enabled": False})
    assert disabled.status_code == 422
    assert (await client.delete(f"/v1/rules/{default['id']}")).status_code == 409


async def test_a_new_rule_applies_to_the_next_message(client: httpx.AsyncClient) -> None:
    await _skill(client, "billing")
    advisor = await client.post(
        "/v1/advisors",
        json={
            "name": "Biller",
            "email": "biller@example.com",
            "languages": ["en"],
            "status": "available",
            "skills": {"billing": 3},
        },
    )
    assert advisor.status_code == 201
    assert (await client.post("/v1/rules", json=_rule())).status_code == 201
    message = await client.post(
        "/v1/messages", json=message_payload("payer", "p-1", "Hello, my invoice is wrong")
    )
    message_id = message.json()["id"]

    async def routed() -> dict[str, Any] | None:
        body = (await client.get(f"/v1/messages/{message_id}")).json()
        if not body["conversation_id"]:
            return None
        return dict((await client.get(f"/v1/conversations/{body['conversation_id']}")).json())

    conversation = await wait_for(routed)
    assert conversation["requirements"]["skills"] == {"billing": 2}
    assert conversation["priority"] == 30
    assert conversation["assignee_id"] == advisor.json()["id"]


async def test_dry_run_explains_without_assigning(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/v1/routing/dry-run",
        json={"text": "Bonjour, je n'arrive plus à me connecter, erreur de mot de passe"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["language"] == "fr"
    assert result["rule"]["name"] == "Technical problems"
    assert result["requirements"]["skills"] == {"technical": 3}
    assert result["winner_id"] is not None
    assert result["decision"]["explanation"]
    italian = {"text": "Buongiorno, non riesco più ad accedere al mio account, grazie"}
    read = (await client.post("/v1/routing/dry-run", json=italian)).json()
    assert (read["language"], read["requirements"]["language"]) == ("it", "it")
    unnamed = await client.post("/v1/routing/dry-run", json={**italian, "language": "other"})
    assert unnamed.status_code == 200, unnamed.text
    assert unnamed.json()["requirements"]["language"] is None  # no advisor declares "other"
    assert (await client.get("/v1/conversations")).json() == []
    advisors = (await client.get("/v1/advisors")).json()
    assert all(a["load_total"] == 0 for a in advisors)


async def test_the_demo_reads_a_cancellation_in_any_form_of_the_verb(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    for text in ("Je résilie mon abonnement.", "Résiliez tout, merci", "I want to cancel"):
        result = (await client.post("/v1/routing/dry-run", json={"text": text})).json()
        assert result["rule"]["name"] == "Cancellations", text


async def test_teams_and_skills_are_unique(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/teams", json={"name": "Night shift"})).status_code == 201
    assert (await client.post("/v1/teams", json={"name": "Night shift"})).status_code == 409
    await _skill(client, "returns")
    duplicate = await client.post("/v1/skills", json={"name": "returns"})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    bad = await client.post("/v1/skills", json={"name": "two words"})
    assert bad.status_code == 422


def test_rules_export_and_import_round_trip(tmp_path: Path) -> None:
    env = {"AIGUILLAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'rules.db'}"}
    processes.run_cli(["migrate"], env)
    processes.run_cli(["demo-data"], env)
    exported = yaml.safe_load(processes.run_cli(["rules", "export"], env))
    names = [rule["name"] for rule in exported["rules"]]
    assert names[-1] == "default" and "Billing and refunds" in names

    exported["rules"] = [r for r in exported["rules"] if r["name"] != "VIP customers"]
    exported["rules"][0]["priority"] = 99
    edited = tmp_path / "rules.yaml"
    edited.write_text(yaml.safe_dump(exported), encoding="utf-8")
    summary = processes.run_cli(["rules", "import", str(edited), "--replace"], env)
    assert "0 created, 5 updated, 1 deleted" in summary

    as_json = tmp_path / "rules.json"
    processes.run_cli(["rules", "export", "--output", str(as_json)], env)
    rules = json.loads(as_json.read_text(encoding="utf-8"))["rules"]
    assert "VIP customers" not in [r["name"] for r in rules]
    assert rules[0]["priority"] == 99


def test_rules_import_rejects_an_invalid_file_whole(tmp_path: Path) -> None:
    env = {"AIGUILLAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'rules.db'}"}
    processes.run_cli(["migrate"], env)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "rules": [
                    {"name": "ok", "conditions": {"channels": ["chat"]}},
                    {
                        "name": "broken",
                        "conditions": {"channels": ["chat"]},
                        "required_skills": {"nope": 2},
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "router", "rules", "import", str(bad)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "nope" in result.stderr
    exported = yaml.safe_load(processes.run_cli(["rules", "export"], env))
    assert [r["name"] for r in exported["rules"]] == ["default"]


async def test_rules_export_and_import_through_the_api(client: httpx.AsyncClient) -> None:
    await _skill(client, "billing")
    assert (await client.post("/v1/rules", json=_rule())).status_code == 201
    exported = (await client.get("/v1/rules/export")).json()["rules"]
    assert [r["name"] for r in exported] == ["Billing", "default"]
    assert "id" not in exported[0] and exported[1]["is_default"] is True

    exported[0]["priority"] = 55
    bad = [*exported, {**_rule(name="Broken"), "required_skills": {"nope": 2}}]
    refused = await client.post("/v1/rules/import", json={"rules": bad})
    assert refused.status_code == 422 and "nope" in refused.json()["detail"]
    assert (await client.get("/v1/rules")).json()[0]["priority"] == 30  # all or nothing

    summary = await client.post("/v1/rules/import", json={"rules": exported[1:], "replace": True})
    assert summary.json() == {"created": 0, "updated": 1, "deleted": 1}
    summary = await client.post("/v1/rules/import", json={"rules": exported})
    assert summary.json() == {"created": 1, "updated": 1, "deleted": 0}
    assert (await client.get("/v1/rules")).json()[0]["priority"] == 55
