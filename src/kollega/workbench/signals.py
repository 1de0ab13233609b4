"""Keep the analysis true when research records change underneath it."""
