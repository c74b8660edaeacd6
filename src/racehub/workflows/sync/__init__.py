"""Vendor data into the database: registrations, results with splits, Copernico scoring.

Every write is an upsert keyed by the vendor's external id through `external_refs` (org, provider, kind,
external id → local id), so running a step twice changes nothing the second time. Each race's fetched
page set is written in one transaction together with the run's checkpoint for that race: a failure or a
killed worker leaves a race either fully written or untouched, and a retry skips the races already done.
"""
