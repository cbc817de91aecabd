// The parent each of $ids names in its parent_id, for the nodes that name one. $ids
UNWIND $ids AS id
MATCH (n:Node {id: id})
WHERE n.parent_id IS NOT NULL
RETURN n.id AS id, n.parent_id AS parent_id
