"""ConnectWise Manage (PSA) target: agreements, their additions, companies and catalog items.

`client.py` is the only module that talks HTTP, `mapping.py` converts vendor JSON to and
from the model, `marker.py` reads and writes the sync's marker in an addition's
description, `conditions.py` builds `conditions` query strings, `provider.py` is the glue.
"""
