// Delete nodes and their relationships by id. $ids
UNWIND $ids AS id
MATCH (n:Node {id: id})
DETACH DELETE n
