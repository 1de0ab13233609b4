"""The STC workbench. For now only its adapters exist: the research pages import transcripts
through them; the workbench's own pages are still to be built."""
