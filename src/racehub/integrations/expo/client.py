"""Expo push client: up to 100 messages a request, tickets back, receipts later (hardened HTTP)."""

from __future__ import annotations

import time

from racehub.integrations.expo import schemas
from racehub.integrations.expo.schemas import Message, Receipt, Ticket
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp

DEFAULT_BASE_URL = "https://exp.host"


class ExpoPushClient:
    """Sends to the Expo push service (or a local simulator at `base_url`)."""

    vendor = "expo"

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        access_token: str | None = None,
        policy: HttpPolicy | None = None,
        sleep: SleepFn = time.sleep,
    ) -> None:
        self._headers = {"Accept-Encoding": "gzip, deflate"}
        if access_token:
            self._headers["Authorization"] = f"Bearer {access_token}"
        self._http = VendorHttp(self.vendor, base_url, policy, sleep=sleep)

    def close(self) -> None:
        self._http.close()

    def send(self, messages: list[Message]) -> list[Ticket]:
        """One ticket per message, in order. Expo refuses more than 100 at once: the caller batches."""
        if not 0 < len(messages) <= schemas.MAX_MESSAGES:
            raise ValueError(f"send 1 to {schemas.MAX_MESSAGES} messages at once, not {len(messages)}")
        body = [m.model_dump(exclude_none=True) for m in messages]
        response = self._http.request_json(
            "POST", schemas.SEND_PATH, schemas.SendResponse, json_body=body, headers=self._headers
        )
        tickets: list[Ticket] = response.body.data
        if len(tickets) != len(messages):
            raise ValueError(f"expo answered {len(tickets)} tickets for {len(messages)} messages")
        return tickets

    def receipts(self, ticket_ids: list[str]) -> dict[str, Receipt]:
        """Receipts of up to 1,000 tickets; ids Expo has none for yet are absent."""
        if not ticket_ids:
            return {}
        if len(ticket_ids) > schemas.MAX_RECEIPT_IDS:
            raise ValueError(f"ask for at most {schemas.MAX_RECEIPT_IDS} receipts at once")
        response = self._http.request_json(
            "POST",
            schemas.RECEIPTS_PATH,
            schemas.ReceiptsResponse,
            json_body={"ids": ticket_ids},
            headers=self._headers,
            idempotent=True,
        )
        receipts: dict[str, Receipt] = response.body.data
        return receipts
