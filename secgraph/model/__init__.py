"""The domain model: records, vocabularies, dates, names and geography."""
