"""`sync_registrations`: an edition's registrations from RunSignUp or RaceRoster into entries.

Incremental after the first success: only registrations changed (and removals made) since the last
successful sync started, less an overlap for clock differences; `params.full` fetches everything.
"""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

from racehub.errors import InvalidInput
from racehub.integrations import registry
from racehub.integrations.base import Registration
from racehub.workflows import repository as runs
from racehub.workflows.context import RunContext
from racehub.workflows.sync import repository
from racehub.workflows.sync.common import last_by_id, race_key, registration_rows, resolve_race

# Registrations changed this long before the last sync started are fetched again: vendor and RaceHub
# clocks differ, and a change made while the last sync ran must not fall between two syncs.
OVERLAP = timedelta(minutes=10)


def sync_registrations(ctx: RunContext) -> str:
    edition = ctx.edition
    provider, external_id = edition.registration_provider, edition.registration_external_id
    if not provider or not external_id:
        raise InvalidInput(f"{edition.event_name} {edition.year} has no registration platform to sync from")
    since = None
    if not ctx.run.params.get("full"):
        with ctx.transaction() as session:
            last = runs.last_success_started_at(session, edition.id, "sync_registrations")
        since = last - OVERLAP if last is not None else None
    with ctx.transaction() as session:
        client = ctx.env.providers.registrations(session, ctx.org_id, provider)
    with closing(client):
        races = client.races(external_id)
        totals = [0, 0, 0, 0]
        for done, race in enumerate(races):
            ctx.report(f"{race.name}: registrations", done, len(races))
            key = race_key("registrations", provider, race.external_id)
            if ctx.done(key):
                continue
            registrations: list[Registration] = []
            for registration in client.registrations(external_id, race.external_id, since):
                registrations.append(registration)
                ctx.live(race.name, len(registrations))
            registrations = last_by_id(registrations, "external_id")
            removed_ids = client.removed_registrations(external_id, race.external_id, since)
            with ctx.transaction() as session:
                repository.lock_edition(session, edition.id)
                race_id = resolve_race(session, ctx, provider, race)
                assert race_id is not None
                repository.stage(session, "wf_reg", registration_rows(registrations, edition.timezone))
                erased = repository.drop_erased(session, "wf_reg", ctx.org_id, provider, race_id)
                repository.resolve_entries(session, "wf_reg", ctx.org_id, provider, race_id)
                inserted, updated = repository.merge_registrations(session, ctx.org_id, race_id)
                repository.link_staged(session, "wf_reg", ctx.org_id, provider)
                removed, kept = repository.remove_registrations(
                    session, ctx.org_id, provider, race_id, removed_ids
                )
                counts = (len(registrations) + len(removed_ids), inserted, updated, removed)
                ctx.checkpoint(
                    session,
                    key,
                    counts,
                    {
                        "race": race.name,
                        "race_id": race_id,
                        "registrations": len(registrations),
                        "removals_reported": len(removed_ids),
                        "inserted": inserted,
                        "updated": updated,
                        "removed": removed,
                        "kept_with_results": kept,
                        "erased_skipped": erased,
                        "incremental": since is not None,
                    },
                )
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
        ctx.report("registrations", len(races), len(races))
    fetched, inserted, updated, removed = totals
    return (
        f"{registry.label(provider)} registrations: {fetched} fetched, {inserted} new, "
        f"{updated} updated, {removed} removed"
    )
