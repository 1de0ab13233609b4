"""The reports app stores nothing: it reads the service's cases and anonymous statistics rows."""
