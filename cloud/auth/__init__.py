"""Users, roles scoped to stores, password login, tokens, sessions, lockout and password reset."""
