// One relationship. $id
MATCH (:Node)-[r]->(:Node)
WHERE r.id = $id
RETURN properties(r) AS props
