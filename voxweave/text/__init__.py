"""Text work: reading documents, normalising them for speech, splitting and chunking."""
