"""Nothing to administer: the statistics are computed, not stored."""
