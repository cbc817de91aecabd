// Create or replace CO_HOSTED relationships by id. $rows: [{id, from_id, to_id, props}].
UNWIND $rows AS row
MATCH (a:Node {id: row.from_id})
MATCH (b:Node {id: row.to_id})
MERGE (a)-[r:CO_HOSTED {id: row.id}]->(b)
SET r = row.props
