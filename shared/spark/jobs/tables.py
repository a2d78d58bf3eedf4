"""The table formats the Spark jobs write: Iceberg (P02, P05), Delta Lake (P13), Hudi (P22).

bronze.py and silver.py hold the streaming logic once (the queries, the transforms, the dead
letters, the counts); everything that depends on the table format is one class here, chosen
by RTDE_TABLE_FORMAT (default `iceberg`, which is what P02/P05 ran before this choice
existed): the session's settings, how a table is created, how Bronze is appended from a
stream, how Bronze is read as a stream, how a Silver micro-batch is merged in, how a table is
read for its count, and which dbt vars point dbt at Silver.

Iceberg tables live in the Lakekeeper REST catalog (`lake.bronze.raw_trips`,
`lake.silver.trips`). Delta and Hudi tables have no catalog here: they are folders under
RTDE_LAKE_ROOT on the object store (`s3a://warehouse/<format>/bronze/raw_trips`, …), reached
through Hadoop's S3A with the MinIO settings of the environment.
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.streaming import StreamingQuery

from common import setting

import transforms

# The Iceberg catalog as Spark knows it.
CATALOG = "lake"

SILVER_COLUMNS = [
    ("trip_id", "string"),
    ("vendor_id", "int"),
    ("pickup_datetime", "timestamp_ntz"),
    ("dropoff_datetime", "timestamp_ntz"),
    ("passenger_count", "bigint"),
    ("trip_distance", "double"),
    ("rate_code_id", "bigint"),
    ("store_and_fwd_flag", "string"),
    ("pickup_location_id", "int"),
    ("dropoff_location_id", "int"),
    ("payment_type", "bigint"),
    *[(column, "decimal(10, 2)") for _, column in transforms.MONEY],
]
BRONZE_COLUMNS = [
    *[(f"`{name}`", kind.simpleString()) for name, kind in transforms.BRONZE_FIELDS],
    ("kafka_partition", "int"),
    ("kafka_offset", "bigint"),
    ("kafka_timestamp", "timestamp"),
]
COLUMNS = {"bronze": BRONZE_COLUMNS, "silver": SILVER_COLUMNS}
# Where a format without a catalog keeps each table, under RTDE_LAKE_ROOT.
FOLDERS = {"bronze": "bronze/raw_trips", "silver": "silver/trips"}


def ddl(identifier: str, table: str, using: str, properties: str = "") -> str:
    """CREATE TABLE IF NOT EXISTS of Bronze or Silver with their columns (COLUMNS)."""
    columns = ",\n    ".join(f"{name} {kind}" for name, kind in COLUMNS[table])
    return f"create table if not exists {identifier} (\n    {columns}\n)\nusing {using}\n{properties}"


def _merge(identifier: str) -> str:
    """Silver's merge: a trip Silver holds already (a duplicate in a later batch, a batch
    replayed after a failure) adds nothing."""
    return f"""
merge into {identifier} as target
using silver_batch as batch
on target.trip_id = batch.trip_id
when not matched then insert *
"""


def _session(app: str, conf: dict[str, str]) -> SparkSession:
    builder = SparkSession.builder.appName(app)
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _s3a() -> dict[str, str]:
    """Hadoop S3A on MinIO (path style, no TLS), for the formats without a catalog that vends
    credentials: the keys are the stack's own (shared/compose/object-store.yaml)."""
    return {
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.endpoint": setting("RTDE_S3_ENDPOINT_URL", "http://minio:9000"),
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
        "spark.hadoop.fs.s3a.access.key": setting("RTDE_S3_ACCESS_KEY_ID", "minioadmin"),
        "spark.hadoop.fs.s3a.secret.key": setting("RTDE_S3_SECRET_ACCESS_KEY", "minioadmin"),
        "spark.hadoop.fs.s3a.endpoint.region": setting("RTDE_S3_REGION", "us-east-1"),
        "spark.hadoop.fs.s3a.aws.credentials.provider":
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }


