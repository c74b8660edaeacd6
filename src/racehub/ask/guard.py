"""The gate every generated SQL passes: one read-only SELECT over the curated views, with a forced LIMIT.

The guard is the first line only. The query still runs in `BEGIN READ ONLY` with a statement timeout,
as the asking tenant's non-owner role under row-level security, with a byte cap on the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import sqlglot
from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from racehub.errors import RaceHubError

DIALECT: Final = "postgres"
MAX_SQL_CHARS: Final = 20_000
DEFAULT_MAX_JOINS: Final = 8
# Sources of one SELECT that share no join condition; two is a plain cross join, three is an explosion.
MAX_UNRELATED_SOURCES: Final = 2

# Lower-case SQL names of the functions generated SQL may call. sqlglot parses most of them into typed
# nodes (exp.Count, exp.Lower, ...) and the rest into exp.Anonymous; `_function_name` maps both back.
SAFE_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {
        # aggregates
        "count", "sum", "avg", "min", "max", "percentile_cont", "percentile_disc", "mode",
        "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
        "string_agg", "array_agg", "bool_and", "bool_or", "every",
        # window functions
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
        "lag", "lead", "first_value", "last_value", "nth_value",
        # math and null handling
        "round", "floor", "ceil", "ceiling", "trunc", "abs", "sign", "sqrt", "power", "mod",
        "greatest", "least", "coalesce", "nullif",
        # text
        "lower", "upper", "initcap", "length", "char_length", "substring", "substr",
        "trim", "btrim", "ltrim", "rtrim", "concat", "concat_ws", "replace", "split_part",
        "left", "right", "position", "strpos", "lpad", "rpad", "starts_with", "regexp_replace",
        # dates and times
        "date_part", "extract", "date_trunc", "to_char", "to_date", "make_date", "make_interval",
        "justify_interval", "age", "current_date", "current_timestamp", "now",
        # expressions sqlglot models as functions
        "cast", "case", "exists", "array", "row",
    }
)  # fmt: skip

# Rejected by the allowlist anyway; named so the message says "forbidden", and so a future widening of
# SAFE_FUNCTIONS cannot let one of them in (a test checks the two sets are disjoint).
DENIED_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {
        "set_config", "current_setting", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file",
        "query_to_xml", "query_to_xml_and_xmlschema", "table_to_xml", "cursor_to_xml", "xpath",
        "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_advisory_lock",
        "current_user", "session_user", "system_user", "current_role", "current_schema",
        "current_schemas", "current_catalog", "current_database", "inet_server_addr", "version",
        "nextval", "setval", "generate_series",
    }
)  # fmt: skip
DENIED_FUNCTION_PREFIXES: Final[tuple[str, ...]] = ("pg_", "lo_", "dblink", "txid_", "xml", "has_")

# sqlglot classes whose generic name (`sql_name()`) differs from the PostgreSQL function they stand for.
_TYPED_FUNCTION_NAMES: Final[dict[type[exp.Expr], str]] = {
    exp.GroupConcat: "string_agg",
    exp.LogicalAnd: "bool_and",
    exp.LogicalOr: "bool_or",
    exp.TimestampTrunc: "date_trunc",
    exp.DateTrunc: "date_trunc",
    exp.TimeToStr: "to_char",
    exp.StrToDate: "to_date",
    exp.StrPosition: "position",
    exp.Pad: "lpad",
    exp.If: "case",
    exp.VariancePop: "var_pop",
    exp.ExplodingGenerateSeries: "generate_series",
    exp.GenerateSeries: "generate_series",
}

_SAFE_TYPES: Final[frozenset[exp.DType]] = frozenset(
    {
        exp.DataType.Type.SMALLINT, exp.DataType.Type.INT, exp.DataType.Type.BIGINT,
        exp.DataType.Type.DECIMAL, exp.DataType.Type.FLOAT, exp.DataType.Type.DOUBLE,
        exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR,
        exp.DataType.Type.BOOLEAN, exp.DataType.Type.DATE, exp.DataType.Type.TIME,
        exp.DataType.Type.TIMETZ, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ,
        exp.DataType.Type.INTERVAL, exp.DataType.Type.UUID, exp.DataType.Type.ARRAY,
    }
)  # fmt: skip

# Bare words PostgreSQL reads as session functions rather than columns.
_SESSION_WORDS: Final[frozenset[str]] = frozenset(
    {
        "user", "current_user", "session_user", "system_user", "current_role", "current_catalog",
        "current_schema",
    }
)  # fmt: skip


def _statement_kinds() -> dict[type[exp.Expr], str]:
    """Nodes that write, change the session or the schema, or that sqlglot could not parse (Command)."""
    names = {
        "Insert": "INSERT", "Update": "UPDATE", "Delete": "DELETE", "Merge": "MERGE", "Copy": "COPY",
        "Create": "CREATE", "Drop": "DROP", "Alter": "ALTER", "TruncateTable": "TRUNCATE",
        "Grant": "GRANT", "Revoke": "REVOKE", "Comment": "COMMENT", "Analyze": "ANALYZE",
        "Set": "SET", "SetItem": "SET", "Transaction": "BEGIN", "Commit": "COMMIT",
        "Rollback": "ROLLBACK", "Into": "SELECT ... INTO", "Lock": "FOR UPDATE/SHARE",
        "Returning": "RETURNING", "OnConflict": "ON CONFLICT", "Command": "an unparsed command",
        "Execute": "EXECUTE", "Declare": "DECLARE", "Use": "USE", "Pragma": "PRAGMA",
        "Show": "SHOW", "Describe": "DESCRIBE", "Kill": "KILL", "LoadData": "LOAD",
        "Refresh": "REFRESH", "Cache": "CACHE", "Uncache": "UNCACHE", "Attach": "ATTACH",
        "Detach": "DETACH", "Summarize": "SUMMARIZE", "Export": "EXPORT", "Install": "INSTALL",
        "NextValueFor": "NEXT VALUE FOR", "UserDefinedFunction": "a function definition",
        "Placeholder": "a query parameter", "Parameter": "a query parameter",
        "SessionParameter": "a session parameter",
    }  # fmt: skip
    # Looked up by name so a sqlglot release that renames or drops one class does not break the import.
    return {getattr(exp, name): label for name, label in names.items() if hasattr(exp, name)}


_FORBIDDEN_NODES: Final[dict[type[exp.Expr], str]] = _statement_kinds()
_FORBIDDEN_TYPES: Final[tuple[type[exp.Expr], ...]] = tuple(_FORBIDDEN_NODES)


class UnsafeQuery(RaceHubError):
    """Generated SQL that must not run; the message names what is wrong."""

    status = 422


def guard_sql(
    sql: str,
    *,
    allowed_tables: frozenset[str],
    max_rows: int = 1000,
    max_joins: int = DEFAULT_MAX_JOINS,
) -> str:
    """Return `sql` re-rendered by sqlglot with a LIMIT of at most `max_rows`, or raise UnsafeQuery."""
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    if len(sql) > MAX_SQL_CHARS:
        raise UnsafeQuery(f"query is longer than {MAX_SQL_CHARS} characters")
    allowed = frozenset(name.lower() for name in allowed_tables)
    root = _parse_one(sql)
    _check(root, allowed, max_joins)
    _force_limit(root, max_rows)
    try:
        rendered = root.sql(dialect=DIALECT, comments=False)
        # What runs is the rendering, so check the rendering: it must parse back to the same single query.
        again = _parse_one(rendered)
        _check(again, allowed, max_joins)
        same = again.sql(dialect=DIALECT, comments=False) == rendered
    except RecursionError as error:
        raise UnsafeQuery("query is nested too deeply") from error
    if not same:
        raise UnsafeQuery("query does not survive re-rendering unchanged")
    _check_called_names(rendered, again)
    return rendered


# Tokens before "(" that are not calls: `AS t(a, b)` (column aliases), `WITHIN GROUP (ORDER BY ...)`.
_NOT_CALLS_AFTER: Final = frozenset({TokenType.ALIAS})


def _check_called_names(sql: str, root: exp.Expr) -> None:
    """Every name written as a call is on the allowlist. sqlglot models some functions as operators
    (`corr`, `array_position`, `json_extract_path`, `jsonb_contains`), as other nodes (`div` as a cast,
    `json_value`), which the tree walk would not see as calls: the tokens do."""
    aliases = [cte.args["alias"].this for cte in root.find_all(exp.CTE) if cte.args.get("alias")]
    ctes = {_identifier_name(alias) for alias in aliases}
    tokens = sqlglot.tokenize(sql, read=DIALECT)
    names = (TokenType.VAR, TokenType.IDENTIFIER)
    for before, name, after in zip([None, *tokens], tokens, tokens[1:], strict=False):
        if after.token_type != TokenType.L_PAREN or name.token_type not in names:
            continue
        if before is not None and (before.token_type in _NOT_CALLS_AFTER or before.text.upper() == "WITHIN"):
            continue
        called = name.text.lower()
        if called in ctes:
            continue
        if called in DENIED_FUNCTIONS or called.startswith(DENIED_FUNCTION_PREFIXES):
            raise UnsafeQuery(f"function {called} is forbidden")
        if called not in SAFE_FUNCTIONS:
            raise UnsafeQuery(f"function {called} is not on the allowlist")


def _parse_one(sql: str) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    # Hostile input can trip parser bugs (or recursion limits); any failure to parse is a rejection.
    except Exception as error:
        raise UnsafeQuery(f"query does not parse: {_first_line(error)}") from error
    if not statements:
        raise UnsafeQuery("no statement found")
    if len(statements) > 1:
        raise UnsafeQuery(f"exactly one statement is allowed, found {len(statements)}")
    statement = statements[0]
    forbidden = _first_forbidden(statement)
    if forbidden is not None:
        raise UnsafeQuery(f"{forbidden} is not allowed")
    # A whole query in parentheses, with nothing outside them.
    while isinstance(statement, exp.Subquery) and not any(
        value for key, value in statement.args.items() if key != "this"
    ):
        statement = statement.this
    if not isinstance(statement, exp.Select | exp.SetOperation):
        raise UnsafeQuery(f"only a SELECT is allowed, not {type(statement).__name__.upper()}")
    return statement


def _force_limit(root: exp.Query, max_rows: int) -> None:
    """LIMIT n for n <= max_rows stays; a larger, missing, ALL, computed or FETCH limit becomes max_rows."""
    current = root.args.get("limit")
    count: exp.Expr | None = None
    offset: exp.Expr | None = None
    if isinstance(current, exp.Limit | exp.Fetch):
        options = current.args.get("limit_options")
        percent = isinstance(options, exp.Expr) and bool(options.args.get("percent"))
        is_limit = isinstance(current, exp.Limit)
        count = None if percent else current.args.get("expression" if is_limit else "count")
        offset = current.args.get("offset") if is_limit else None
    rows = _integer_literal(count)
    limit = exp.Limit(expression=exp.Literal.number(max_rows if rows is None else min(rows, max_rows)))
    if offset is not None:
        limit.set("offset", offset)
    root.set("limit", limit)


def _integer_literal(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit():
        return int(node.name)
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


def _first_forbidden(tree: exp.Expr) -> str | None:
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_TYPES):
            return _FORBIDDEN_NODES.get(type(node)) or next(
                label for kind, label in _FORBIDDEN_NODES.items() if isinstance(node, kind)
            )
    return None


def _check(root: exp.Query, allowed: frozenset[str], max_joins: int) -> None:
    try:
        forbidden = _first_forbidden(root)
        if forbidden is not None:
            raise UnsafeQuery(f"{forbidden} is not allowed")
        for node in root.walk():
            _check_node(node)
        _check_sources(root, frozenset(), allowed)
        _check_joins(root, max_joins)
    except RecursionError as error:
        raise UnsafeQuery("query is nested too deeply") from error


def _check_node(node: exp.Expr) -> None:
    # sqlglot models AND/OR and some operators (`~`, `->>`, `@>`, `^`, COLLATE) as Func subclasses; they
    # are operators on values, not calls, and are all Binary.
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary):
        _check_function(node)
    elif isinstance(node, exp.DataType):
        _check_type(node)
    elif isinstance(node, exp.Column) and not node.table:
        identifier = node.this
        if isinstance(identifier, exp.Identifier) and not identifier.quoted:
            if identifier.name.lower() in _SESSION_WORDS:
                raise UnsafeQuery(f"{identifier.name} is not allowed")


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return _TYPED_FUNCTION_NAMES.get(type(node)) or node.sql_name().lower()


def _check_function(node: exp.Func) -> None:
    name = _function_name(node)
    if name in DENIED_FUNCTIONS or name.startswith(DENIED_FUNCTION_PREFIXES):
        raise UnsafeQuery(f"function {name} is forbidden")
    if name not in SAFE_FUNCTIONS:
        raise UnsafeQuery(f"function {name} is not on the allowlist")
    parent = node.parent
    # `pg_catalog.lower(x)` or `public.f(x)`: a qualified call can reach functions the allowlist never saw.
    if isinstance(parent, exp.Dot) and parent.expression is node:
        raise UnsafeQuery(f"schema-qualified function {parent.sql(dialect=DIALECT)} is not allowed")


def _check_type(node: exp.DataType) -> None:
    if isinstance(node, exp.ObjectIdentifier):
        raise UnsafeQuery(f"cast to {node.sql(dialect=DIALECT)} is not allowed")
    if isinstance(node, exp.IntervalSpan) or isinstance(node.this, exp.Interval):
        return
    if node.this not in _SAFE_TYPES:
        raise UnsafeQuery(f"cast to {node.sql(dialect=DIALECT)} is not allowed")


def _identifier_name(identifier: exp.Expr | None) -> str:
    """PostgreSQL folds unquoted names to lower case; quoted ones are taken as written."""
    if not isinstance(identifier, exp.Identifier):
        return ""
    return identifier.name if identifier.quoted else identifier.name.lower()


def _check_sources(node: exp.Expr, ctes: frozenset[str], allowed: frozenset[str]) -> None:
    """Every table reference is an allowed view, or a CTE visible where it is referenced."""
    with_ = node.args.get("with_")
    if isinstance(with_, exp.With):
        if with_.args.get("recursive"):
            raise UnsafeQuery("WITH RECURSIVE is not allowed")
        visible = set(ctes)
        # Without RECURSIVE a CTE sees only the ones before it: in `WITH a AS (SELECT * FROM pg_authid),
        # pg_authid AS (...)` the first reference is the real catalog table.
        for cte in with_.expressions:
            _check_sources(cte.this, frozenset(visible), allowed)
            visible.add(_identifier_name(cte.args["alias"].this) if cte.args.get("alias") else "")
        ctes = frozenset(visible)
    if isinstance(node, exp.Table):
        _check_table(node, ctes, allowed)
    for child in node.iter_expressions():
        if child is not with_:
            _check_sources(child, ctes, allowed)


def _check_table(table: exp.Table, ctes: frozenset[str], allowed: frozenset[str]) -> None:
    if not isinstance(table.this, exp.Identifier):
        raise UnsafeQuery(f"table function {table.this.sql(dialect=DIALECT)} is not allowed")
    name = _identifier_name(table.this)
    schema = _identifier_name(table.args.get("db"))
    shown = table.sql(dialect=DIALECT)
    if table.args.get("catalog") is not None:
        raise UnsafeQuery(f"table {shown} names a database")
    if not schema and name in ctes:
        return
    if schema not in ("", "public") or name not in allowed:
        raise UnsafeQuery(f"table {shown} is not one of the allowed views")


def _check_joins(root: exp.Expr, max_joins: int) -> None:
    joins = sum(1 for _ in root.find_all(exp.Join))
    if joins > max_joins:
        raise UnsafeQuery(f"{joins} joins is more than the {max_joins} allowed")
    for select in root.find_all(exp.Select):
        unrelated = _unrelated_source_groups(select)
        if unrelated > MAX_UNRELATED_SOURCES:
            raise UnsafeQuery(
                f"a cross join of {unrelated} unrelated sources is not allowed; add join conditions"
            )


def _source_name(source: exp.Expr, position: int) -> str:
    alias = source.args.get("alias")
    if isinstance(alias, exp.TableAlias):
        return _identifier_name(alias.this)
    if isinstance(source, exp.Table):
        return _identifier_name(source.this)
    return f"#{position}"


def _qualifiers(node: exp.Expr) -> Iterator[str]:
    for column in node.find_all(exp.Column):
        qualifier = column.args.get("table")
        if qualifier is not None:
            yield _identifier_name(qualifier)


def _unrelated_source_groups(select: exp.Select) -> int:
    """How many groups of FROM items no join condition or WHERE conjunct ties together."""
    from_ = select.args.get("from_")
    if not isinstance(from_, exp.From):
        return 0
    joins: list[exp.Join] = select.args.get("joins") or []
    sources = [from_.this, *(join.this for join in joins)]
    if len(sources) <= MAX_UNRELATED_SOURCES:
        return len(sources)
    names = [_source_name(source, position) for position, source in enumerate(sources)]
    parent = {name: name for name in names}

    def find(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    def tie(names_seen: set[str]) -> None:
        known = [name for name in names_seen if name in parent]
        for other in known[1:]:
            parent[find(other)] = find(known[0])

    for position, join in enumerate(joins, start=1):
        name = names[position]
        earlier = set(names[:position])
        condition = join.args.get("on")
        if join.args.get("using") or "NATURAL" in (join.args.get("method") or "").upper():
            tie({name, *earlier})
        elif isinstance(condition, exp.Expr):
            columns = list(condition.find_all(exp.Column))
            qualified = set(_qualifiers(condition))
            # `ON race_id = id` with unqualified columns is a real condition; `ON TRUE` is not.
            tie({name, *qualified} if qualified else ({name, *earlier} if columns else set()))
        if isinstance(join.this, exp.Lateral | exp.Subquery):
            tie({name, *_qualifiers(join.this)})
    where = select.args.get("where")
    if isinstance(where, exp.Where):
        for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
            tie(set(_qualifiers(conjunct)))
    return len({find(name) for name in names})
