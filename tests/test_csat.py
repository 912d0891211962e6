"""Satisfaction surveys: sent on resolution (channel, language, tone), answered once through
the link, and the supervisors' figures."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from router.models import Conversation, CsatSurvey, Customer, Message
from router.models.conversations import ConversationStatus, MessageStatus
from router.settings import Settings
from router.tickets import csat
from router.tickets import survey_text as survey
from tests.conftest import admin_client, runtime_of
from tests.routing_support import advisor, login, post, routed, team, timeline

PUBLIC = "https://help.example.com/aide"
LINK = re.compile(re.escape(PUBLIC) + r"/v1/csat/([A-Za-z0-9_-]+)")
JSON = {"Accept": "application/json"}
API = {"channel": "api"}

# -- wording (pure) --------------------------------------------------------------------------


def test_wording_follows_channel_and_language() -> None:
    link = "https://x.test/v1/csat/abc"
    mail = survey.survey_message("email", "fr", link, name="Marie Curie", conversation_id=7)
    assert mail.subject == "Votre avis sur notre échange (n° 7)"
    assert mail.text.startswith("Bonjour Marie Curie,") and link in mail.text
    assert "Bien cordialement" in mail.text
    anonymous = survey.survey_message("email", "en", link, name=" ", conversation_id=7)
    assert anonymous.subject == "How did we do? (conversation #7)"
    assert anonymous.text.startswith("Hello,") and "Kind regards" in anonymous.text
    chat = survey.survey_message("chat", "en", link, name="Marie", conversation_id=7)
    assert chat.subject is None and link in chat.text and "Marie" not in chat.text
    social = survey.survey_message("whatsapp", "fr", link, name="Marie", conversation_id=7)
    assert social.subject is None and "Marie" not in social.text and len(social.text) < 80
    assert survey.language_of("fr-CA") == "fr" and survey.language_of(None) == "en"
    assert survey.language_of("de") == "en"


def test_answer_page_is_escaped_and_localised() -> None:
    page = survey.form_page("fr")
    assert '<html lang="fr">' in page and "Très satisfait" in page
    assert page.count('type="radio"') == 5 and 'method="post"' in page
    assert "&lt;x&gt;" in survey.notice_page("en", "<x>")


# -- helpers ---------------------------------------------------------------------------------


async def handled(
    http: httpx.AsyncClient, owner: dict[str, Any], sender: str, text: str, **extra: Any
) -> dict[str, Any]:
    """A conversation routed to ``owner``, who answered it."""
    ticket = await routed(http, await post(http, sender, "1", text, **extra))
    assert ticket["assignee_id"] == owner["id"], ticket
    reply = await http.post(
        f"/v1/conversations/{ticket['id']}/replies",
        json={"text": "Voilà, c'est réglé. / Done."},
        headers=await login(http, owner),
    )
    assert reply.status_code == 202, reply.text
    return ticket


async def resolve(http: httpx.AsyncClient, ticket: dict[str, Any], **body: Any) -> None:
    response = await http.post(
        f"/v1/conversations/{ticket['id']}/status", json={"status": "resolved", **body}
    )
    assert response.status_code == 200, response.text


async def surveys(http: httpx.AsyncClient, conversation_id: int) -> list[CsatSurvey]:
    async with runtime_of(http).db.read_session() as session:
        rows = await session.scalars(
            select(CsatSurvey)
            .where(col(CsatSurvey.conversation_id) == conversation_id)
            .order_by(col(CsatSurvey.id))
        )
        return list(rows)


async def survey_message(http: httpx.AsyncClient, row: CsatSurvey) -> Message:
    async with runtime_of(http).db.read_session() as session:
        message = await session.get(Message, row.message_id)
        assert message is not None
        return message


def token_of(message: Message) -> str:
    found = LINK.search(message.text)
    assert found, message.text
    return found.group(1)


@pytest.fixture
async def public(settings: Settings) -> Settings:
    """Survey links point at the public address the customers reach."""
    return settings.model_copy(update={"public_url": PUBLIC + "/"})


@pytest.fixture
async def http(public: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client(public) as client:
        yield client


# -- sending -----------------------------------------------------------------------------------


async def test_resolution_queues_a_localised_survey_on_the_chat(http: httpx.AsyncClient) -> None:
    red = await team(http, "Red")
    anna = await advisor(http, "Anna", team_id=red["id"])
    ticket = await handled(
        http, anna, "visitor-7", "Bonjour, ma commande n'est pas arrivée, pouvez-vous m'aider ?"
    )
    before = await _conversation(http, ticket["id"])
    await resolve(http, ticket)
    [row] = await surveys(http, ticket["id"])
    assert (row.advisor_id, row.team_id, row.channel) == (anna["id"], red["id"], "chat")
    assert row.language == "fr" and row.score is None and row.answered_at is None
    message = await survey_message(http, row)
    assert message.direction == "outbound" and message.channel == "chat"
    assert message.recipient_address == "visitor-7" and message.subject is None
    assert message.advisor_id is None and message.status != MessageStatus.failed
    assert "de 1 à 5" in message.text
    token = token_of(message)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row.model_dump())
    after = await _conversation(http, ticket["id"])
    assert after.first_response_at == before.first_response_at  # not an advisor's answer
    sent = [e for e in await timeline(http, ticket["id"]) if e["type"] == "csat.sent"]
    assert sent[0]["message_id"] == message.id and sent[0]["data"]["language"] == "fr"
    assert sent[0]["customer_id"] == ticket["customer_id"]


async def test_an_email_survey_is_formal_with_a_subject(http: httpx.AsyncClient) -> None:
    anna = await advisor(http, "Anna")
    body = {"sender": {"id": "jane@example.com", "name": "Jane Doe"}}
    message_id = await _post_email(http, "Hello, my parcel never arrived. Can you check?", body)
    ticket = await routed(http, message_id)
    assert ticket["assignee_id"] == anna["id"]
    await _sent_reply(http, ticket, anna)  # email sending is not configured in tests
    await resolve(http, ticket)
    [row] = await surveys(http, ticket["id"])
    assert row.channel == "email" and row.language == "en" and row.team_id is None
    message = await survey_message(http, row)
    assert message.recipient_address == "jane@example.com"
    assert message.subject == f"How did we do? (conversation #{ticket['id']})"
    assert message.text.startswith("Dear Jane Doe,") and "Kind regards" in message.text
    assert message.meta["reply_to"] is None  # its own subject, not "Re: ..."


async def test_no_survey_without_an_answer_for_spam_or_twice(
    http: httpx.AsyncClient, public: Settings
) -> None:
    anna = await advisor(http, "Anna", capacity_total=3)
    silent = await routed(http, await post(http, "s1", "1", "Hello?"))
    await resolve(http, silent, reason="answered by phone")
    assert await surveys(http, silent["id"]) == []
    spam = await handled(http, anna, "s2", "Buy cheap watches now")
    closed = await http.post(
        f"/v1/conversations/{spam['id']}/status", json={"status": "closed", "reason": "spam"}
    )
    assert closed.status_code == 200, closed.text
    assert await surveys(http, spam["id"]) == []
    twice = await handled(http, anna, "s3", "I need help with my order")
    await resolve(http, twice)
    reopened = await http.post(f"/v1/conversations/{twice['id']}/status", json={"status": "open"})
    assert reopened.status_code == 200, reopened.text
    await resolve(http, twice, reason="nothing new")
    assert len(await surveys(http, twice["id"])) == 1  # no new answer since the survey
    async with runtime_of(http).db.session() as session:
        row = await session.get(Conversation, twice["id"])
        assert row is not None
        off = public.model_copy(update={"csat_enabled": False})
        assert await csat.survey_after_resolution(session, row, off) is None


async def test_no_survey_when_the_customer_cannot_be_reached(
    http: httpx.AsyncClient, public: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await advisor(http, "Anna", capacity_total=2)
    integration = await routed(http, await post(http, "crm-7", "1", "Help with my order", **API))
    assert integration["assignee_id"] == anna["id"]
    await _sent_reply(http, integration, anna)
    await resolve(http, integration)
    assert await surveys(http, integration["id"]) == []  # the API channel sends nothing
    caplog.set_level("DEBUG", logger="router.tickets.csat")
    async with runtime_of(http).db.session() as session:
        nobody = Customer()  # no identity, no email: an email survey has no address
        session.add(nobody)
        await session.flush()
        assert nobody.id is not None
        resolved = ConversationStatus.resolved
        row = Conversation(customer_id=nobody.id, channel="email", status=resolved)
        session.add(row)
        await session.flush()
        assert row.id is not None
        session.add(
            Message(
                channel="email",
                external_id="reply:nobody",
                direction="outbound",
                sender_address=f"advisor:{anna['id']}",
                text="Done.",
                customer_id=nobody.id,
                conversation_id=row.id,
                advisor_id=anna["id"],
                recipient_address="unknown",
            )
        )
        await session.flush()
        assert await csat.survey_after_resolution(session, row, public) is None
    assert "no address on email" in caplog.text


# -- answering ---------------------------------------------------------------------------------


async def test_answer_once(http: httpx.AsyncClient) -> None:
    anna = await advisor(http, "Anna", capacity_total=2)
    ticket = await handled(http, anna, "a1", "Bonjour, je n'arrive pas à me connecter.")
    await resolve(http, ticket)
    [row] = await surveys(http, ticket["id"])
    token = token_of(await survey_message(http, row))
    asked = await http.get(f"/v1/csat/{token}", headers=JSON)
    assert asked.status_code == 200, asked.text
    assert asked.json()["language"] == "fr" and asked.json()["answered"] is False
    assert asked.json()["scale"]["5"] == "Très satisfait"
    page = await http.get(f"/v1/csat/{token}")
    assert page.headers["content-type"].startswith("text/html")
    assert "<form" in page.text and page.headers["cache-control"] == "no-store"

    for bad in ({"score": 0}, {"score": 6}, {"score": 3, "comment": "x" * 2001}, {}):
        assert (await http.post(f"/v1/csat/{token}", json=bad)).status_code == 422, bad
    malformed = await http.post(
        f"/v1/csat/{token}", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    answered = await http.post(f"/v1/csat/{token}", json={"score": 4, "comment": " Rapide "})
    assert answered.status_code == 200, answered.text
    assert answered.json()["answered"] is True and answered.json()["score"] == 4
    again = await http.post(f"/v1/csat/{token}", json={"score": 1})
    assert again.status_code == 409
    [row] = await surveys(http, ticket["id"])
    assert (row.score, row.comment, row.advisor_id) == (4, "Rapide", anna["id"])
    assert row.answered_at is not None
    done = [e for e in await timeline(http, ticket["id"]) if e["type"] == "csat.answered"]
    assert done[0]["data"]["score"] == 4 and done[0]["customer_id"] == ticket["customer_id"]
    assert "Rapide" not in str(done[0])
    assert "Merci" in (await http.get(f"/v1/csat/{token}")).text
    # The French customer who posts the page's form again reads why, in French.
    twice = await http.post(f"/v1/csat/{token}", data={"score": "2", "comment": ""})
    assert twice.status_code == 409 and 'lang="fr"' in twice.text
    assert "Vous avez déjà répondu à ce questionnaire" in twice.text
    assert "already" not in twice.text

    # The page's own form, then unknown and expired links.
    other = await handled(http, anna, "a2", "Hello, my invoice is wrong")
    await resolve(http, other)
    [second] = await surveys(http, other["id"])
    form_token = token_of(await survey_message(http, second))
    form = await http.post(f"/v1/csat/{form_token}", data={"score": "5", "comment": ""})
    assert form.status_code == 200 and "Thank you" in form.text
    assert (await surveys(http, other["id"]))[0].score == 5
    unknown = "A" * 43
    assert (await http.get(f"/v1/csat/{unknown}", headers=JSON)).status_code == 404
    assert (await http.post(f"/v1/csat/{unknown}", json={"score": 3})).status_code == 404
    assert (await http.get("/v1/csat/not!a!token")).status_code in (404, 422)
    unknown_page = await http.get(f"/v1/csat/{unknown}")
    assert unknown_page.status_code == 404 and "Ce lien de questionnaire est inconnu" in (
        unknown_page.text
    )
    await _age(http, second.id, days=31)
    await _unanswer(http, second.id)
    expired = await http.post(f"/v1/csat/{form_token}", json={"score": 3}, headers=JSON)
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    page = await http.get(f"/v1/csat/{form_token}")
    assert page.status_code == 410 and "expired" in page.text


# -- the report --------------------------------------------------------------------------------


async def test_report_per_team(http: httpx.AsyncClient) -> None:
    red, blue = await team(http, "Red"), await team(http, "Blue")
    anna = await advisor(http, "Anna", team_id=red["id"])
    ticket = await handled(http, anna, "r1", "Hello, I need help with my order")
    await resolve(http, ticket)
    [row] = await surveys(http, ticket["id"])
    token = token_of(await survey_message(http, row))
    assert (await http.post(f"/v1/csat/{token}", json={"score": 4})).status_code == 200
    for team_id, score in ((red["id"], 2), (red["id"], None), (blue["id"], 5), (None, 1)):
        await _survey(http, ticket["id"], team_id, score)
    await _survey(http, ticket["id"], red["id"], 5, sent=datetime.now(UTC) - timedelta(days=40))

    sue = await login(http, await advisor(http, "Sue", team_id=red["id"], role="supervisor"))
    mine = await http.get("/v1/reports/csat", headers=sue)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["sent"], body["answered"], body["average"]) == (3, 2, 3.0)
    assert body["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert body["response_rate"] == pytest.approx(0.667)
    assert [t["team_id"] for t in body["teams"]] == [red["id"]]
    everyone = (await http.get("/v1/reports/csat")).json()
    assert [t["team_id"] for t in everyone["teams"]] == [red["id"], blue["id"], None]
    assert (everyone["sent"], everyone["answered"]) == (5, 4)
    assert everyone["average"] == pytest.approx(3.0)
    blue_only = (await http.get("/v1/reports/csat", params={"team_id": blue["id"]})).json()
    assert blue_only["distribution"]["5"] == 1 and blue_only["response_rate"] == 1.0
    longer = {"since": (datetime.now(UTC) - timedelta(days=60)).isoformat()}
    assert (await http.get("/v1/reports/csat", params=longer)).json()["sent"] == 6
    hidden = await http.get("/v1/reports/csat", params={"team_id": blue["id"]}, headers=sue)
    assert hidden.status_code == 404
    backwards = {"since": datetime.now(UTC).isoformat(), "until": longer["since"]}
    assert (await http.get("/v1/reports/csat", params=backwards)).status_code == 422
    advisor_only = await http.get("/v1/reports/csat", headers=await login(http, anna))
    assert advisor_only.status_code == 403


# -- database helpers --------------------------------------------------------------------------


async def _conversation(http: httpx.AsyncClient, conversation_id: int) -> Conversation:
    async with runtime_of(http).db.read_session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row


async def _post_email(http: httpx.AsyncClient, text: str, body: dict[str, Any]) -> int:
    payload = {"channel": "email", "external_id": "<m1@example.com>", "text": text, **body}
    response = await http.post("/v1/messages", json=payload)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


async def _sent_reply(
    http: httpx.AsyncClient, ticket: dict[str, Any], owner: dict[str, Any]
) -> None:
    async with runtime_of(http).db.session() as session:
        session.add(
            Message(
                channel="email",
                external_id="reply:test",
                direction="outbound",
                sender_address=f"advisor:{owner['id']}",
                text="We are looking into it.",
                status=MessageStatus.sent,
                customer_id=ticket["customer_id"],
                conversation_id=ticket["id"],
                advisor_id=owner["id"],
                recipient_address="jane@example.com",
            )
        )
        await session.commit()


async def _survey(
    http: httpx.AsyncClient,
    conversation_id: int,
    team_id: int | None,
    score: int | None,
    sent: datetime | None = None,
) -> None:
    async with runtime_of(http).db.session() as session:
        sent = sent or datetime.now(UTC) - timedelta(hours=1)
        session.add(
            CsatSurvey(
                conversation_id=conversation_id,
                team_id=team_id,
                channel="chat",
                language="en",
                token_hash=hashlib.sha256(f"{team_id}{score}{sent}".encode()).hexdigest(),
                sent_at=sent,
                score=score,
                answered_at=sent if score is not None else None,
            )
        )
        await session.commit()


async def _age(http: httpx.AsyncClient, survey_id: int | None, *, days: int) -> None:
    async with runtime_of(http).db.session() as session:
        row = await session.get(CsatSurvey, survey_id)
        assert row is not None
        row.sent_at = row.sent_at - timedelta(days=days)
        await session.commit()


async def _unanswer(http: httpx.AsyncClient, survey_id: int | None) -> None:
    async with runtime_of(http).db.session() as session:
        row = await session.get(CsatSurvey, survey_id)
        assert row is not None
        row.score = row.answered_at = row.comment = None
        await session.commit()
