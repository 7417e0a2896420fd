"""Index maintenance: follows page and vocabulary changes into the search engine."""
