// Nodes of one kind, in id order. $kind
MATCH (n:Node {kind: $kind})
RETURN n.kind AS kind, properties(n) AS props
ORDER BY n.id
