// Every node with its kind, in id order.
MATCH (n:Node)
RETURN n.kind AS kind, properties(n) AS props
ORDER BY n.id
