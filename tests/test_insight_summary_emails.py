"""The "already said" summary on realistic e-mails: the request and the complaint, not the
greeting, the pleasantries, the backstory, the signature or the quoted history (issue 19)."""

from __future__ import annotations

import pytest

from router.customers.summary import MAX_CHARS, summarize

FR_DAMAGED = """Bonjour,

J'espère que vous allez bien. Je me permets de vous écrire au sujet de ma commande.
J'ai reçu hier le colis de la commande n° CMD-2026-118, mais l'écran de la tablette est fissuré.
C'est la deuxième fois que cela arrive avec votre transporteur et je commence à perdre patience.
Pourriez-vous m'envoyer une étiquette de retour et me rembourser les 249,90 € ?
Je reste disponible pour tout complément d'information.

Bien cordialement,
Claire Martin
Responsable achats — Société Dupont
Tél. 01 23 45 67 89

Le lun. 30 nov. 2026 à 09:12, Service client <support@shop.fr> a écrit :
> Bonjour Madame Martin,
> Votre commande a bien été expédiée et sera livrée sous 48 h.
> Cordialement"""

EN_WRONG_SIZE = """Hi there,

Hope you're well. I'm writing about my recent order.
I ordered a pair of running shoes on November 20th (order #48213).
They arrived yesterday but they are the wrong size, I ordered a 42 and got a 44.
Can you please send the right size or refund me the $89.99?
Let me know if you need anything else from me.

Many thanks,
John Smith
Sales Manager | Acme Ltd
+44 20 7946 0958

On Mon, Nov 30, 2026 at 9:12 AM Support <support@shop.com> wrote:
> Hello John, your order has shipped and will arrive within 2 days.
> Best regards"""

FR_ADDRESS = """Bonjour Madame, Monsieur,

Je suis cliente chez vous depuis plus de dix ans et j'ai toujours été satisfaite de vos services.
Le mois dernier, j'ai déménagé à Lyon et j'ai mis à jour mon adresse dans mon espace client.
Mon fils m'a aidée à faire la démarche sur le site internet un dimanche après-midi.
Or la facture n° FA-2026-11-0042 a été envoyée à mon ancienne adresse à Grenoble.
Je vous demande de corriger l'adresse de facturation et de me renvoyer cette facture au plus vite.

Dans l'attente de votre retour,
Bien à vous,
Jeanne Durand

De : Service client <support@energie.fr>
Envoyé : lundi 30 novembre 2026 09:12
> Madame, votre changement d'adresse a bien été pris en compte."""

EN_RAIN = """Dear Customer Service,

I hope this email finds you well.
I have been a loyal customer for many years and I usually love your products.
Last week my husband and I went on holiday to Spain for a few days.
While we were away, the parcel for order no. A-123-456 was left outside in the rain.
The box was soaked and the coffee machine inside no longer turns on, which is unacceptable.
I would like a replacement sent by express delivery, not a voucher.

Kind regards,
Emma Brown

-----Original Message-----
From: Support <support@shop.com>
> Your parcel has been delivered."""


@pytest.mark.parametrize(
    ("email", "kept", "left_out"),
    [
        (
            FR_DAMAGED,
            ["l'écran de la tablette est fissuré", "Pourriez-vous m'envoyer une étiquette"],
            ["Bonjour", "J'espère", "Je me permets", "Je reste disponible", "Claire Martin",
             "Responsable achats", "01 23 45 67 89", "expédiée"],
        ),
        (
            EN_WRONG_SIZE,
            ["(order #48213)", "wrong size", "Can you please send the right size"],
            ["Hi there", "Hope you", "writing about", "Let me know", "Many thanks",
             "John Smith", "Sales Manager", "+44", "has shipped"],
        ),
        (
            FR_ADDRESS,
            ["facture n° FA-2026-11-0042", "Je vous demande de corriger"],
            ["Madame, Monsieur", "cliente chez vous depuis", "Mon fils", "Bien à vous",
             "Jeanne Durand", "pris en compte"],
        ),
        (
            EN_RAIN,
            ["order no. A-123-456 was left outside", "no longer turns on",
             "I would like a replacement"],
            ["Dear", "finds you well", "loyal customer", "holiday", "Kind regards",
             "Emma Brown", "Original Message", "has been delivered"],
        ),
    ],
)  # fmt: skip
def test_the_summary_picks_the_request_not_the_wrapping(
    email: str, kept: list[str], left_out: list[str]
) -> None:
    summary = summarize([email])
    assert len(summary) <= MAX_CHARS
    for words in kept:
        assert words in summary, (words, summary)
    for words in left_out:
        assert words not in summary, (words, summary)


def test_a_period_after_an_abbreviation_does_not_cut_the_sentence() -> None:
    summary = summarize(["Hello, my order no. A-123-456 never came. Can you check it please?"])
    assert summary == "My order no. A-123-456 never came. Can you check it please?"
