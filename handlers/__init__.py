"""Transports: each turns a provider wire format into neutral messages and back."""
