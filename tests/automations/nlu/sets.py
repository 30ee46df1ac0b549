"""Small example sets shared by the NLU tests."""

from __future__ import annotations

from typing import Any

from config.intents import IntentsFile


def faq(out_of_scope: bool = True, **extra: Any) -> IntentsFile:
    """A five-intent bilingual FAQ, small enough to train in well under a second."""

    def intent(name: str, en: list[str], fr: list[str]) -> dict[str, Any]:
        return {
            "name": name,
            "examples": {"en": en, "fr": fr},
            "answer": {"text": {"en": f"{name} answer", "fr": f"réponse {name}"}},
        }

    data: dict[str, Any] = {
        "intents": [
            intent(
                "pricing",
                [
                    "How much does it cost?",
                    "What are your prices?",
                    "Price of the Pro plan",
                    "How much is the subscription?",
                ],
                [
                    "Combien ça coûte ?",
                    "Quels sont vos tarifs ?",
                    "Prix de l'offre Pro",
                    "Combien coûte l'abonnement ?",
                ],
            ),
            intent(
                "reset_password",
                [
                    "I forgot my password",
                    "How do I reset my password?",
                    "Change my password",
                    "My password does not work",
                ],
                [
                    "J'ai oublié mon mot de passe",
                    "Comment réinitialiser mon mot de passe ?",
                    "Changer mon mot de passe",
                    "Mon mot de passe ne marche pas",
                ],
            ),
            intent(
                "opening_hours",
                [
                    "What are your opening hours?",
                    "When are you open?",
                    "Are you open on Sunday?",
                    "What time do you close?",
                ],
                [
                    "Quels sont vos horaires ?",
                    "Quand êtes-vous ouverts ?",
                    "Êtes-vous ouverts le dimanche ?",
                    "À quelle heure fermez-vous ?",
                ],
            ),
            intent(
                "cancel_subscription",
                [
                    "How do I cancel my subscription?",
                    "I want to cancel",
                    "Stop my plan",
                    "Unsubscribe me",
                ],
                [
                    "Comment résilier mon abonnement ?",
                    "Je veux annuler",
                    "Arrêter mon offre",
                    "Désabonnez-moi",
                ],
            ),
            intent(
                "invoices",
                [
                    "Where are my invoices?",
                    "I need an invoice",
                    "Download my bill",
                    "Send me a receipt",
                ],
                [
                    "Où sont mes factures ?",
                    "J'ai besoin d'une facture",
                    "Télécharger ma facture",
                    "Envoyez-moi un reçu",
                ],
            ),
        ],
        **extra,
    }
    if out_of_scope:
        data["out_of_scope"] = {
            "en": [
                "What's the weather tomorrow?",
                "Tell me a joke",
                "Who won the match?",
                "Recommend a restaurant",
                "How do I cook pasta?",
                "Book me a flight",
            ],
            "fr": [
                "Quel temps fera-t-il demain ?",
                "Raconte une blague",
                "Qui a gagné le match ?",
                "Conseille-moi un restaurant",
                "Comment cuire des pâtes ?",
                "Réserve un vol",
            ],
        }
    return IntentsFile.model_validate(data)