class Iceberg:
    """Iceberg tables in the Lakekeeper REST catalog, files on MinIO (P02, P05)."""

    name = "iceberg"
    identifiers = {"bronze": f"{CATALOG}.bronze.raw_trips", "silver": f"{CATALOG}.silver.trips"}

    def session(self, app: str) -> SparkSession:
        """A local Spark session with the Iceberg REST catalog (Lakekeeper) as `lake`.

        The catalog tells Spark where each table lives and, asked through the
        access-delegation header, hands out short-lived S3 credentials and the endpoint with
        each table (shared/compose/iceberg-catalog.yaml enables that); those override the S3
        settings below, which only matter against a catalog that vends nothing (MinIO's local
        keys, path style).
        """
        prefix = f"spark.sql.catalog.{CATALOG}"
        return _session(app, {
            "spark.sql.extensions":
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
            prefix: "org.apache.iceberg.spark.SparkCatalog",
            f"{prefix}.type": "rest",
            f"{prefix}.uri": setting("RTDE_CATALOG_URI", "http://catalog:8181/catalog"),
            f"{prefix}.warehouse": setting("RTDE_CATALOG_WAREHOUSE", "warehouse"),
            f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            f"{prefix}.header.X-Iceberg-Access-Delegation": "vended-credentials",
            f"{prefix}.s3.endpoint": setting("RTDE_S3_ENDPOINT_URL", "http://minio:9000"),
            f"{prefix}.s3.path-style-access": "true",
            f"{prefix}.s3.access-key-id": setting("RTDE_S3_ACCESS_KEY_ID", "minioadmin"),
            f"{prefix}.s3.secret-access-key": setting("RTDE_S3_SECRET_ACCESS_KEY", "minioadmin"),
            f"{prefix}.client.region": setting("RTDE_S3_REGION", "us-east-1"),
        })

    def create_sql(self, table: str) -> str:
        return ddl(self.identifiers[table], table, "iceberg",
                    "tblproperties ('format-version' = '2')")

    def merge_sql(self, table: str) -> str:
        return _merge(self.identifiers[table])

    def create(self, spark: SparkSession, table: str):
        spark.sql(f"create namespace if not exists {self.identifiers[table].rsplit('.', 1)[0]}")
        spark.sql(self.create_sql(table))

    def append_stream(
        self, frame: DataFrame, table: str, checkpoint: str, trigger: dict
    ) -> StreamingQuery:
        return (
            frame.writeStream.format("iceberg")
            .outputMode("append")
            .option("checkpointLocation", checkpoint)
            .trigger(**trigger)
            .toTable(self.identifiers[table])
        )

    def read_stream(self, spark: SparkSession, table: str) -> DataFrame:
        return spark.readStream.format("iceberg").load(self.identifiers[table])

    def merge(self, batch: DataFrame, table: str):
        batch.createOrReplaceTempView("silver_batch")
        batch.sparkSession.sql(self.merge_sql(table))

    def read(self, spark: SparkSession, table: str) -> DataFrame:
        return spark.table(self.identifiers[table])

    def dbt_vars(self, spark: SparkSession) -> dict:
        """The REST catalog chooses where a table lives and writes no version-hint file, so
        only the catalog or this job knows which metadata file is current: the metadata log
        lists the table's metadata files, the current one last."""
        metadata = (
            spark.sql(
                f"select file from {self.identifiers['silver']}.metadata_log_entries "
                "order by timestamp desc"
            )
            .first()
            .file
        )
        return {"silver_source": "iceberg", "silver_iceberg_path": metadata}


class _Folders:
    """A format whose tables are folders under RTDE_LAKE_ROOT (no catalog)."""

    name = ""

    def root(self) -> str:
        return setting("RTDE_LAKE_ROOT", f"s3a://warehouse/{self.name}").rstrip("/")

    def path(self, table: str) -> str:
        return f"{self.root()}/{FOLDERS[table]}"


class Delta(_Folders):
    """Delta Lake tables (delta-spark) on MinIO through S3A (P13).

    One writer at a time (each job is one Spark driver), so Delta's default S3 log store,
    which is safe for a single driver, is enough: no DynamoDB lock table.
    """

    name = "delta"

    def identifier(self, table: str) -> str:
        return f"delta.`{self.path(table)}`"

    def session(self, app: str) -> SparkSession:
        return _session(app, {
            "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
            **_s3a(),
        })

    def create_sql(self, table: str) -> str:
        # Silver's zone-less times need Delta's timestampNtz table feature: named, not left to
        # the writer's inference.
        return ddl(self.identifier(table), table, "delta",
                    "tblproperties ('delta.feature.timestampNtz' = 'supported')")

    def merge_sql(self, table: str) -> str:
        return _merge(self.identifier(table))

    def create(self, spark: SparkSession, table: str):
        spark.sql(self.create_sql(table))

    def append_stream(
        self, frame: DataFrame, table: str, checkpoint: str, trigger: dict
    ) -> StreamingQuery:
        return (
            frame.writeStream.format("delta")
            .outputMode("append")
            .option("checkpointLocation", checkpoint)
            .trigger(**trigger)
            .start(self.path(table))
        )

    def read_stream(self, spark: SparkSession, table: str) -> DataFrame:
        return spark.readStream.format("delta").load(self.path(table))

    def merge(self, batch: DataFrame, table: str):
        batch.createOrReplaceTempView("silver_batch")
        batch.sparkSession.sql(self.merge_sql(table))

    def read(self, spark: SparkSession, table: str) -> DataFrame:
        return spark.read.format("delta").load(self.path(table))

    def dbt_vars(self, spark: SparkSession) -> dict:
        """DuckDB's delta_scan reads the table through its log (the latest version), on the
        same bucket through httpfs, which spells the scheme `s3://`."""
        path = self.path("silver")
        return {"silver_source": "delta", "silver_delta_path": "s3://" + path.split("://", 1)[1]}


