// Every relationship between nodes, in id order.
MATCH (:Node)-[r]->(:Node)
RETURN properties(r) AS props
ORDER BY r.id
