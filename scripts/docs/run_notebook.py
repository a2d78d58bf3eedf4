#!/usr/bin/env python3
"""Execute a Jupyter notebook from top to bottom; exit 1 at the first cell that fails.

    run_notebook.py NOTEBOOK [--out EXECUTED.ipynb] [--timeout SECONDS]

What CI runs for the documentation's walkthrough (tests/docs.rs): the cells execute in a
fresh Python kernel (ipykernel in the interpreter running this script, so the repository's
.venv), with the notebook's own folder as the working directory, as Jupyter would. The
executed copy, outputs included, is written to --out when given, so a failure can be read
cell by cell. nbclient, nbformat and ipykernel are pinned in requirements-dev.txt.
"""

import argparse
import pathlib
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, help="write the executed notebook here")
    parser.add_argument("--timeout", type=int, default=600, help="per cell, in seconds")
    args = parser.parse_args()

    notebook = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=args.timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(args.notebook.resolve().parent)}},
    )
    failed = None
    try:
        client.execute()
    except CellExecutionError as err:
        failed = err
    finally:
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, args.out)
    if failed:
        print(f"{args.notebook}: a cell failed\n{failed}", file=sys.stderr)
        sys.exit(1)
    print(f"{args.notebook}: {len(notebook.cells)} cells, every code cell ran")


if __name__ == "__main__":
    main()
