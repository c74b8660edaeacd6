"""`sync_results`: an edition's results and splits from CTLive or Copernico (or RunSignUp results)."""

from __future__ import annotations

from contextlib import closing

from racehub.errors import InvalidInput
from racehub.integrations import registry
from racehub.integrations.base import ResultRecord
from racehub.workflows.context import RunContext
from racehub.workflows.sync import repository
from racehub.workflows.sync.common import race_key, resolve_race, write_results


def sync_results(ctx: RunContext) -> str:
    edition = ctx.edition
    provider, external_id = edition.results_provider, edition.results_external_id
    if not provider or not external_id:
        raise InvalidInput(f"{edition.event_name} {edition.year} has no results platform to sync from")
    with ctx.transaction() as session:
        client = ctx.env.providers.results(session, ctx.org_id, provider)
    totals = [0, 0, 0, 0]
    with closing(client):
        races = client.races(external_id)
        for done, race in enumerate(races):
            ctx.report(f"{race.name}: results", done, len(races))
            key = race_key("results", provider, race.external_id)
            if ctx.done(key):
                continue
            records: list[ResultRecord] = []
            for record in client.results(external_id, race.external_id):
                records.append(record)
                ctx.live(race.name, len(records))
            with ctx.transaction() as session:
                repository.lock_edition(session, edition.id)
                race_id = resolve_race(session, ctx, provider, race)
                assert race_id is not None
                changes = write_results(session, ctx, provider, race_id, records, complete=True)
                ctx.checkpoint(
                    session,
                    key,
                    changes.counts(),
                    {"race": race.name, "race_id": race_id, **changes.detail()},
                )
            totals = [a + b for a, b in zip(totals, changes.counts(), strict=True)]
        ctx.report("results", len(races), len(races))
    fetched, inserted, updated, removed = totals
    return (
        f"{registry.label(provider)} results: {fetched} fetched, {inserted} new, "
        f"{updated} updated, {removed} removed"
    )
