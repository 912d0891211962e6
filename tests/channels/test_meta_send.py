"""Sending through the Graph API, against a fake Graph API on a loopback port."""

from __future__ import annotations

import httpx
import pytest

from channels.base import Attachment, OutboundMessage, Threading
from channels.errors import PermanentSendError, TransientSendError
from channels.http_retry import RetryPolicy
from channels.meta.adapter import MessengerAdapter, MetaConfig, WhatsAppAdapter
from channels.meta.graph import GraphTarget
from tests.channels.support import FakeProvider, Reply, Sleeps

PAGE_PATH = "/v21.0/106512345678901/messages"
WA_PATH = "/v21.0/106540352242922/messages"


def config(provider: FakeProvider, sender_id: str) -> MetaConfig:
    return MetaConfig(
        app_secret="s",
        verify_token="v",
        target=GraphTarget(access_token="page-token", sender_id=sender_id, graph_url=provider.url),
    )


def messenger(provider: FakeProvider, http: httpx.AsyncClient, sleeps: Sleeps) -> MessengerAdapter:
    policy = RetryPolicy(sleep=sleeps, jitter=lambda: 1.0)
    return MessengerAdapter(config(provider, "106512345678901"), http, retry=policy)


def text(to: str = "7012345678901234", body: str = "Votre colis part aujourd'hui.", **kw: object):  # type: ignore[no-untyped-def]
    return OutboundMessage(channel="messenger", to=to, text=body, **kw)  # type: ignore[arg-type]


def graph_error(code: int, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"message": message, "type": "OAuthException", "code": code, **extra}}


async def test_messenger_text_is_posted_with_the_token_in_a_header(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        PAGE_PATH, Reply(200, {"recipient_id": "7012345678901234", "message_id": "m_1"})
    )
    result = await messenger(provider, http, Sleeps()).send(text())
    assert (result.provider_message_id, result.attempts) == ("m_1", 1)
    (request,) = provider.requests
    assert request.headers["authorization"] == "Bearer page-token"
    assert request.json == {
        "recipient": {"id": "7012345678901234"},
        "message": {"text": "Votre colis part aujourd'hui."},
        "messaging_type": "RESPONSE",
    }


async def test_429_and_5xx_are_retried_honouring_retry_after(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        PAGE_PATH,
        Reply(
            429,
            graph_error(613, "Calls to this api have exceeded the rate limit."),
            {"Retry-After": "7"},
        ),
        Reply(503, {"error": {"message": "Service unavailable", "code": 2}}),
        Reply(200, {"recipient_id": "7012345678901234", "message_id": "m_2"}),
    )
    sleeps = Sleeps()
    result = await messenger(provider, http, sleeps).send(text())
    assert (result.provider_message_id, result.attempts) == ("m_2", 3)
    assert sleeps.delays == [7.0, 1.0]  # Retry-After, then backoff step 2 (jitter pinned)
    assert len(provider.requests) == 3


async def test_rate_limit_reported_as_http_400_is_transient_too(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        PAGE_PATH,
        Reply(400, graph_error(4, "Application request limit reached")),
        Reply(200, {"message_id": "m_3"}),
    )
    result = await messenger(provider, http, Sleeps()).send(text())
    assert result.provider_message_id == "m_3"


async def test_permanent_error_carries_the_provider_code_and_message(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        PAGE_PATH,
        Reply(
            400, graph_error(551, "This person isn't available right now.", error_subcode=1545041)
        ),
    )
    with pytest.raises(PermanentSendError) as caught:
        await messenger(provider, http, Sleeps()).send(text())
    error = caught.value
    assert (error.provider_code, error.status, error.attempts) == ("551", 400, 1)
    assert error.provider_message == "This person isn't available right now."
    assert "subcode 1545041" in str(error)
    assert len(provider.requests) == 1


