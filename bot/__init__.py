"""Nabovagt product: conversations, services, CLI and app wiring."""
