// Every relationship that starts or ends at a node, in id order. $id
MATCH (n:Node {id: $id})-[r]-(:Node)
RETURN DISTINCT properties(r) AS props, r.id AS rid
ORDER BY rid
