"""Bronze and Silver under a sustained load (`rtde bench p02 --rate R --duration D`).

The batch jobs' three queries (bronze.py: Kafka → Bronze and the dead letters; silver.py:
Bronze → Silver), started together with a processing-time trigger instead of availableNow,
so they follow the topic while the generator produces: each micro-batch takes what arrived
since the last one, every RTDE_SPARK_TRIGGER (2 seconds unless set). They use the batch
jobs' checkpoints, so the Silver job that runs after the load merges nothing new and only
counts Silver and writes dbt's vars.

The container's main process is this Python driver (the `spark-driver` service), so rtde's
stop signal (SIGINT, once Silver holds the oracle's count) reaches it: it stops the queries
and prints `bronze_rows=N` and `silver_rows=N`.
"""

from pathlib import Path

from common import read_window, run_until_signalled, setting

import bronze
import silver
import tables


def main():
    window_start, window_end = read_window(Path(setting("RTDE_ORACLE", "/data/oracle.json")))
    trigger = {"processingTime": setting("RTDE_SPARK_TRIGGER", "2 seconds")}
    lake = tables.chosen()
    spark = lake.session("rtde-continuous")
    queries = bronze.start(spark, lake, trigger)
    queries.append(silver.start(spark, lake, trigger, window_start, window_end))
    run_until_signalled(spark, queries)
    print(f"bronze_rows={lake.read(spark, 'bronze').count()}", flush=True)
    print(f"silver_rows={lake.read(spark, 'silver').count()}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
