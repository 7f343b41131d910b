"""Pure math with no I/O: geometry, quorums, latency, availability, cost."""
