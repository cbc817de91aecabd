// Create or replace LOCATED_IN relationships by id. $rows: [{id, from_id, to_id, props}]. Returns how many were
// written: fewer than the rows means an end is missing, and the caller rolls back.
UNWIND $rows AS row
MATCH (a:Node {id: row.from_id})
MATCH (b:Node {id: row.to_id})
MERGE (a)-[r:LOCATED_IN {id: row.id}]->(b)
SET r = row.props
RETURN count(r) AS written