class Hudi(_Folders):
    """Apache Hudi copy-on-write tables (the Hudi Spark bundle) on MinIO through S3A (P22).

    Bronze is inserted: every message that is a JSON object is a record, keyed by its Kafka
    partition and offset (a message's identity: Bronze keeps duplicates and rows without a
    trip_id, which a trip_id key could not hold). Silver is upserted on trip_id: a trip that
    arrives again (the generator's re-sent duplicates are byte-for-byte their originals)
    rewrites its file group under a new instant with the same values, so Silver holds each
    trip once, as the MERGE of the other formats does. On copy-on-write every upsert leaves
    the previous version of the file group on storage until the cleaner runs: a reader must
    take the latest snapshot by the timeline, never every Parquet file (P22's snapshot stage).

    The tables are created by their first write (Hudi takes the schema from the data), in
    Hudi 1.x's own table version, which hudi-rs 0.5 (the snapshot stage's reader: table
    versions 6, 8 and 9) reads. Timestamps are written as Spark `timestamp` (the session's zone is UTC, so the stored
    instant is the wall-clock time) rather than timestamp_ntz, which Hudi's Avro schema
    conversion is not relied on to carry; the snapshot stage turns them back into the
    contract's zone-less timestamps.
    """

    name = "hudi"
    keys = {
        "bronze": {
            "hoodie.table.name": "bronze_raw_trips",
            "hoodie.datasource.write.operation": "insert",
            "hoodie.datasource.write.recordkey.field": "kafka_partition,kafka_offset",
            "hoodie.datasource.write.precombine.field": "kafka_offset",
        },
        "silver": {
            "hoodie.table.name": "silver_trips",
            "hoodie.datasource.write.operation": "upsert",
            "hoodie.datasource.write.recordkey.field": "trip_id",
            "hoodie.datasource.write.precombine.field": "pickup_datetime",
        },
    }

    def options(self, table: str) -> dict[str, str]:
        return {
            **self.keys[table],
            "hoodie.datasource.write.table.type": "COPY_ON_WRITE",
            "hoodie.datasource.write.partitionpath.field": "",
            # Not partitioned: one empty partition path, whatever the key's fields.
            "hoodie.datasource.write.keygenerator.class":
                "org.apache.hudi.keygen.NonpartitionedKeyGenerator",
            # No Hive metastore in the stack: the table is its folder.
            "hoodie.datasource.hive_sync.enable": "false",
        }

    def session(self, app: str) -> SparkSession:
        return _session(app, {
            "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
            "spark.sql.extensions": "org.apache.spark.sql.hudi.HoodieSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.hudi.catalog.HoodieCatalog",
            "spark.kryo.registrator": "org.apache.spark.HoodieSparkKryoRegistrar",
            **_s3a(),
        })

    def create(self, spark: SparkSession, table: str):
        """Nothing to do: a Hudi table is created by its first commit."""

    def append_stream(
        self, frame: DataFrame, table: str, checkpoint: str, trigger: dict
    ) -> StreamingQuery:
        return (
            frame.writeStream.format("hudi")
            .options(**self.options(table))
            .outputMode("append")
            .option("checkpointLocation", checkpoint)
            .trigger(**trigger)
            .start(self.path(table))
        )

    def read_stream(self, spark: SparkSession, table: str) -> DataFrame:
        # Hudi's streaming source hands over Hudi's meta columns too; Silver's transform
        # selects the contract's columns only.
        return spark.readStream.format("hudi").load(self.path(table))

    @staticmethod
    def zoned(batch: DataFrame) -> DataFrame:
        """Each timestamp_ntz column as a Spark `timestamp` of the same wall-clock time in the
        session's zone (UTC in the stack: shared/spark/conf/spark-defaults.conf)."""
        return batch.select(*[
            F.col(field.name).cast(T.TimestampType()).alias(field.name)
            if isinstance(field.dataType, T.TimestampNTZType) else F.col(field.name)
            for field in batch.schema.fields
        ])

    def merge(self, batch: DataFrame, table: str):
        self.zoned(batch).write.format("hudi").options(**self.options(table)).mode("append").save(
            self.path(table))

    def read(self, spark: SparkSession, table: str) -> DataFrame:
        # A snapshot query: the latest committed version of every record.
        return spark.read.format("hudi").load(self.path(table))

    def dbt_vars(self, spark: SparkSession) -> None:
        """None: DuckDB has no Hudi reader. P22's snapshot stage exports the latest snapshot
        with hudi-rs and writes the vars that point dbt at the export."""
        return None


FORMATS = {format.name: format for format in (Iceberg(), Delta(), Hudi())}


def chosen():
    """The format RTDE_TABLE_FORMAT names (shared/compose/spark.yaml and the pipelines that
    override it); an unknown name stops the job with the names it knows."""
    name = setting("RTDE_TABLE_FORMAT", "iceberg")
    if name not in FORMATS:
        raise SystemExit(f"RTDE_TABLE_FORMAT is {name!r}; it must be one of {sorted(FORMATS)}")
    return FORMATS[name]
