"""Personalisation: shopper profiles, imported history, the recommender, feedback and the shopper's controls."""
