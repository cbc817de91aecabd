// One node. $id
MATCH (n:Node {id: $id})
RETURN n.kind AS kind, properties(n) AS props
