// Remove every node of the graph (in batches so a large graph fits in memory).
MATCH (n:Node)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
