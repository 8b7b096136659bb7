"""Team sync through CouchDB (issue 18): the record <-> document mapping, the sync state kept
in the data folder, a small CouchDB client and the push/pull engine.

Nothing here is imported unless sync is set up (httpx is only loaded by a sync):
:func:`store.sync.state.is_configured` is the cheap check.
"""
