"""Demo reply templates (English and French) for intents of the shipped classifier.

Email bodies carry no greeting or signature: rendering adds them. Social variants are public
and hold no personal placeholder.
"""

from __future__ import annotations

from typing import Any


def _variant(kind: str, language: str, body: str, subject: str | None = None) -> dict[str, Any]:
    return {"channel_kind": kind, "language": language, "subject": subject, "body": body}


TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "Delivery: where is my parcel",
        "intent": "order_delivery",
        "variants": [
            _variant(
                "email",
                "en",
                "Your order {{order_number}} has shipped. You can follow the parcel with the "
                "tracking number {{tracking_number}} on the carrier's website.",
                "Your order {{order_number}}",
            ),
            _variant(
                "email",
                "fr",
                "Votre commande {{order_number}} a été expédiée. Vous pouvez suivre le colis "
                "avec le numéro de suivi {{tracking_number}} sur le site du transporteur.",
                "Votre commande {{order_number}}",
            ),
            _variant(
                "chat",
                "en",
                "Your order {{order_number}} has shipped: tracking number {{tracking_number}}.",
            ),
            _variant(
                "chat",
                "fr",
                "Votre commande {{order_number}} est expédiée : suivi {{tracking_number}}.",
            ),
            _variant(
                "social",
                "en",
                "Hi {{customer.first_name}}, we are checking your delivery. Please send us "
                "your order number in a private message.",
            ),
            _variant(
                "social",
                "fr",
                "Bonjour {{customer.first_name}}, nous vérifions votre livraison. Envoyez-nous "
                "votre numéro de commande en message privé.",
            ),
        ],
    },
    {
        "name": "Refund: return received",
        "intent": "refund_return",
        "variants": [
            _variant(
                "email",
                "en",
                "We have received your return for order {{order_number}}. The refund of "
                "{{amount}} will reach your account within 5 business days.",
            ),
            _variant(
                "email",
                "fr",
                "Nous avons bien reçu votre retour pour la commande {{order_number}}. Le "
                "remboursement de {{amount}} sera crédité sous 5 jours ouvrés.",
            ),
            _variant(
                "chat",
                "en",
                "Your return is received; the refund of {{amount}} is on its way (5 days).",
            ),
            _variant(
                "chat",
                "fr",
                "Votre retour est bien reçu ; le remboursement de {{amount}} arrive sous 5 jours.",
            ),
            _variant(
                "social",
                "en",
                "Thanks {{customer.first_name}}! Refunds reach your account within 5 business "
                "days of the return.",
            ),
            _variant(
                "social",
                "fr",
                "Merci {{customer.first_name}} ! Le remboursement arrive sous 5 jours ouvrés "
                "après réception du retour.",
            ),
        ],
    },
    {
        "name": "Billing: invoice copy",
        "intent": "billing",
        "variants": [
            _variant(
                "email",
                "en",
                "Please find attached a copy of invoice {{invoice_number}}. It is also "
                "available in your customer area.",
            ),
            _variant(
                "email",
                "fr",
                "Veuillez trouver ci-joint une copie de la facture {{invoice_number}}. Elle "
                "est aussi disponible dans votre espace client.",
            ),
            _variant("any", "en", "Invoice {{invoice_number}} is in your customer area."),
            _variant("any", "fr", "La facture {{invoice_number}} est dans votre espace client."),
        ],
    },
    {
        "name": "Account: password reset",
        "intent": "account_access",
        "variants": [
            _variant(
                "any",
                "en",
                'To reset your password, click "Forgot password" on the sign-in page; the '
                "link we send is valid for one hour.",
            ),
            _variant(
                "any",
                "fr",
                "Pour réinitialiser votre mot de passe, cliquez sur « Mot de passe oublié » "
                "sur la page de connexion ; le lien envoyé est valable une heure.",
            ),
        ],
    },
    {
        "name": "Complaint: apology",
        "intent": "complaint",
        "variants": [
            _variant(
                "email",
                "en",
                "I am sorry for the trouble. I have taken charge of your case "
                "(#{{conversation.id}}) personally and will keep you informed.",
            ),
            _variant(
                "email",
                "fr",
                "Je suis désolé(e) pour ce désagrément. Je prends personnellement en charge "
                "votre dossier (n° {{conversation.id}}) et vous tiens informé(e).",
            ),
            _variant("chat", "en", "I'm sorry about this, {{customer.first_name}}. I'm on it now."),
            _variant(
                "chat", "fr", "Désolé(e) pour ce souci, {{customer.first_name}}. Je m'en occupe."
            ),
            _variant(
                "social",
                "en",
                "We're sorry to hear this. We have sent you a private message to sort it out.",
            ),
            _variant(
                "social",
                "fr",
                "Nous sommes désolés. Nous vous avons écrit en message privé pour régler cela.",
            ),
        ],
    },
]
