"""The OpenAPI spec tells the truth about errors (issue 11, item 10, in part): every /v1 operation
documents 401, 403, 404, 409, 413, 422 and 429 with the error model it really answers."""

from __future__ import annotations

from racehub.app import create_app
from racehub.db import Database


def test_every_operation_documents_its_errors_with_the_model_they_come_in(world_database: Database) -> None:
    spec = create_app(world_database).openapi()
    wrong = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            expected = "OpenAIErrorOut" if path in ("/v1/chat/completions", "/v1/models") else "ErrorOut"
            for status in ("401", "403", "404", "409", "413", "422", "429"):
                schema = operation["responses"].get(status, {}).get("content", {}).get("application/json", {})
                if schema.get("schema", {}).get("$ref") != f"#/components/schemas/{expected}":
                    wrong.append(f"{method.upper()} {path} {status}")
    assert wrong == []
    assert "HTTPValidationError" not in spec["components"]["schemas"]
