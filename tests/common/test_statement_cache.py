"""The read path's statements keep psycopg's placeholder conversion between requests (app/common/reads.py):
psycopg remembers it only for statements up to a length, and the nearby page's statement is longer than its
default."""

import psycopg._queries

from app.common import reads

NEARBY = "/api/v1/outlets/nearby?lng=116.8492&lat=40.3775&coord=wgs84"


def test_the_search_statements_conversion_is_remembered(client, make, monkeypatch):
    make.outlet(116.8492, 40.3775)
    ran = []
    real = reads._on_driver

    def noting(connection, sql, params, cursor=None):
        ran.append(reads._pyformat(sql).encode())
        return real(connection, sql, params, cursor)

    monkeypatch.setattr(reads, "_on_driver", noting)
    for path in (NEARBY, NEARBY + "&types=breakfast", NEARBY + "&q=超市", NEARBY + "&open_now=true"):
        assert client.get(path).status_code == 200
    assert ran and max(len(sql) for sql in ran) <= psycopg._queries.MAX_CACHED_STATEMENT_LENGTH
    hits = psycopg._queries._query2pg.cache_info().hits
    assert client.get(NEARBY).status_code == 200
    assert psycopg._queries._query2pg.cache_info().hits > hits
