"""Print where the results are and what they hold, aggregates only: `python -m orchestration.status`."""

import duckdb

from ingest.settings import Settings
from reporting import default_reports_dir


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [schema, table]).fetchone()[0] > 0


def main() -> None:
    settings = Settings.from_env()
    print(f"Landing folder:  {settings.landing_dir}")
    print(f"Archive:         {settings.archive_dir}")
    print(f"Warehouse:       {settings.warehouse_path}")
    if not settings.warehouse_path.exists():
        print("The warehouse does not exist yet: nothing has been ingested.")
        return
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select la_code, count(*), min(window_start), max(period_end) from raw.extracts "
            "group by la_code order by la_code"
        ).fetchall()
        for la_code, n, first, last in rows:
            print(f"  {la_code}: {n} extracts loaded, covering {first} to {last}")
        rejected = con.execute("select la_code, folder, message from raw.rejected_extracts").fetchall()
        for la_code, folder, message in rejected:
            print(f"  REJECTED {la_code}/{folder}: {message}")
        quarantine = con.execute(
            "select reason, count(*) from raw.quarantine group by reason order by 2 desc"
        ).fetchall()
        for reason, n in quarantine:
            print(f"  quarantined: {n} x {reason}")
        if _table_exists(con, "marts", "scorecard_monthly"):
            n, months, with_value = con.execute(
                "select count(*), count(distinct month), count(value) from marts.scorecard_monthly"
            ).fetchone()
            print(f"  marts.scorecard_monthly: {n} rows over {months} months ({with_value} with a value)")
        if _table_exists(con, "marts", "scorecard"):
            n = con.execute("select count(*) from marts.scorecard").fetchone()[0]
            print(f"  marts.scorecard: {n} rows")
    published = settings.published_dir / "scorecard.duckdb"
    if published.exists():
        print(f"Published:       {published} (open read-only)")
        print(f"                 {settings.published_dir / 'parquet'}/*.parquet")
    else:
        print(f"Published:       nothing yet in {settings.published_dir}")
    reports = sorted(default_reports_dir(settings.data_dir).glob("*/scorecard_*.html"))
    for report in reports[-5:]:
        print(f"Board pack:      {report} (and .xlsx)")


if __name__ == "__main__":
    main()
