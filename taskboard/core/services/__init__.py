"""Use cases: one function each, taking (session, actor, ...), permission-checked and audited."""
