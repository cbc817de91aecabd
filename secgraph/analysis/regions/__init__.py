"""Isolated regions: where the network is thin, cut off, or hangs on one body (:mod:`.findings`),
and the nearest ties that could connect each such place (:mod:`.nearest_ties`)."""
