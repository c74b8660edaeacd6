"""Workflows: vendor syncs and Copernico scoring as durable procrastinate jobs (see service.py)."""
