"""TapTrail's shared domain: short codes, tap URLs, NDEF layout and NTAG21x chip facts.

Also the thread priority nfcpy's 5 ms deadlines need, which the field tool and the virtual reader
(`tags/virtual/`, a leaf only the simulator command, tests and benchmarks import) both use.

Nothing here knows about the web or a database; the server and the field tool both build on it.
"""
