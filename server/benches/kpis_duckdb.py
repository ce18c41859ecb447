#!/usr/bin/env python3
"""The KPI queries of `benches/kpis.rs` on DuckDB, for comparison with the engine.

Usage: kpis_duckdb.py CONVERSATIONS_CSV QUERIES_JSON RUNS

Loads the CSV (one row per conversation) into an in-memory DuckDB table `conversations`, then
runs each query of QUERIES_JSON ([{"name", "sql"}]) once to warm up and RUNS times timed.
Prints JSON lines: {"load_s", "version", "threads"}, then per query {"name", "ms": [...], "row"}.
Without the duckdb package it prints {"error": ...} and exits 0, so the bench can go on.
"""

import json
import sys
import time

try:
    import duckdb
except ImportError:
    print(json.dumps({"error": "the Python package duckdb is not installed (pip install --user duckdb)"}))
    sys.exit(0)

COLUMNS = {
    "id": "VARCHAR",
    "queue": "VARCHAR",
    "channel": "VARCHAR",
    "created_ms": "BIGINT",
    "first_accepted_ms": "BIGINT",
    "closed_ms": "BIGINT",
    "close_reason": "VARCHAR",
    "handle_ms": "BIGINT",
    "wrap_ms": "BIGINT",
    "transferred": "INTEGER",
}


def main() -> None:
    csv_path, queries_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(queries_path, encoding="utf-8") as f:
        queries = json.load(f)
    con = duckdb.connect()
    began = time.perf_counter()
    con.execute(
        "CREATE TABLE conversations AS SELECT * FROM read_csv(?, header = true, columns = ?)",
        [csv_path, COLUMNS],
    )
    load_s = time.perf_counter() - began
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(json.dumps({"load_s": load_s, "version": duckdb.__version__, "threads": threads}))
    for q in queries:
        row = con.execute(q["sql"]).fetchone()
        ms = []
        for _ in range(runs):
            began = time.perf_counter()
            row = con.execute(q["sql"]).fetchone()
            ms.append((time.perf_counter() - began) * 1000.0)
        values = [None if v is None else float(v) for v in row]
        print(json.dumps({"name": q["name"], "ms": ms, "row": values}))


if __name__ == "__main__":
    main()
