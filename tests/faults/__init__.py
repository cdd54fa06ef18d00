"""Fault injection: several `nabovagt run` processes on PostgreSQL, killed, frozen, cut off."""
