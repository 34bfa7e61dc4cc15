"""Headless core of tongket: parsing, storage and queries. Never imports Textual."""
