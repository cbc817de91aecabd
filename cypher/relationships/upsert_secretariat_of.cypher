// Create or replace SECRETARIAT_OF relationships by id. $rows: [{id, from_id, to_id, props}].
UNWIND $rows AS row
MATCH (a:Node {id: row.from_id})
MATCH (b:Node {id: row.to_id})
MERGE (a)-[r:SECRETARIAT_OF {id: row.id}]->(b)
SET r = row.props