async def test_retries_stop_at_the_attempt_cap_with_a_retry_hint(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(PAGE_PATH, *[Reply(500, {"error": {"message": "boom", "code": 1}})] * 4)
    sleeps = Sleeps()
    with pytest.raises(TransientSendError) as caught:
        await messenger(provider, http, sleeps).send(text())
    assert caught.value.attempts == 4
    assert caught.value.retry_after == 4.0  # the delay the next attempt would have waited
    assert sleeps.delays == [0.5, 1.0, 2.0]


async def test_a_retry_after_beyond_the_wait_budget_is_handed_to_the_caller(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(PAGE_PATH, Reply(429, graph_error(613, "slow down"), {"Retry-After": "3600"}))
    sleeps = Sleeps()
    with pytest.raises(TransientSendError) as caught:
        await messenger(provider, http, sleeps).send(text())
    assert caught.value.retry_after == 3600.0
    assert sleeps.delays == [] and len(provider.requests) == 1


async def test_too_long_text_is_refused_before_any_request(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    with pytest.raises(PermanentSendError, match="limited to 2000 characters"):
        await messenger(provider, http, Sleeps()).send(text(body="x" * 2001))
    assert provider.requests == []


async def test_attachments_are_sent_as_separate_messages(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        PAGE_PATH,
        Reply(200, {"message_id": "m_text"}),
        Reply(200, {"message_id": "m_image"}),
    )
    image = Attachment("label.png", "image/png", url="https://files.example.com/label.png")
    result = await messenger(provider, http, Sleeps()).send(text(attachments=(image,)))
    assert result.provider_message_ids == ("m_text", "m_image")
    assert provider.requests[1].json["message"] == {
        "attachment": {
            "type": "image",
            "payload": {"url": "https://files.example.com/label.png", "is_reusable": False},
        }
    }


async def test_a_failure_half_way_reports_what_was_already_sent(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        PAGE_PATH,
        Reply(200, {"message_id": "m_text"}),
        Reply(400, graph_error(100, "Invalid attachment URL")),
    )
    image = Attachment("x.png", "image/png", url="https://files.example.com/x.png")
    with pytest.raises(PermanentSendError) as caught:
        await messenger(provider, http, Sleeps()).send(text(attachments=(image,)))
    assert caught.value.sent_ids == ("m_text",)


async def test_unreachable_graph_api_is_transient_after_retries(
    http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    from tests.channels.support import closed_port

    sleeps = Sleeps()
    target = GraphTarget("t", sender_id="1", graph_url=f"http://127.0.0.1:{closed_port()}")
    adapter = MessengerAdapter(
        MetaConfig("s", "v", target), http, retry=RetryPolicy(sleep=sleeps, jitter=lambda: 0.0)
    )
    with pytest.raises(TransientSendError, match="cannot reach the provider") as caught:
        await adapter.send(text())
    assert not caught.value.maybe_delivered
    assert caught.value.attempts == 4 and len(sleeps.delays) == 3


async def test_a_read_timeout_is_not_retried_blindly(provider: FakeProvider) -> None:
    provider.script(PAGE_PATH, Reply(200, {"message_id": "late"}, delay=1.0))
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.2)) as slow:
        with pytest.raises(TransientSendError) as caught:
            await messenger(provider, slow, Sleeps()).send(text())
    assert caught.value.maybe_delivered
    assert len(provider.requests) == 1


async def test_whatsapp_text_quotes_the_answered_message(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        WA_PATH,
        Reply(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": "33612345678", "wa_id": "33612345678"}],
                "messages": [{"id": "wamid.OURS-3"}],
            },
        ),
    )
    adapter = WhatsAppAdapter(config(provider, "106540352242922"), http)
    result = await adapter.send(
        OutboundMessage(
            channel="whatsapp",
            to="33612345678",
            text="Votre remboursement est parti hier.",
            reply_to=Threading(message_id="wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQUZCRTM2-text"),
        )
    )
    assert result.provider_message_id == "wamid.OURS-3"
    assert provider.requests[0].json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "33612345678",
        "context": {"message_id": "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQUZCRTM2-text"},
        "type": "text",
        "text": {"body": "Votre remboursement est parti hier."},
    }


async def test_whatsapp_throughput_error_is_transient(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        WA_PATH,
        Reply(400, graph_error(131056, "(Business Account, Consumer Account) pair rate limit hit")),
        Reply(200, {"messages": [{"id": "wamid.OURS-4"}]}),
    )
    adapter = WhatsAppAdapter(
        config(provider, "106540352242922"), http, retry=RetryPolicy(sleep=Sleeps())
    )
    result = await adapter.send(OutboundMessage(channel="whatsapp", to="33612345678", text="ok"))
    assert (result.provider_message_id, result.attempts) == ("wamid.OURS-4", 2)


async def test_whatsapp_media_id_resolves_to_a_download_url(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        "/v21.0/1503926270343745",
        Reply(
            200,
            {
                "messaging_product": "whatsapp",
                "url": "https://lookaside.fbsbx.example/whatsapp_business/attachments/?mid=1",
                "mime_type": "image/jpeg",
                "sha256": "4PPgh6Mv2GoVLu1K0Xy4mJK1P5r1VZ8t2ZxQ0X3hIhw=",
                "file_size": 30321,
                "id": "1503926270343745",
            },
        ),
    )
    adapter = WhatsAppAdapter(config(provider, "106540352242922"), http)
    media = await adapter.media("1503926270343745")
    assert (media.content_type, media.size) == ("image/jpeg", 30321)
    assert media.url == "https://lookaside.fbsbx.example/whatsapp_business/attachments/?mid=1"
    assert provider.requests[0].method == "GET"
    assert provider.requests[0].headers["authorization"] == "Bearer page-token"
