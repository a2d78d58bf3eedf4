"""Bronze: every message whose value is a JSON object, as received (docs/data-contract.md §2),
with where it came from. No filtering, no deduplication.
"""

import base64

import pandas as pd
from silver_rules import parse

if "transformer" not in globals():
    from mage_ai.data_preparation.decorators import transformer


@transformer
def bronze(raw, *args, **kwargs):
    rows = []
    for partition, offset, value in zip(raw["partition"], raw["offset"], raw["value_b64"]):
        payload = None if value is None else base64.b64decode(value)
        if parse(payload) is not None:
            rows.append((int(partition), int(offset), payload.decode("utf-8")))
    print(f"bronze: {len(rows)} of {len(raw)} messages are JSON objects")
    return pd.DataFrame(rows, columns=["partition", "offset", "payload"])
