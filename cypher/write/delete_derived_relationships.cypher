// Remove the relationships that follow from node fields, before those nodes are written again. $ids
UNWIND $ids AS id
MATCH (n:Node {id: id})-[r:LOCATED_IN|IN_SERIES|COUNTS|ABOUT]->()
DELETE r
