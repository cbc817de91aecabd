// Delete relationships by id. $ids
UNWIND $ids AS id
MATCH (:Node)-[r]->(:Node)
WHERE r.id = id
DELETE r
