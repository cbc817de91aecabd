// Create or replace LONG_LISTED relationships by id. $rows: [{id, from_id, to_id, props}].
UNWIND $rows AS row
MATCH (a:Node {id: row.from_id})
MATCH (b:Node {id: row.to_id})
MERGE (a)-[r:LONG_LISTED {id: row.id}]->(b)
SET r = row.props
