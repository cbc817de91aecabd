// Create or replace Prefecture nodes by id. $rows: [{id, props}]; props replace all properties.
UNWIND $rows AS row
MERGE (n:Node {id: row.id})
SET n = row.props
SET n:Prefecture
