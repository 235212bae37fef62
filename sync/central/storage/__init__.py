"""The central's storage: the SQLite/PostgreSQL store and its transactions (store), the versioned migrations
(schema), and devices, tokens, credentials and nonces (registry). The bottom room: it imports no other room
(except the read-model shortcuts on Store, which reach the admin room lazily)."""
