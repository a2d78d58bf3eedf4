#!/usr/bin/env python3
"""Lay out a Flink home from downloaded Python distributions, checking every jar.

    assemble.py --downloads DIR --pins jars.toml --home /opt/flink

For each `[[jar]]` of the pins file: take `member` out of the archive in DIR named
`archive` (a .tar.gz sdist or a .whl), check its sha256 and, when `declares` is given, the
version the jar declares in one of its own files (a MANIFEST `Key: value` or a properties
`key=value` line), and write it to HOME/`to`. Any difference, and any jar already in HOME
that the pins file does not list, stops with exit status 1 and a message naming the jar.

The archives themselves were downloaded in pip's hash-checking mode (requirements.txt): this
is the second check, per jar, so that taking only some jars out of a third party's
redistribution takes exactly the bytes reviewed here.
"""

import argparse
import hashlib
import io
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path


def fail(message):
    print(f"flink image: {message}", file=sys.stderr)
    sys.exit(1)


def read_members(archive, members):
    """The bytes of each wanted member, reading the archive once (a gzip is not seekable)."""
    found = {}
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as tar:
            for info in tar:
                if info.name in members and info.isfile():
                    found[info.name] = tar.extractfile(info).read()
    else:
        with zipfile.ZipFile(archive) as whl:
            for name in members:
                if name in whl.namelist():
                    found[name] = whl.read(name)
    for name in members:
        if name not in found:
            fail(f"{archive.name} holds no file {name}")
    return found


def declared(jar_bytes, name, file, key):
    """The value of `key` in `file` inside the jar, or None."""
    try:
        text = zipfile.ZipFile(io.BytesIO(jar_bytes)).read(file).decode("utf-8", "replace")
    except KeyError:
        fail(f"{name} holds no {file}, where its version should be declared")
    except zipfile.BadZipFile:
        fail(f"{name} is not a jar (zip) file")
    for line in text.splitlines():
        for sep in (":", "="):
            k, found, v = line.partition(sep)
            if found and k.strip() == key:
                return v.strip()
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--downloads", type=Path, required=True)
    parser.add_argument("--pins", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()

    pins = tomllib.loads(args.pins.read_text())["jar"]
    contents = {}
    for archive_name in sorted({pin["archive"] for pin in pins}):
        archive = args.downloads / archive_name
        if not archive.is_file():
            fail(f"the download {archive_name} is missing from {args.downloads}")
        members = [pin["member"] for pin in pins if pin["archive"] == archive_name]
        for member, data in read_members(archive, members).items():
            contents[(archive_name, member)] = data

    wanted = set()
    for pin in pins:
        name = pin["to"]
        data = contents[(pin["archive"], pin["member"])]
        digest = hashlib.sha256(data).hexdigest()
        if digest != pin["sha256"]:
            fail(f"{name} (from {pin['archive']}:{pin['member']}) has sha256 {digest}, "
                 f"but {args.pins.name} pins {pin['sha256']}")
        if "declares" in pin:
            d = pin["declares"]
            value = declared(data, name, d["file"], d["key"])
            if value != d["value"]:
                fail(f"{name} declares {d['key']} {value!r} in {d['file']}, "
                     f"but {args.pins.name} expects {d['value']!r}")
        target = args.home / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        wanted.add(target.resolve())
        print(f"{name}  sha256 {digest}  ok", flush=True)

    strays = [p for p in args.home.rglob("*.jar") if p.resolve() not in wanted]
    if strays:
        fail("jars not pinned in " + args.pins.name + ": " + ", ".join(map(str, strays)))


if __name__ == "__main__":
    main()
